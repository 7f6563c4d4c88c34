// The refusals (and verify's findings) every driver words the same way, so users read one message
// whichever backend they use.
import { RegistryError } from "./driver.js";
import { addressOf, type Digest, type VerifyProblem, type VersionRecord } from "./types.js";

export function versionExists(address: string): RegistryError {
  return new RegistryError(
    "version-exists",
    `${address} already exists; a version, once created, never changes.`,
    "bump the version, or remove `version` from the manifest to auto-version",
  );
}

export function versionNotFound(address: string): RegistryError {
  return new RegistryError("not-found", `The registry has no version ${address}.`);
}

export function objectMissingFor(address: string, digest: Digest): RegistryError {
  return new RegistryError("object-missing", `${address} refers to object ${digest}, which the registry does not have; store objects before the version.`);
}

export function objectDigestMismatch(expected: Digest, actual: Digest): RegistryError {
  return new RegistryError(
    "object-digest-mismatch",
    `The bytes offered for ${expected} hash to ${actual}; nothing was stored.`,
    "the file changed after it was hashed: plan again",
  );
}

export function objectMissing(digest: Digest): RegistryError {
  return new RegistryError("object-missing", `The registry has no object ${digest}.`);
}

/** verify's finding for each object these records need that `present` says the store `where` lacks. */
export function missingObjects(records: readonly VersionRecord[], present: (digest: Digest) => boolean, where: string): VerifyProblem[] {
  const problems: VerifyProblem[] = [];
  for (const record of records) {
    // Records read back from storage may be damaged: what is not there needs nothing.
    for (const artifact of record.artifacts ?? []) {
      for (const file of artifact.files ?? []) {
        if (present(file.digest)) continue;
        const source = artifact.type === "file" ? artifact.source : `${artifact.source}/${file.path}`;
        const message = `${addressOf(record)} needs object ${file.digest} (${source}), which is missing from ${where}.`;
        problems.push({ code: "object-missing", message, subject: file.digest });
      }
    }
  }
  return problems;
}
