// The domain's shared types, imported by every layer: types only, no runtime code, no imports of a layer.
// (AssetKind and ManifestKind still live in manifest/types.ts, imported as types by registry/ and plan/.)

/** A content address: `sha256:` and 64 lowercase hex digits. */
export type Digest = `sha256:${string}`;
