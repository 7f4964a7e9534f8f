import { statSync } from 'node:fs';
import { UserError } from './errors.js';
import { runProcess } from './process.js';

/**
 * The one way Baton runs git: through the process wrapper (argv only, its own process group,
 * killed on timeout), so git obeys the same rules as every other child process.
 */

export interface GitOptions {
  /** Exit codes that are not failures (`git grep` answers 1 for "no match"). */
  okExitCodes?: readonly number[];
  /** Streams stdout in chunks instead of keeping it. */
  onStdout?: (chunk: string) => void;
  /** Streams stdout's raw bytes instead of keeping it (see RunOptions.onStdoutBytes). */
  onStdoutBytes?: (chunk: Buffer) => void;
  env?: Record<string, string> | undefined;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Runs git in `cwd`; an exit code outside `okExitCodes` is a UserError with git's reason (gitFailureReason). */
export async function git(cwd: string, args: readonly string[], options: GitOptions = {}): Promise<{ stdout: string; exitCode: number }> {
  const result = await runProcess('git', [...args], {
    cwd,
    timeoutMs: options.timeoutMs ?? 120_000,
    ...(options.env ? { env: options.env } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onStdoutBytes ? { onStdoutBytes: options.onStdoutBytes } : options.onStdout ? { onStdout: options.onStdout } : { keepStdout: true }),
  });
  const exitCode = result.exitCode ?? -1;
  if (!(options.okExitCodes ?? [0]).includes(exitCode)) {
    const reason = gitFailureReason(result.stderr) || (result.timedOut ? 'timed out' : `exit code ${exitCode}`);
    throw new UserError(`git ${args[0]} failed: ${reason}`);
  }
  return { stdout: result.stdout, exitCode };
}

/**
 * The line of git's stderr that says why it failed: its first `fatal:` or `error:` line, else its
 * first line. Warnings can come first: threads of `git grep` that fail at once print
 * "warning: die() called many times" before one of them prints its fatal line.
 */
export function gitFailureReason(stderr: string): string {
  const lines = stderr.trim().split('\n');
  return lines.find((line) => /^(fatal|error): /.test(line)) ?? lines[0] ?? '';
}

/** Per root: its repository's git folder (absolute), or undefined outside a git work tree. */
const repositoryCache = new Map<string, Promise<string | undefined>>();

/** One git call answers both questions a listing asks, so a fresh root costs one spawn, not two in a row. */
function repositoryOf(root: string): Promise<string | undefined> {
  let known = repositoryCache.get(root);
  if (!known) {
    known = git(root, ['rev-parse', '--is-inside-work-tree', '--absolute-git-dir'], { timeoutMs: 10_000 }).then(
      ({ stdout }) => {
        const [inside, folder] = stdout.split('\n');
        return inside === 'true' && folder ? folder : undefined;
      },
      () => undefined,
    );
    repositoryCache.set(root, known);
  }
  return known;
}

/** Whether `root` is inside a git work tree (false, too, when git itself is missing). */
export async function isGitRepository(root: string): Promise<boolean> {
  return (await repositoryOf(root)) !== undefined;
}

/** The absolute path of the repository's git folder (`.git`, or where a worktree keeps it). */
export async function gitDir(root: string): Promise<string> {
  const folder = await repositoryOf(root);
  if (folder === undefined) throw new UserError(`${root} is not inside a git work tree`);
  return folder;
}

/**
 * Whether `root` holds a repository whose index lists at most a few hundred files: its own
 * `.git` folder (not a worktree's `.git` file, not a parent's) with an index this small.
 * For such a repository, reading the files is quicker than starting another git process.
 */
export function hasSmallIndex(root: string): boolean {
  const size = statSync(`${root}/.git/index`, { throwIfNoEntry: false })?.size;
  return size !== undefined && size <= SMALL_INDEX_BYTES;
}
/** About 100 bytes per entry. */
const SMALL_INDEX_BYTES = 32 << 10;

export interface GitStatus {
  branch: string | null;
  head: string | null;
  dirty: boolean;
}

/** Branch (null when detached), short HEAD (null before the first commit) and whether anything changed. */
export async function gitStatus(root: string): Promise<GitStatus> {
  const { stdout } = await git(root, ['status', '--porcelain=v2', '--branch', '-z', '--untracked-files=normal'], { timeoutMs: 30_000 });
  let branch: string | null = null;
  let head: string | null = null;
  let dirty = false;
  for (const entry of stdout.split('\0')) {
    if (entry.startsWith('# branch.head ')) {
      const name = entry.slice('# branch.head '.length);
      branch = name === '(detached)' ? null : name;
    } else if (entry.startsWith('# branch.oid ')) {
      const oid = entry.slice('# branch.oid '.length);
      head = oid === '(initial)' ? null : oid.slice(0, 7);
    } else if (entry && !entry.startsWith('#')) {
      dirty = true;
    }
  }
  return { branch, head, dirty };
}
