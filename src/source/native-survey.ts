// The tree survey in C (src/native/survey.c), where it was built for this platform: the digest
// WorkTree.survey would give, at a fraction of the cost. Undefined where it is not built, or fails:
// the caller surveys in JavaScript.
import { nativeAddon } from "../native-addon.js";
import type { Survey } from "./tree.js";

/** The survey's digest of the tree at `root`, as WorkTree.survey gives it; undefined without the addon. */
export function nativeSurvey(root: string): string | undefined {
  return nativeAddon()?.survey(root);
}

/** The survey of the tree at `root` as WorkTree.survey gives it (digest and newest timestamp); undefined without the addon. */
export function nativeSurveyWithNewest(root: string): Survey | undefined {
  const line = nativeAddon()?.surveyNewest(root);
  if (line === undefined) return undefined;
  const space = line.indexOf(" ");
  return { digest: line.slice(0, space), newestNs: BigInt(line.slice(space + 1)) };
}

/** The SHA-256 (hex) of `text`, as node:crypto gives it, without loading node:crypto; undefined without the addon. */
export function nativeSha256(text: string): string | undefined {
  return nativeAddon()?.sha256(text);
}
