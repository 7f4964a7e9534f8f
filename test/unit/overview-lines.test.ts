import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasSmallIndex } from '../../src/core/git.js';
import { Workspace } from '../../src/core/workspace.js';
import { overview } from '../../src/tools/repo-scan/overview.js';
import { gitRepo, tempDir, writeFiles } from '../helpers/repo.js';

/**
 * A small repository's lines are counted by reading its files, a larger one's by `git grep`:
 * both must give the same numbers, on the files that tell them apart (no final newline, CRLF,
 * empty, binary).
 */
const FILES = {
  'src/a.ts': 'export const a = 1;\nexport const b = 2;\n',
  'src/b.py': 'def f():\n    return 1',
  'src/empty.js': '',
  'src/crlf.rs': 'fn main() {\r\n}\r\n',
  'src/blob.js': 'var x = 1;\0\n\n\n',
  'cmd/x.go': 'package main\n\nfunc main() {}\n',
};

describe('overview line counts', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(() => dir.cleanup());

  it('are the same read here (small repository) as counted by git grep (larger one)', async () => {
    const root = join(dir.path, 'repo');
    await gitRepo(root, FILES);
    expect(hasSmallIndex(root)).toBe(true);
    const small = await overview(await Workspace.open(root));
    // Past SMALL_REPOSITORY_FILES listed files git grep counts; the padding is text of no language above.
    await writeFiles(root, Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`pad/${i}.txt`, 'pad\n'])));
    const large = await overview(await Workspace.open(root));
    const byName = (stats: typeof small.languages) => Object.fromEntries(stats.filter((s) => s.name !== 'Text').map((s) => [s.name, s]));
    expect(byName(large.languages)).toEqual(byName(small.languages));
    expect(byName(small.languages)).toMatchObject({
      TypeScript: { files: 1, lines: 2 },
      Python: { files: 1, lines: 2 },
      Rust: { files: 1, lines: 2 },
      Go: { files: 1, lines: 3 },
      JavaScript: { files: 2, lines: 0 },
    });
  });

  it('takes a parent repository or a worktree for a large one (git grep counts)', async () => {
    const root = join(dir.path, 'parent');
    await gitRepo(root, FILES);
    expect(hasSmallIndex(join(root, 'src'))).toBe(false);
  });
});
