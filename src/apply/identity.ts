// Who is applying, as provenance records it: the actor a CI system names (GitHub Actions, GitLab CI,
// Azure Pipelines) when one runs the apply, else the operating system's user on this host.
import os from "node:os";
import type { AppliedBy } from "../registry/types.js";

/** The CI systems whose variables name the person behind a run: [via, the variable saying it runs, the actor's variable]. */
const CI_ACTORS: readonly [AppliedBy["via"], string, string][] = [
  ["github-actions", "GITHUB_ACTIONS", "GITHUB_ACTOR"],
  ["gitlab-ci", "GITLAB_CI", "GITLAB_USER_LOGIN"],
  ["azure-pipelines", "TF_BUILD", "BUILD_REQUESTEDFOR"],
];

/** Who applies, from the environment; `local` (this host's user and name) is asked only when no CI names an actor. */
export function appliedBy(env: NodeJS.ProcessEnv, local: () => { user: string; host: string } = localUser): AppliedBy {
  for (const [via, running, actor] of CI_ACTORS) {
    const user = env[actor];
    if (env[running] && user) return { user, via };
  }
  const { user, host } = local();
  return { user: `${user}@${host}`, via: env["CI"] ? "ci" : "os" };
}

/** As people read it: `octocat (GitHub Actions)`, `alice@laptop`. */
export function appliedByText(by: AppliedBy): string {
  const label: Record<AppliedBy["via"], string> = { "github-actions": " (GitHub Actions)", "gitlab-ci": " (GitLab CI)", "azure-pipelines": " (Azure Pipelines)", ci: " (CI)", os: "" };
  return `${by.user}${label[by.via]}`;
}

/** The OS user and host; a container without a passwd entry for its uid falls back to `$USER`. */
export function localUser(): { user: string; host: string } {
  let user: string;
  try {
    user = os.userInfo().username;
  } catch {
    user = process.env["USER"] ?? process.env["USERNAME"] ?? "unknown";
  }
  return { user, host: os.hostname() };
}

/** How a lock names its holder: `user@host`. */
export function lockOwner(): string {
  const { user, host } = localUser();
  return `${user}@${host}`;
}
