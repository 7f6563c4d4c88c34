// A plan's answer kept whole — what it printed, and its exit code — with what vouches that the same
// command, run again, would print the same: the invocation (arguments, folder, environment, terminals),
// assetctl's code, the tree's survey, git's stamp and the registry's witness files. The executable
// replays it before it loads the CLI (cli/replay.ts): a plan of nothing changed then costs the checks
// alone, a few thousand lstat calls, instead of loading the CLI and its modules as well.
//
// It is kept only where the plan memo vouches for the plan (plan-memo.ts: the same inputs, no racy file)
// and, beside it, for what printing read: git's stamp trusted, the registry's witness files older than the
// filesystem's clock. Anything that does not check out runs the CLI, which answers in full.
import { readFileSync, realpathSync } from "node:fs";
import path from "node:path";
import { writeFileAtomically } from "../atomic-write.js";
import { fingerprintText } from "../code-fingerprint.js";
import { gitStampText } from "../source/git-stamp.js";
import { cacheFolder, rootWithoutGit } from "../source/root-folder.js";
import { statsText } from "../source/stat-key.js";

const FORMAT = 2;
const FILE_NAME = "answer.json";
/** Variables that differ from one prompt to the next of the same shell, and that no command reads. */
const VOLATILE = new Set(["_", "OLDPWD"]);

/** What the plan command vouches for, once its plan is one the memo would reuse. */
export interface AnswerBasis {
  root: string;
  /** The digest of the tree's survey, taken before anything was read. */
  survey: string;
  /** The digest of git's stamp (its text holds the GIT_ variables: never written out), trusted: older than the filesystem's clock. */
  git: string;
  /** The registry's witness files (RegistryDriver.stateWitness), read before its token. */
  witness: Witness;
}

export interface Witness {
  paths: string[];
  text: string;
  /** The newest mtime or ctime among them, ns. */
  newestNs: bigint;
}

interface AnswerRecord {
  format: number;
  /** The digest of invocationOf's text: the environment holds credentials, never written out as they are. */
  invocation: string;
  root: string;
  /** assetctl's code that made the answer: the folder codeFingerprint covers, and its fingerprint's text. */
  code: { folder: string; text: string };
  survey: string;
  git: string;
  witness: { paths: string[]; text: string };
  /** What was printed, in order: 1 stdout, 2 stderr. */
  output: [1 | 2, string][];
  exitCode: number;
}

/** Where the process's own stdout and stderr are, as far as how a command prints depends on it. */
export interface Terminals {
  stdout: { isTTY?: boolean; columns?: number };
  stderr: { isTTY?: boolean; columns?: number };
}

/** Everything of this process that decides what a command prints, besides the files it reads. */
export function invocationOf(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv, terminals: Terminals): string {
  const variables = Object.entries(env)
    .filter(([name]) => !VOLATILE.has(name))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const terminal = (stream: Terminals["stdout"]): unknown => (stream.isTTY === true ? stream.columns ?? 0 : null);
  return JSON.stringify({ args, cwd, variables, stdout: terminal(terminals.stdout), stderr: terminal(terminals.stderr) });
}

/** The stats of `paths` (absent ones too), as a text equal while none of them changes. */
export function witnessOf(paths: readonly string[]): Witness {
  return { paths: [...paths], ...statsText(paths) };
}

function answerFile(root: string): string {
  return path.join(cacheFolder(root), FILE_NAME);
}

/** An Io's printing, recorded for keepAnswer. */
export class AnswerRecorder {
  readonly output: [1 | 2, string][] = [];
  basis: AnswerBasis | undefined;

  record(fd: 1 | 2, text: string): void {
    this.output.push([fd, text]);
  }

  vouch(basis: AnswerBasis): void {
    this.basis = basis;
  }

  /**
   * Keeps the answer, when the command vouched for it. `invocation`: the digest of invocationOf's text;
   * `code`: assetctl's code that made it.
   */
  async keep(invocation: string, code: { folder: string; text: string }, exitCode: number): Promise<void> {
    const basis = this.basis;
    if (basis === undefined) return;
    const record: AnswerRecord = {
      format: FORMAT,
      invocation,
      root: basis.root,
      code,
      survey: basis.survey,
      git: basis.git,
      witness: { paths: basis.witness.paths, text: basis.witness.text },
      output: this.output,
      exitCode,
    };
    await writeFileAtomically(answerFile(basis.root), JSON.stringify(record));
  }
}

/** The folder `--dir` names, read as the CLI's parseArgs reads it (the last one given). */
function dirFlag(args: readonly string[]): string | undefined {
  let dir: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    if (arg === "--") break;
    if (arg === "--dir") dir = args[++i];
    else if (arg.startsWith("--dir=")) dir = arg.slice("--dir=".length);
  }
  return dir;
}

/**
 * Prints the kept answer of this invocation and returns its exit code, when everything that vouched for
 * it is unchanged; else undefined, having printed nothing. `survey`: the tree's survey digest, as
 * WorkTree.survey gives it; `sha256`: a text's digest. The cheap checks come first, the survey of the
 * whole tree last.
 */
export async function replayAnswer(
  args: readonly string[],
  context: { cwd: string; env: NodeJS.ProcessEnv; terminals: Terminals; survey: (root: string) => string | Promise<string>; sha256: (text: string) => string },
  print: (fd: 1 | 2, text: string) => void,
): Promise<number | undefined> {
  const dir = dirFlag(args);
  let root: string | undefined;
  try {
    root = dir !== undefined ? path.resolve(context.cwd, dir) : rootWithoutGit(realpathSync(context.cwd), context.env);
  } catch {
    return undefined;
  }
  if (root === undefined) return undefined;
  let record: AnswerRecord;
  try {
    record = JSON.parse(readFileSync(answerFile(root), "utf8")) as AnswerRecord;
  } catch {
    return undefined; // none kept, or torn: it is only a cache
  }
  if (record?.format !== FORMAT || record.root !== root || !printable(record)) return undefined;
  if (record.invocation !== context.sha256(invocationOf(args, context.cwd, context.env, context.terminals))) return undefined;
  if (witnessOf(record.witness.paths).text !== record.witness.text) return undefined;
  const stamp = gitStampText(root, context.env);
  if (stamp === undefined || context.sha256(stamp.text) !== record.git) return undefined;
  if (fingerprintText(record.code.folder) !== record.code.text) return undefined;
  if ((await context.survey(root)) !== record.survey) return undefined;
  for (const [fd, text] of record.output) print(fd, text);
  return record.exitCode;
}

/** Whether what a record would print and exit with is whole: checked before a byte is printed. */
function printable(record: AnswerRecord): boolean {
  return (
    Number.isInteger(record.exitCode) &&
    Array.isArray(record.output) &&
    record.output.every((item) => Array.isArray(item) && (item[0] === 1 || item[0] === 2) && typeof item[1] === "string")
  );
}
