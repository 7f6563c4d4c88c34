// Edits to aliases.yaml that keep the file as its author wrote it: comments, order, quoting and layout
// stay. yaml's Document API finds the value's exact range; only those characters are replaced.
import { yamlLibrary } from "./yaml-library.js";

/** The text of aliases.yaml with `aliases.<kind:name>.<alias>` set to `version`. */
export function setAliasVersion(text: string, asset: string, alias: string, version: string): string {
  const { parseDocument, isScalar } = yamlLibrary();
  const doc = parseDocument(text);
  const numeric = /^(0|[1-9]\d*)$/.test(version) && Number.isSafeInteger(Number(version));
  const node = doc.getIn(["aliases", asset, alias], true);
  if (isScalar(node) && node.range) {
    // A version that would read as something else (1.10, yes, 0x1) is quoted; a plain one stays plain.
    const plain = numeric || (/^[A-Za-z][\w.-]*$/.test(version) && !/^(true|false|null|yes|no|on|off)$/i.test(version));
    const written = plain ? version : JSON.stringify(version);
    return `${text.slice(0, node.range[0])}${written}${text.slice(node.range[1])}`;
  }
  // Not written yet: added by the Document API, which lays out what it adds itself.
  doc.setIn(["aliases", asset, alias], numeric ? Number(version) : version);
  return doc.toString();
}
