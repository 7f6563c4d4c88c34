// Pushing one blob: a single PUT for small ones, chunks (POST → PATCH… → PUT ?digest=) for large ones,
// resumed from the offset the registry reports when a chunk is cut off (or, when the registry drops a
// session whose chunk was cut, as docker-registry does, started over in a new session). Bytes are hashed as they are
// read, and the upload is only committed (the final PUT) when they hash to the digest claimed, so a
// file that changed since it was hashed stores nothing. The registry's digest is checked too. Progress
// counts a chunk once the registry has taken it, and bytes sent again (a new session) only once.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { ObjectSource } from "../../driver.js";
import { objectDigestMismatch } from "../../errors.js";
import { RegistryError } from "../../driver.js";
import { openRegularFile, sourceChanged } from "../../object-digest.js";
import type { Digest } from "../../types.js";
import { headerOf, unexpected, unreachable, type OciHttp, type OciResponse } from "./http.js";

const OCTETS = { "content-type": "application/octet-stream" };

export async function uploadBlob(
  client: OciHttp,
  repository: string,
  digest: Digest,
  source: ObjectSource,
  chunkSize: number,
  onBytes?: (bytes: number) => void,
): Promise<void> {
  const doing = `upload ${digest}`;
  if (source.kind === "bytes" || source.size <= chunkSize) {
    // Small: hashed whole before anything is sent, so a mismatch sends nothing at all.
    const data = source.kind === "bytes" ? source.data : await readFile(source.path);
    const actual: Digest = `sha256:${createHash("sha256").update(data).digest("hex")}`;
    if (actual !== digest) throw objectDigestMismatch(digest, actual);
    const location = await startUpload(client, repository, doing);
    await commit(client, location, digest, data, doing);
    onBytes?.(data.length);
    return;
  }
  await uploadChunked({ client, repository, digest, file: source, chunkSize, doing }, onBytes);
}

async function startUpload(client: OciHttp, repository: string, doing: string): Promise<URL> {
  const response = await client.request({ method: "POST", target: `/v2/${repository}/blobs/uploads/`, doing });
  if (response.status !== 202) throw unexpected(client.location.display, doing, response);
  return nextLocation(client, response, doing);
}

function nextLocation(client: OciHttp, response: OciResponse, doing: string): URL {
  const location = headerOf(response.headers, "location");
  if (location === undefined) throw unexpected(client.location.display, `${doing} (no upload location given)`, response);
  return new URL(location, client.location.base);
}

async function commit(client: OciHttp, location: URL, digest: Digest, body: Buffer | undefined, doing: string): Promise<void> {
  const url = new URL(location);
  url.searchParams.set("digest", digest);
  const response = await client.request({ method: "PUT", target: url, doing, headers: OCTETS, ...(body === undefined ? {} : { body }) });
  if (response.status !== 201) throw unexpected(client.location.display, doing, response);
  const stored = headerOf(response.headers, "docker-content-digest");
  if (stored !== undefined && stored !== digest) {
    throw new RegistryError("corrupt", `The OCI registry ${client.location.display} stored ${digest} under the digest ${stored}.`);
  }
}

/** One blob to upload in chunks: where to, which file, and how it is described in errors. */
interface ChunkedUpload {
  client: OciHttp;
  repository: string;
  digest: Digest;
  file: { path: string; size: number };
  chunkSize: number;
  doing: string;
}

async function uploadChunked(upload: ChunkedUpload, onBytes: ((bytes: number) => void) | undefined): Promise<void> {
  // The furthest offset any session has reached: a session started over counts only what goes beyond.
  let counted = 0;
  const sent = (offset: number): void => {
    if (offset <= counted) return;
    onBytes?.(offset - counted);
    counted = offset;
  };
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await uploadChunkedOnce(upload, sent);
    } catch (error) {
      // A session the registry will not resume (docker-registry refuses one whose chunk was cut off):
      // start over in a new session, a couple of times, before giving up.
      if (!(error instanceof SessionLost) || attempt >= 2) throw error instanceof SessionLost ? error.cause : error;
    }
  }
}

