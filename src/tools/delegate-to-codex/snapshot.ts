import { copyFile, mkdir, mkdtemp, readFile, rm, stat, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isBinary, listFiles, unifiedDiff } from '../../core/files.js';
import { git as runGit, gitDir as gitDirOf, isGitRepository } from '../../core/git.js';
import type { Workspace } from '../../core/workspace.js';

/**
 * What the workspace looked like before a delegation, so its diff can be taken afterwards
 * whoever made the changes (Baton's own loop or the Codex CLI), in git and non-git
 * workspaces alike.
 *
 * In git, the work tree is written as a tree object through a temporary index and object
 * folder of Baton's own (the repository's objects are read, never added to): git then
 * diffs two trees exactly, renames included. Elsewhere, the text files are kept in memory.
 */
export interface Snapshot {
  diff(): Promise<{ diff: string; files: Array<{ path: string; kind: string }> }>;
  dispose(): Promise<void>;
}

const MAX_FILE_BYTES = 1 << 20;

export async function takeSnapshot(workspace: Workspace): Promise<Snapshot> {
  return (await isGitRepository(workspace.root)) ? gitSnapshot(workspace) : memorySnapshot(workspace);
}

/**
 * Trees of the work tree, written through a temporary index and object folder of Baton's own:
 * the repository's objects are read (as alternates), never added to, and its index is untouched.
 */
async function workTrees(workspace: Workspace) {
  const temp = await mkdtemp(join(tmpdir(), 'baton-snapshot-'));
  await mkdir(join(temp, 'objects')); // git refuses an object directory that does not exist
  const gitDir = await gitDirOf(workspace.root);
  const git = async (args: string[], index: string): Promise<string> => {
    const env = { GIT_INDEX_FILE: join(temp, index), GIT_OBJECT_DIRECTORY: join(temp, 'objects'), GIT_ALTERNATE_OBJECT_DIRECTORIES: join(gitDir, 'objects') };
    return (await runGit(workspace.root, args, { env, timeoutMs: 300_000 })).stdout;
  };
  return {
    git,
    /** The work tree as it is now (tracked and untracked files, ignored ones left out), as a tree id. */
    async writeTree(index: string): Promise<string> {
      // Starting from the real index, git re-hashes only the files whose stat data changed. The
      // copy keeps the index's own timestamps: git compares an entry's contents, not its stat
      // data, when the entry is as new as the index (a file rewritten at the same size in the
      // second it was staged), and a copy dated now would hide such a change.
      await copyIndex(join(gitDir, 'index'), join(temp, index));
      await git(['add', '-A', '--', '.'], index);
      return (await git(['write-tree'], index)).trim();
    },
    dispose: () => rm(temp, { recursive: true, force: true }),
  };
}

async function copyIndex(from: string, to: string): Promise<void> {
  try {
    const { atime, mtime } = await stat(from);
    await copyFile(from, to);
    await utimes(to, atime, mtime);
  } catch {
    // No index yet (a repository without commits): git builds one from the work tree.
  }
}

async function gitSnapshot(workspace: Workspace): Promise<Snapshot> {
  const trees = await workTrees(workspace);
  const before = await trees.writeTree('before.index');
  return {
    async diff() {
      const after = await trees.writeTree('after.index');
      const diff = await trees.git(['diff', '--no-color', '--no-ext-diff', '-M', before, after, '--', '.'], 'after.index');
      const status = await trees.git(['diff', '--no-color', '--name-status', '-z', '-M', before, after, '--', '.'], 'after.index');
      return { diff, files: parseNameStatus(status) };
    },
    dispose: trees.dispose,
  };
}

/**
 * The work tree (staged, unstaged and untracked changes alike) against a commit or tree: what a
 * review looks at. Needs a git repository.
 */
export async function diffWorkTree(workspace: Workspace, against: string): Promise<string> {
  const trees = await workTrees(workspace);
  try {
    const now = await trees.writeTree('review.index');
    return await trees.git(['diff', '--no-color', '--no-ext-diff', '-M', against, now, '--', '.'], 'review.index');
  } finally {
    await trees.dispose();
  }
}

const KINDS: Record<string, string> = { A: 'add', M: 'update', D: 'delete', R: 'move', C: 'add', T: 'update' };

function parseNameStatus(output: string): Array<{ path: string; kind: string }> {
  const fields = output.split('\0').filter(Boolean);
  const files: Array<{ path: string; kind: string }> = [];
  for (let i = 0; i < fields.length; ) {
    const status = fields[i++]!;
    const letter = status[0]!;
    if (letter === 'R' || letter === 'C') {
      i++; // the old path
      files.push({ path: fields[i++]!, kind: KINDS[letter]! });
    } else files.push({ path: fields[i++]!, kind: KINDS[letter] ?? 'update' });
  }
  return files;
}

async function memorySnapshot(workspace: Workspace): Promise<Snapshot> {
  const read = async (): Promise<Map<string, string>> => {
    const contents = new Map<string, string>();
    for (const path of (await listFiles(workspace)).paths) {
      const content = await readFile(join(workspace.root, path)).catch(() => undefined);
      if (content && content.length <= MAX_FILE_BYTES && !isBinary(content)) contents.set(path, content.toString('utf8'));
    }
    return contents;
  };
  const before = await read();
  return {
    async diff() {
      const after = await read();
      const paths = [...new Set([...before.keys(), ...after.keys()])].sort();
      const files: Array<{ path: string; kind: string }> = [];
      const parts: string[] = [];
      for (const path of paths) {
        const old = before.get(path);
        const now = after.get(path);
        if (old === now) continue;
        files.push({ path, kind: old === undefined ? 'add' : now === undefined ? 'delete' : 'update' });
        parts.push(unifiedDiff({ before: old === undefined ? undefined : path, after: now === undefined ? undefined : path }, old ?? '', now ?? ''));
      }
      return { diff: parts.join(''), files };
    },
    dispose: async () => {},
  };
}
