// A version as an OCI artifact, so any OCI tool can pull it by name and version (`oras pull
// HOST/NAMESPACE/model:mnist-3`): artifactType per kind, the normalized spec as the config blob, one
// layer per file titled with its path, provenance as annotations, in repository `<namespace>/<kind>`
// under the tag `<name>-<version>` (hashed when that is not a valid tag).
import { canonicalJson, sha256 } from "../../../digest.js";
import { addressOf, type Digest, type VersionRecord } from "../../types.js";

export const MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";
export const SPEC_TYPE = "application/vnd.assetctl.spec.v1+json";
export const FILE_TYPE = "application/vnd.assetctl.file.v1";
/** OCI 1.1's empty descriptor, the one layer of an artifact without files. */
export const EMPTY = { mediaType: "application/vnd.oci.empty.v1+json", digest: sha256("{}"), size: 2, data: Buffer.from("{}") } as const;

export const ANNOTATION = {
  title: "org.opencontainers.image.title",
  created: "org.opencontainers.image.created",
  version: "org.opencontainers.image.version",
  revision: "org.opencontainers.image.revision",
  source: "org.opencontainers.image.source",
  address: "vnd.assetctl.address",
  digest: "vnd.assetctl.digest",
} as const;

export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  annotations?: Record<string, string>;
}

export interface ArtifactManifest {
  schemaVersion: 2;
  mediaType: typeof MANIFEST_TYPE;
  artifactType: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations: Record<string, string>;
}

export function artifactType(kind: string): string {
  return `application/vnd.assetctl.${kind}.v1+json`;
}

/** The config blob: the normalized spec, canonical JSON so equal specs are one blob. */
export function specBlob(record: VersionRecord): Buffer {
  return Buffer.from(canonicalJson(record.spec));
}

const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** `<name>-<version>` when that is a valid tag; otherwise a valid prefix of it plus a hash of the address. */
export function primaryTag(name: string, version: string): string {
  const plain = `${name}-${version}`;
  return TAG.test(plain) ? plain : hashedTag(name, version);
}

/** Always valid, and distinct per (name, version): used when the plain tag is taken by another address. */
export function hashedTag(name: string, version: string): string {
  const base = `${name}-${version}`.replace(/[^A-Za-z0-9_.-]/g, "_").replace(/^[.-]/, "_").slice(0, 110);
  return `${base}-${sha256(`${name}:${version}`).slice("sha256:".length, "sha256:".length + 16)}`;
}

export function artifactManifest(record: VersionRecord, config: Descriptor): ArtifactManifest {
  const layers: Descriptor[] = [];
  for (const artifact of record.artifacts) {
    for (const file of artifact.files) {
      const title = artifact.type === "file" ? artifact.source : `${artifact.source}/${file.path}`;
      layers.push({
        mediaType: FILE_TYPE,
        digest: file.digest,
        size: file.size,
        annotations: { [ANNOTATION.title]: title, "vnd.assetctl.mode": file.mode.toString(8).padStart(4, "0"), "vnd.assetctl.pointer": artifact.pointer },
      });
    }
  }
  if (layers.length === 0) layers.push({ mediaType: EMPTY.mediaType, digest: EMPTY.digest, size: EMPTY.size });
  const p = record.provenance;
  const annotations: Record<string, string> = {
    [ANNOTATION.created]: record.created_at,
    [ANNOTATION.version]: record.version,
    [ANNOTATION.address]: addressOf(record),
    [ANNOTATION.digest]: record.digest,
    "vnd.assetctl.kind": record.kind,
    "vnd.assetctl.name": record.name,
    "vnd.assetctl.anonymous": String(record.anonymous),
    "vnd.assetctl.dependencies": JSON.stringify(record.dependencies),
    "vnd.assetctl.manifest": p.manifest,
    "vnd.assetctl.dirty": String(p.dirty),
    "vnd.assetctl.tool-version": p.tool_version,
  };
  if (p.commit !== null) annotations[ANNOTATION.revision] = p.commit;
  if (p.remote !== null) annotations[ANNOTATION.source] = p.remote;
  if (p.branch !== null) annotations["vnd.assetctl.branch"] = p.branch;
  if (p.ref !== null) annotations["vnd.assetctl.ref"] = p.ref;
  return { schemaVersion: 2, mediaType: MANIFEST_TYPE, artifactType: artifactType(record.kind), config, layers, annotations };
}
