import { readdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Workspace } from '../../src/core/workspace.js';
import { listFiles } from '../../src/core/files.js';
import { gitRepo, tempDir } from '../helpers/repo.js';

/** Moves every mtime (also inside .git) an hour back, so no stamp is "too fresh to trust". */
async function ageFolders(root: string): Promise<void> {
  const past = new Date(Date.now() - 3600_000);
  const visit = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) await visit(join(dir, entry.name));
      else await utimes(join(dir, entry.name), past, past);
    }
    await utimes(dir, past, past);
  };
  await visit(root);
}

describe('file listing cache', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => (dir = await tempDir()));
  afterEach(() => dir.cleanup());

  for (const kind of ['git', 'plain'] as const) {
    it(`reuses the listing until a folder, .gitignore or the index changes (${kind})`, async () => {
      const files = { 'src/a.ts': 'a\n', 'src/deep/b.ts': 'b\n', '.gitignore': '*.log\n' };
      if (kind === 'git') await gitRepo(dir.path, files);
      else for (const [path, content] of Object.entries(files)) await import('../helpers/repo.js').then((m) => m.writeFiles(dir.path, { [path]: content }));
      await ageFolders(dir.path);
      const workspace = await Workspace.open(dir.path);
      const first = await listFiles(workspace);
      const second = await listFiles(workspace);
      expect(second.version).toBe(first.version);

      await writeFile(join(dir.path, 'src', 'deep', 'new.ts'), 'new\n');
      const third = await listFiles(workspace);
      expect(third.version).not.toBe(second.version);
      expect(third.paths).toContain('src/deep/new.ts');

      await ageFolders(dir.path);
      await listFiles(workspace);
      const past = new Date(Date.now() - 7200_000);
      await writeFile(join(dir.path, '.gitignore'), '*.log\nsrc/deep/\n');
      await utimes(join(dir.path, '.gitignore'), past, past); // content changed, mtime differs from the stamp all the same
      const fourth = await listFiles(workspace);
      expect(fourth.paths).not.toContain('src/deep/new.ts'); // untracked, now ignored
      expect(fourth.version).not.toBe(third.version);
    });
  }
});
