// "Did you mean …?": the closest allowed word to a misspelt key or enum value, or the closest known name
// (an input, a file beside a missing one) to a misspelt one, by one edit distance.

/**
 * Edits (insert, delete, substitute, swap two neighbours) from `a` to `b`: swapped letters are the most
 * common typo ("nmae"), so they count once. Stops early once every cell of a row exceeds `max`.
 */
export function editDistance(a: string, b: string, max = Number.POSITIVE_INFINITY): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let before: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, (before[j - 2] ?? 0) + 1);
      row.push(v);
      if (v < best) best = v;
    }
    if (best > max) return max + 1;
    before = prev;
    prev = row;
  }
  return prev[b.length] ?? 0;
}

/** The allowed word closest to `word`, when it is close enough to be a plausible typo. */
export function closest(word: string, allowed: Iterable<string>): string | undefined {
  const needle = word.toLowerCase();
  // Short words tolerate one edit, longer ones a third of their length: "nmae" → "name", not "x" → "id".
  const max = Math.max(1, Math.min(3, Math.floor(needle.length / 3)));
  let best: string | undefined;
  let bestDistance = max + 1;
  for (const candidate of allowed) {
    const d = editDistance(needle, candidate.toLowerCase(), max);
    if (d < bestDistance || (d === bestDistance && best !== undefined && candidate < best)) {
      best = candidate;
      bestDistance = d;
    }
  }
  if (bestDistance <= max) return best;
  // A truncated word ("mlflow" for "mlflow_model") is far in edits but plain to a reader.
  if (needle.length >= 3) {
    const extended = [...allowed].filter((c) => c.toLowerCase().startsWith(needle) || c.toLowerCase().endsWith(needle));
    if (extended.length === 1) return extended[0];
  }
  return undefined;
}

export function didYouMean(word: string, allowed: Iterable<string>): string | undefined {
  const match = closest(word, allowed);
  return match === undefined || match === word ? undefined : `did you mean "${match}"?`;
}

/**
 * The candidate closest to a name (an input, a file), if it is close enough to be a plausible typo: a
 * case-only difference, or at most a third of the longer name's length in edits (rounded up, at most three).
 */
export function closestName(word: string, candidates: Iterable<string>): string | undefined {
  const list = [...candidates];
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of list) {
    if (candidate === word) continue;
    const distance = candidate.toLowerCase() === lower ? 0 : editDistance(lower, candidate.toLowerCase(), 3);
    if (distance > Math.min(3, Math.ceil(Math.max(word.length, candidate.length) / 3))) continue;
    if (distance < bestDistance || (distance === bestDistance && best !== undefined && candidate < best)) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best !== undefined) return best;
  // A name written as part of a longer one (`model` for `model_output`) is a typo too, when only one fits.
  const containing = list.filter((c) => lower.length >= 3 && c.toLowerCase().includes(lower));
  return containing.length === 1 ? containing[0] : undefined;
}

/** ` Did you mean x?` or "" — appended to the rules' messages and hints. */
export function didYouMeanName(word: string, candidates: Iterable<string>): string {
  const match = closestName(word, candidates);
  return match === undefined ? "" : ` Did you mean ${match}?`;
}
