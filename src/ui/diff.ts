// Two JSON documents shown as one: changed lines with their words marked, unchanged runs folded behind a
// gap marker that opens in place (a <details>, so it needs no script and works from the keyboard).
import { diffArrays, diffWordsWithSpace } from "diff";
import { html } from "hono/html";
import { redactDocument } from "./redact.js";

type Html = ReturnType<typeof html>;

/** Unchanged lines kept around each change before the rest folds away. */
const CONTEXT = 2;

export function documentLines(doc: unknown): string[] {
  return doc === undefined ? [] : (JSON.stringify(redactDocument(doc), null, 2) ?? "").split("\n");
}

function words(before: string, after: string): Html {
  const parts = diffWordsWithSpace(before, after);
  return html`${parts.map((p) => (p.added ? html`<ins>${p.value}</ins>` : p.removed ? html`<del>${p.value}</del>` : p.value))}`;
}

type Row = { type: "same" | "add" | "del"; text: string } | { type: "chg"; before: string; after: string };

function rows(before: string[], after: string[]): Row[] {
  const out: Row[] = [];
  const parts = diffArrays(before, after);
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (part === undefined) continue;
    const next = parts[i + 1];
    if (part.removed && next?.added) {
      // A removed run followed by an added one: pair them line by line, so a changed value shows its words.
      const n = Math.max(part.value.length, next.value.length);
      for (let j = 0; j < n; j++) {
        const a = part.value[j];
        const b = next.value[j];
        if (a !== undefined && b !== undefined) out.push({ type: "chg", before: a, after: b });
        else if (a !== undefined) out.push({ type: "del", text: a });
        else if (b !== undefined) out.push({ type: "add", text: b });
      }
      i++;
      continue;
    }
    for (const text of part.value) out.push({ type: part.added ? "add" : part.removed ? "del" : "same", text });
  }
  return out;
}

function line(row: Row): Html {
  switch (row.type) {
    case "same":
      return html`<span class="ln">${row.text}</span>`;
    case "add":
      return html`<span class="ln add"><span class="sr">added: </span>${row.text}</span>`;
    case "del":
      return html`<span class="ln del"><span class="sr">removed: </span>${row.text}</span>`;
    case "chg":
      return html`<span class="ln chg">${words(row.before, row.after)}</span>`;
  }
}

/** The diff of two documents; `undefined` on one side shows the other as wholly added or removed. */
export function documentDiff(before: unknown, after: unknown): Html {
  const all = rows(documentLines(before), documentLines(after));
  const out: Html[] = [];
  let i = 0;
  while (i < all.length) {
    if (all[i]?.type !== "same") {
      out.push(line(all[i] as Row));
      i++;
      continue;
    }
    let end = i;
    while (end < all.length && all[end]?.type === "same") end++;
    const keepBefore = i === 0 ? 0 : CONTEXT;
    const keepAfter = end === all.length ? 0 : CONTEXT;
    if (end - i <= keepBefore + keepAfter + 1) {
      for (let j = i; j < end; j++) out.push(line(all[j] as Row));
    } else {
      for (let j = i; j < i + keepBefore; j++) out.push(line(all[j] as Row));
      const folded = all.slice(i + keepBefore, end - keepAfter);
      out.push(html`<details class="gap"><summary>⋯ ${folded.length} unchanged line${folded.length === 1 ? "" : "s"}</summary>${folded.map(line)}</details>`);
      for (let j = end - keepAfter; j < end; j++) out.push(line(all[j] as Row));
    }
    i = end;
  }
  return html`<pre class="diff">${out}</pre>`;
}
