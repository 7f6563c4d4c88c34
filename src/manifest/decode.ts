// Bytes → text for manifests: UTF-8 only, and a located diagnostic (line and column of the first bad
// byte) for binary files, NUL bytes and other encodings, rather than silently mangled text.
import type { Diagnostic } from "../diagnostics.js";
import { diagnostic } from "./diagnostic.js";

/** Bytes → text, refusing what is not UTF-8 text (a binary file with a .yml name, UTF-16, NUL bytes). */
export function decodeText(bytes: Uint8Array, file: string): { text: string } | { diagnostic: Diagnostic } {
  const utf16 = utf16Encoding(bytes);
  if (utf16 !== undefined) {
    // What Windows tools (PowerShell's Out-File, Notepad's "Unicode") write: say so, and how to fix it.
    return { diagnostic: { ...notText(file, `is ${utf16.toUpperCase()} text`, bytes, 0), hint: "save it as UTF-8 (PowerShell: Out-File -Encoding utf8)" } };
  }
  const nul = bytes.indexOf(0);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return { diagnostic: notText(file, "is not valid UTF-8", bytes, firstInvalidUtf8(bytes)) };
  }
  if (nul !== -1) return { diagnostic: notText(file, "contains NUL bytes", bytes, nul) };
  return { text };
}

/** "utf-16le" or "utf-16be" for a file that starts with that byte-order mark. */
export function utf16Encoding(bytes: Uint8Array): "utf-16le" | "utf-16be" | undefined {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return "utf-16le";
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return "utf-16be";
  return undefined;
}

function notText(file: string, why: string, bytes: Uint8Array, offset: number): Diagnostic {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < bytes.length; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return diagnostic({
    code: "not-text",
    message: `${file} ${why}; a manifest must be UTF-8 text`,
    file,
    at: { line, column: offset - lineStart + 1 },
  });
}

/** Offset of the first byte sequence that is not UTF-8: fed byte by byte, so linear in the file. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  for (let i = 0; i < bytes.length; i++) {
    try {
      decoder.decode(bytes.subarray(i, i + 1), { stream: true });
    } catch {
      // The decoder notices at the byte that cannot continue a sequence: point at the sequence's start.
      for (let back = i; back > i - 4 && back >= 0; back--) if (((bytes[back] ?? 0) & 0xc0) === 0xc0) return back;
      return i;
    }
  }
  return Math.max(0, bytes.length - 1);
}
