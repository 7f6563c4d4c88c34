// The ways a local path a manifest names can fail to be hashed; desired.ts turns each into a located
// diagnostic with the code as its stable identifier.

export type ArtifactErrorCode =
  | "artifact-missing"
  | "artifact-escapes-repo"
  | "artifact-symlink-loop"
  | "artifact-unreadable"
  /** The file's size moved while it was read: its digest would describe bytes that were never the file. */
  | "artifact-changed"
  | "artifact-not-file-or-folder";

export class ArtifactError extends Error {
  constructor(
    readonly code: ArtifactErrorCode,
    /** The artifact (repository-relative path as named) the problem was met in. */
    readonly relPath: string,
    message: string,
  ) {
    super(message);
    this.name = "ArtifactError";
  }
}
