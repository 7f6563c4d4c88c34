// Text that comes from a repository (names, keys, paths, values quoted in messages) reaches a terminal
// only through here: control characters, line breaks and bidirectional overrides are shown as escapes,
// so a file can neither move the cursor, recolour the screen nor forge lines of output.
const UNPRINTABLE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