/** The registry dropped the upload session itself; the upload can start over in a new one. */
class SessionLost extends Error {
  constructor(override readonly cause: RegistryError) {
    super(cause.message);
  }
}

async function uploadChunkedOnce({ client, repository, digest, file, chunkSize, doing }: ChunkedUpload, sent: (offset: number) => void): Promise<void> {
  const hash = createHash("sha256");
  const handle = await openRegularFile(file.path);
  let location = await startUpload(client, repository, doing);
  let offset = 0;
  try {
    // Up to the planned size and one byte past it: a file that ends early or grew stops the upload there.
    while (offset <= file.size) {
      const buffer = Buffer.allocUnsafe(chunkSize);
      const { bytesRead } = await handle.read(buffer, 0, Math.min(chunkSize, file.size + 1 - offset), offset);
      if (bytesRead === 0) break;
      if (offset + bytesRead > file.size) throw sourceChanged(file.path, `grew past the ${file.size} bytes planned`);
      const chunk = buffer.subarray(0, bytesRead);
      hash.update(chunk);
      location = await sendChunk(client, location, chunk, offset, doing);
      offset += bytesRead;
      sent(offset);
    }
    if (offset < file.size) throw sourceChanged(file.path, `ended after ${offset} of the ${file.size} bytes planned`);
  } catch (error) {
    await cancel(client, location);
    if (error instanceof SessionLost) throw error;
    if (error instanceof RegistryError && error.code !== "object-digest-mismatch") {
      throw new RegistryError(error.code, `${error.message} ${offset} of the file's bytes had been sent; nothing was stored.`, error.hint);
    }
    throw error;
  } finally {
    await handle.close();
  }
  const actual: Digest = `sha256:${hash.digest("hex")}`;
  if (actual !== digest) {
    await cancel(client, location);
    throw objectDigestMismatch(digest, actual);
  }
  await commit(client, location, digest, undefined, doing);
}

/**
 * Sends one chunk. When the connection drops mid-chunk, asks the registry how much it has (GET on the
 * upload: `Range: 0-N`) and sends the rest of the chunk from there, a few times before giving up.
 */
async function sendChunk(client: OciHttp, location: URL, chunk: Buffer, offset: number, doing: string): Promise<URL> {
  let start = offset;
  let current = location;
  for (let attempt = 0; ; attempt += 1) {
    const body = chunk.subarray(start - offset);
    try {
      const response = await client.request({
        method: "PATCH",
        target: current,
        doing,
        retry: false,
        headers: { ...OCTETS, "content-range": `${start}-${start + body.length - 1}` },
        body,
      });
      if (response.status === 202) return nextLocation(client, response, doing);
      throw unexpected(client.location.display, doing, response);
    } catch (error) {
      if (attempt >= 2) throw error instanceof RegistryError ? error : unreachable(client.location.display, doing, error);
      const status = await client.request({ method: "GET", target: current, doing: `resume ${doing}` });
      if (status.status === 404) throw new SessionLost(unexpected(client.location.display, `resume ${doing}`, status));
      if (status.status !== 204) throw unexpected(client.location.display, `resume ${doing}`, status);
      const range = /^(?:bytes=)?0-(\d+)$/.exec(headerOf(status.headers, "range") ?? "");
      const received = range ? Number(range[1]) + 1 : 0;
      if (received < offset || received > offset + chunk.length) throw unexpected(client.location.display, `resume ${doing}`, status);
      if (received === offset + chunk.length) return nextLocation(client, status, doing);
      start = received;
      current = nextLocation(client, status, doing);
    }
  }
}

/** Abandons an upload session (best effort): nothing of it was stored, and the registry reclaims it. */
async function cancel(client: OciHttp, location: URL): Promise<void> {
  await client.request({ method: "DELETE", target: location, doing: "cancel an upload", retry: false }).catch(() => {});
}
