import { utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { describe, expect, it } from 'vitest';
import { Workspace } from '../../src/core/workspace.js';
import { diffWorkTree, takeSnapshot } from '../../src/tools/delegate-to-codex/snapshot.js';
import { gitRepo, tempDir } from '../helpers/repo.js';

describe('the work tree as git sees it (delegation snapshots, review diffs)', () => {
  it('sees a change of the same size made in the same second as the index (a racily clean entry)', async () => {
    const dir = await tempDir();
    try {
      const root = join(dir.path, 'repo');
      await gitRepo(root, { 'add.js': 'export const add = (a, b) => a + b;\n' });
      // The index records the file with an old mtime and is itself dated then: the entry is racily
      // clean, so git must compare contents, not stat data, for it. ctime cannot be set back, so git
      // is told to go by mtime and size alone (as it does when a rewrite falls in the commit's second).
      const git = simpleGit(root);
      await git.addConfig('core.trustctime', 'false');
      const file = join(root, 'add.js');
      const then = new Date('2020-01-01T00:00:00Z');
      await utimes(file, then, then);
      await git.raw(['update-index', '--refresh']);
      // The same size and mtime as recorded: only the contents tell the change apart.
      await writeFile(file, 'export const add = (a, b) => a - b;\n');
      await utimes(file, then, then);
      await utimes(join(root, '.git', 'index'), then, then);
      expect(await git.raw(['diff', '--name-only'])).toBe('add.js\n'); // git itself sees it
      const workspace = await Workspace.open(root);
      expect(await diffWorkTree(workspace, 'HEAD')).toContain('-export const add = (a, b) => a + b;\n+export const add = (a, b) => a - b;');
      const snapshot = await takeSnapshot(workspace);
      await writeFile(file, 'export const add = (a, b) => a * b;\n');
      expect((await snapshot.diff()).diff).toContain('-export const add = (a, b) => a - b;\n+export const add = (a, b) => a * b;');
      await snapshot.dispose();
    } finally {
      await dir.cleanup();
    }
  });
});
