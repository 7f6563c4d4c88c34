import { describe, expect, it } from "vitest";
import { appliedBy, appliedByText } from "./identity.js";

const laptop = () => ({ user: "alice", host: "laptop" });

describe("appliedBy", () => {
  it("names the CI actor when a CI system runs the apply", () => {
    expect(appliedBy({ GITHUB_ACTIONS: "true", GITHUB_ACTOR: "octocat" }, laptop)).toEqual({ user: "octocat", via: "github-actions" });
    expect(appliedBy({ GITLAB_CI: "true", GITLAB_USER_LOGIN: "gl-user" }, laptop)).toEqual({ user: "gl-user", via: "gitlab-ci" });
    expect(appliedBy({ TF_BUILD: "True", BUILD_REQUESTEDFOR: "Ada Lovelace" }, laptop)).toEqual({ user: "Ada Lovelace", via: "azure-pipelines" });
  });

  it("is the OS user on this host otherwise, marked as CI when CI says so; an actor without its CI is not believed", () => {
    expect(appliedBy({}, laptop)).toEqual({ user: "alice@laptop", via: "os" });
    expect(appliedBy({ GITHUB_ACTOR: "octocat" }, laptop)).toEqual({ user: "alice@laptop", via: "os" });
    expect(appliedBy({ CI: "true" }, laptop)).toEqual({ user: "alice@laptop", via: "ci" });
  });

  it("reads as people say it", () => {
    expect(appliedByText({ user: "octocat", via: "github-actions" })).toBe("octocat (GitHub Actions)");
    expect(appliedByText({ user: "alice@laptop", via: "os" })).toBe("alice@laptop");
  });
});
