import { readdir, readFile, rename, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WorkspaceState } from '../../src/core/state.js';
import { Workspace } from '../../src/core/workspace.js';
import { applyTestHooks } from '../../src/tools/apply-patch/apply.js';
import { applyPatch } from '../../src/tools/apply-patch/patch.js';
import { ApplyPatchInput } from '../../src/tools/apply-patch/schema.js';
import { gitStyleDiff } from '../helpers/patch.js';
import { tempDir, writeFiles } from '../helpers/repo.js';

describe('apply-patch safety', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let services: { workspace: Workspace; state: WorkspaceState };
  let ws: string;
  let outside: string;
  const apply = (input: Partial<ApplyPatchInput>) => applyPatch(ApplyPatchInput.parse(input), services);
  const modeOf = async (path: string) => (await stat(join(ws, path))).mode & 0o7777;

  beforeEach(async () => {
    dir = await tempDir();
    ws = join(dir.path, 'ws');
    outside = join(dir.path, 'outside');
    await writeFiles(ws, {
      'src/a.ts': 'export const a = 1;\n',
      'src/b.ts': 'export const b = 1;\n',
      'lib/a.ts': 'export const a = 1;\n',
      '.git/hooks/README': 'hooks\n',
    });
    await writeFiles(outside, { 'b.ts': 'export const b = 1;\n' });
    const workspace = await Workspace.open(ws);
    services = { workspace, state: await WorkspaceState.open(join(dir.path, 'state'), workspace.root) };
  });
  afterEach(async () => {
    delete applyTestHooks.beforeWrites;
    await dir.cleanup();
  });

  const newFile = (path: string, mode: string) =>
    `diff --git a/${path} b/${path}\nnew file mode ${mode}\n--- /dev/null\n+++ b/${path}\n@@ -0,0 +1 @@\n+echo ${mode}\n`;
  const modeChange = (path: string, from: string, to: string) => `diff --git a/${path} b/${path}\nold mode ${from}\nnew mode ${to}\n`;

  it('takes modes from a patch as git apply does: 0755 when the owner may execute, else 0644', async () => {
    const result = await apply({
      patch:
        [newFile('suid.sh', '104777'), newFile('open.sh', '100777'), newFile('group.txt', '100664'), newFile('sticky.sh', '101755')].join('') +
        modeChange('src/a.ts', '100644', '100777'),
    });
    expect(result.errors).toEqual([]);
    expect(await modeOf('suid.sh')).toBe(0o755);
    expect(await modeOf('open.sh')).toBe(0o755);
    expect(await modeOf('group.txt')).toBe(0o644);
    expect(await modeOf('sticky.sh')).toBe(0o755);
    expect(await modeOf('src/a.ts')).toBe(0o755);
    await apply({ patch: modeChange('src/a.ts', '100755', '100666') });
    expect(await modeOf('src/a.ts')).toBe(0o644);
    await expect(apply({ patch: newFile('dir', '040755') })).rejects.toThrow(/patch line 2: mode 040755 is not a regular file's/);
  });

  it('positive control: the usual modes 100755 and 100644 are written as they are', async () => {
    await apply({ patch: newFile('run.sh', '100755') + newFile('plain.txt', '100644') });
    expect(await modeOf('run.sh')).toBe(0o755);
    expect(await modeOf('plain.txt')).toBe(0o644);
  });

  const edits = () =>
    gitStyleDiff('src/a.ts', 'export const a = 1;\n', 'export const a = 2;\n') +
    newFile('src/new.sh', '100755') +
    `diff --git a/src/b.ts b/src/b.ts\ndeleted file mode 100644\n--- a/src/b.ts\n+++ /dev/null\n@@ -1 +0,0 @@\n-export const b = 1;\n`;
  const swapSrcFor = (target: string) => async () => {
    await rename(join(ws, 'src'), join(ws, 'src-moved'));
    await symlink(target, join(ws, 'src'));
  };

  it('writes nothing outside the root when a folder is swapped for a symlink after the checks, before the writes', async () => {
    applyTestHooks.beforeWrites = swapSrcFor(outside);
    await expect(apply({ patch: edits() })).rejects.toThrow(/outside the workspace root/);
    expect(await readdir(outside)).toEqual(['b.ts']);
    expect(await readFile(join(outside, 'b.ts'), 'utf8')).toBe('export const b = 1;\n');
    expect((await readdir(join(ws, 'src-moved'))).sort()).toEqual(['a.ts', 'b.ts']);
    expect(await readFile(join(ws, 'src-moved/a.ts'), 'utf8')).toBe('export const a = 1;\n');
  });

  it('does not write into .git/ through a folder swapped for a link to it', async () => {
    applyTestHooks.beforeWrites = swapSrcFor(join(ws, '.git', 'hooks'));
    await expect(apply({ patch: edits() })).rejects.toThrow(/\.git/);
    expect(await readdir(join(ws, '.git', 'hooks'))).toEqual(['README']);
  });

  it('positive control: a folder swapped for a link inside the root is written through', async () => {
    await writeFile(join(ws, 'lib/b.ts'), 'export const b = 1;\n');
    applyTestHooks.beforeWrites = swapSrcFor(join(ws, 'lib'));
    const result = await apply({ patch: edits() });
    expect(result.applied).toBe(true);
    expect(await readFile(join(ws, 'lib/a.ts'), 'utf8')).toBe('export const a = 2;\n');
    expect((await readdir(join(ws, 'lib'))).sort()).toEqual(['a.ts', 'new.sh']);
    expect(await readdir(outside)).toEqual(['b.ts']);
  });

  it('positive control: without a swap the same patch lands in src/', async () => {
    const result = await apply({ patch: edits() });
    expect(result.applied).toBe(true);
    expect((await readdir(join(ws, 'src'))).sort()).toEqual(['a.ts', 'new.sh']);
    expect(await readdir(outside)).toEqual(['b.ts']);
  });
});
