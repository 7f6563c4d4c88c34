// Where the credentials for an OCI registry come from: ASSETCTL_OCI_USERNAME/ASSETCTL_OCI_PASSWORD,
// else what `docker login` left in ~/.docker/config.json (or $DOCKER_CONFIG): an `auths` entry, or a
// credential helper (`credHelpers`, `credsStore`). Never from the repository, never printed.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

export type Credentials = { kind: "basic"; username: string; password: string } | { kind: "identity-token"; token: string };

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

export async function credentialsFor(host: string, env: NodeJS.ProcessEnv = process.env): Promise<Credentials | undefined> {
  const username = env["ASSETCTL_OCI_USERNAME"];
  const password = env["ASSETCTL_OCI_PASSWORD"];
  if (username && password) return { kind: "basic", username, password };
  const config = await readDockerConfig(env);
  if (config === undefined) return undefined;
  const helper = config.credHelpers?.[host] ?? config.credsStore;
  const fromAuths = fromAuthsEntry(config, host);
  if (fromAuths !== undefined) return fromAuths;
  return helper === undefined ? undefined : fromHelper(helper, host);
}

async function readDockerConfig(env: NodeJS.ProcessEnv): Promise<DockerConfig | undefined> {
  const dir = env["DOCKER_CONFIG"] ?? path.join(env["HOME"] ?? os.homedir(), ".docker");
  try {
    return JSON.parse(await readFile(path.join(dir, "config.json"), "utf8")) as DockerConfig;
  } catch {
    return undefined;
  }
}

function fromAuthsEntry(config: DockerConfig, host: string): Credentials | undefined {
  const auths = config.auths ?? {};
  // docker writes keys as `host`, `https://host` or (Docker Hub) `https://host/v1/`.
  const key = Object.keys(auths).find((k) => k.replace(/^https?:\/\//, "").replace(/\/.*$/, "") === host);
  const entry = key === undefined ? undefined : auths[key];
  if (entry === undefined) return undefined;
  if (entry.identitytoken) return { kind: "identity-token", token: entry.identitytoken };
  if (entry.username && entry.password) return { kind: "basic", username: entry.username, password: entry.password };
  if (entry.auth) {
    const decoded = Buffer.from(entry.auth, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon > 0) return { kind: "basic", username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  return undefined;
}

/** `docker-credential-<helper> get`, host on stdin, JSON {Username, Secret} out; `<token>` marks an identity token. */
function fromHelper(helper: string, host: string): Promise<Credentials | undefined> {
  return new Promise((resolve) => {
    const child = execFile(`docker-credential-${helper}`, ["get"], { timeout: 15_000 }, (error, stdout) => {
      if (error) return resolve(undefined);
      try {
        const { Username, Secret } = JSON.parse(stdout) as { Username?: string; Secret?: string };
        if (!Secret) return resolve(undefined);
        resolve(Username === "<token>" ? { kind: "identity-token", token: Secret } : { kind: "basic", username: Username ?? "", password: Secret });
      } catch {
        resolve(undefined);
      }
    });
    child.stdin?.end(host);
  });
}
