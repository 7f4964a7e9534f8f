import { createHash } from 'node:crypto';
import { fitHead } from '../../core/budget.js';
import { UserError } from '../../core/errors.js';
import { git, isGitRepository } from '../../core/git.js';
import type { Workspace } from '../../core/workspace.js';
import { diffWorkTree } from './snapshot.js';

/**
 * `mode: "review"`: what is reviewed. By default the uncommitted changes (staged, unstaged and
 * untracked) against HEAD; with `base`, the work tree against the merge base of HEAD and that
 * ref, as `codex exec review --base` does.
 */
export interface ReviewTarget {
  /** The ref asked for, when one was. */
  base?: string;
  /** The commit the change is taken against (HEAD, or the merge base with `base`). */
  against: string;
  /** "the uncommitted changes against HEAD", "the changes against main (merge base 1a2b3c4)". */
  description: string;
  diff: string;
  /** A short hash of the diff, for the cache key. */
  diffHash: string;
}

export async function reviewTarget(workspace: Workspace, base: string | undefined): Promise<ReviewTarget> {
  if (!(await isGitRepository(workspace.root))) {
    throw new UserError(
      'review needs a git repository: the change is taken against a commit',
      'Run it in a git work tree, or use mode "task" and say what to review',
    );
  }
  let against: string;
  let description: string;
  if (base === undefined) {
    // Before the first commit everything is new: the change is taken against the empty tree.
    against = (await commitOf(workspace, 'HEAD')) ?? (await git(workspace.root, ['hash-object', '-t', 'tree', '/dev/null'])).stdout.trim();
    description = 'the uncommitted changes against HEAD';
  } else {
    const commit = await commitOf(workspace, refValue(base));
    if (!commit)
      throw new UserError(
        `base "${base}" is not a commit in this repository`,
        'Pass a branch, tag or commit (main, origin/main, HEAD~3), or leave base out to review the uncommitted changes',
      );
    const mergeBase = await git(workspace.root, ['merge-base', 'HEAD', commit], { okExitCodes: [0, 1] });
    against = mergeBase.stdout.trim();
    if (mergeBase.exitCode !== 0 || !against) throw new UserError(`HEAD and "${base}" have no common ancestor`, 'Pass a base that HEAD branched from');
    description = `the changes against ${base} (merge base ${against.slice(0, 7)})`;
  }
  const diff = await diffWorkTree(workspace, against);
  if (!diff.trim())
    throw new UserError(
      `nothing to review: no changes ${description.replace(/^the (uncommitted )?changes /, '')}`,
      'Make the change first, or pass base to review committed work (e.g. base "main")',
    );
  return { ...(base !== undefined ? { base } : {}), against, description, diff, diffHash: createHash('sha256').update(diff).digest('hex').slice(0, 16) };
}

/** A ref that git could read as an option is refused, not misread. */
export function refValue(ref: string): string {
  if (!ref.trim() || ref.startsWith('-') || /[\s\0]/.test(ref)) throw new UserError(`invalid git ref "${ref}"`, 'Pass a branch, tag or commit name');
  return ref;
}

async function commitOf(workspace: Workspace, ref: string): Promise<string | undefined> {
  const { stdout, exitCode } = await git(workspace.root, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], {
    okExitCodes: [0, 1, 128],
  });
  return exitCode === 0 ? stdout.trim() : undefined;
}

/** The first message of a review on the responses backend: what to review, and the diff (cut to a share of the window). */
export async function reviewPrompt(target: ReviewTarget, extra: string | undefined, diffTokens: number): Promise<{ prompt: string; cut: boolean }> {
  const diff = await fitHead(target.diff, diffTokens);
  const parts = [`Review ${target.description}.`];
  if (extra) parts.push(`Instructions from the requester: ${extra}`);
  if (diff.truncated) parts.push('The diff below was cut to fit; read the files it touches with repo_scan for the rest.');
  parts.push('', '```diff', diff.text.trimEnd(), '```');
  return { prompt: parts.join('\n'), cut: diff.truncated };
}

/**
 * What `codex exec review` is asked when there are extra instructions: its `--uncommitted` and
 * `--base` targets take no prompt (0.169.0), so the target is said in the prompt instead.
 */
export function codexReviewPrompt(target: ReviewTarget, extra: string): string {
  const what =
    target.base === undefined
      ? 'Review the current code changes: staged, unstaged and untracked files (`git status`, `git diff HEAD`).'
      : `Review the code changes against ${target.base}: their merge base is ${target.against}; \`git diff ${target.against}\` shows them.`;
  return `${what} Give prioritized, actionable findings.\n\n${extra}`;
}
