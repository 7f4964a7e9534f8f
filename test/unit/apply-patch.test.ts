import { readFile, stat, symlink, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WorkspaceState } from '../../src/core/state.js';
import { Workspace } from '../../src/core/workspace.js';
import { applyPatch } from '../../src/tools/apply-patch/patch.js';
import { ApplyPatchInput } from '../../src/tools/apply-patch/schema.js';
import { gitStyleDiff } from '../helpers/patch.js';
import { tempDir, writeFiles } from '../helpers/repo.js';

describe('apply-patch', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let services: { workspace: Workspace; state: WorkspaceState };
  const root = () => services.workspace.root;
  const read = (path: string) => readFile(join(root(), path), 'utf8');
  const apply = (input: Partial<ApplyPatchInput>) => applyPatch(ApplyPatchInput.parse(input), services);

  beforeEach(async () => {
    dir = await tempDir();
    await writeFiles(join(dir.path, 'ws'), {
      'src/app.ts': 'import { a } from "./a";\n\nexport function main() {\n  const x = 1;\n  return a(x);\n}\n',
      'src/a.ts': 'export function a(n: number) {\n  return n + 1;\n}\n',
      'README.md': '# Title\n\nSome text.\n',
    });
    const workspace = await Workspace.open(join(dir.path, 'ws'));
    services = { workspace, state: await WorkspaceState.open(join(dir.path, 'state'), workspace.root) };
  });
  afterEach(() => dir.cleanup());

  it('applies a git diff, reports each hunk and keeps a checkpoint that undoes it byte for byte', async () => {
    const before = await read('src/app.ts');
    const after = before.replace('const x = 1;', 'const x = 2;');
    const result = await apply({ patch: gitStyleDiff('src/app.ts', before, after) });
    expect(result).toMatchObject({ applied: true, dryRun: false, errors: [] });
    expect(result.files).toEqual([
      { path: 'src/app.ts', action: 'update', additions: 1, deletions: 1, hunks: [{ index: 1, status: 'applied', line: 1, offset: 0, match: 'exact' }] },
    ]);
    expect(await read('src/app.ts')).toBe(after);
    expect(result.diff).toMatch(/^--- a\/src\/app\.ts\n\+\+\+ b\/src\/app\.ts\n@@ -1,6 \+1,6 @@/);
    const undone = await apply({ undo: result.checkpoint });
    expect(undone.applied).toBe(true);
    expect(await read('src/app.ts')).toBe(before);
    await expect(apply({ undo: result.checkpoint })).rejects.toThrow(/already undone/);
    await expect(apply({ undo: 'cp-000000000000' })).rejects.toThrow(/no checkpoint/);
  });

  it('applies a Codex patch with add, update with move, delete, and @@ anchors', async () => {
    const patch = [
      '*** Begin Patch',
      '*** Add File: src/new.ts',
      '+export const NEW = true;',
      '*** Update File: src/app.ts',
      '*** Move to: src/main.ts',
      '@@ export function main() {',
      '-  const x = 1;',
      '+  const x = 42;',
      '*** Delete File: README.md',
      '*** End Patch',
    ].join('\n');
    const result = await apply({ patch });
    expect(result.errors).toEqual([]);
    expect(result.files.map((f) => [f.action, f.from, f.path])).toEqual([
      ['add', undefined, 'src/new.ts'],
      ['move', 'src/app.ts', 'src/main.ts'],
      ['delete', undefined, 'README.md'],
    ]);
    expect(await read('src/new.ts')).toBe('export const NEW = true;\n');
    expect(await read('src/main.ts')).toContain('const x = 42;');
    await expect(stat(join(root(), 'src/app.ts'))).rejects.toThrow();
    await expect(stat(join(root(), 'README.md'))).rejects.toThrow();
    await apply({ undo: result.checkpoint });
    expect(await read('src/app.ts')).toContain('const x = 1;');
    expect(await read('README.md')).toBe('# Title\n\nSome text.\n');
    await expect(stat(join(root(), 'src/new.ts'))).rejects.toThrow();
    await expect(stat(join(root(), 'src/main.ts'))).rejects.toThrow();
  });

  it('writes nothing when one hunk of one file fails, and shows the expected and nearest lines', async () => {
    const appBefore = await read('src/app.ts');
    const patch = [
      '*** Begin Patch',
      '*** Update File: src/app.ts',
      '@@',
      '-  const x = 1;',
      '+  const x = 3;',
      '*** Update File: src/a.ts',
      '@@',
      '-  return n + 2;',
      '+  return n + 3;',
      '*** End Patch',
    ].join('\n');
    const result = await apply({ patch });
    expect(result.applied).toBe(false);
    expect(await read('src/app.ts')).toBe(appBefore);
    expect(result.errors).toEqual([
      expect.objectContaining({ path: 'src/a.ts', hunk: 1, expected: ['  return n + 2;'], nearest: { line: 2, text: '  return n + 1;' } }),
    ]);
    expect(result.checkpoint).toBeUndefined();
  });

  it('dry run reports the diff and writes nothing', async () => {
    const before = await read('src/a.ts');
    const result = await apply({ patch: gitStyleDiff('src/a.ts', before, before.replace('n + 1', 'n + 2')), dryRun: true });
    expect(result).toMatchObject({ applied: true, dryRun: true });
    expect(result.diff).toContain('+  return n + 2;');
    expect(await read('src/a.ts')).toBe(before);
  });

  it('matches tolerantly only when unique, re-indenting added lines to the file', async () => {
    await writeFile(join(root(), 'src/indent.py'), 'def f():\n\tif True:\n\t\treturn 1\n');
    const patch = [
      '*** Begin Patch',
      '*** Update File: src/indent.py',
      '@@',
      '     if True:',
      '-        return 1',
      '+        return 2',
      '+        # done',
      '*** End Patch',
    ].join('\n');
    const result = await apply({ patch });
    expect(result.files[0]!.hunks[0]!.match).toBe('whitespace');
    expect(await read('src/indent.py')).toBe('def f():\n\tif True:\n\t\treturn 2\n\t\t# done\n');

    await writeFile(join(root(), 'src/dup.ts'), 'let a = 1;\nlet b = 2;\nlet a = 1;\n');
    const ambiguous = await apply({
      patch: ['*** Begin Patch', '*** Update File: src/dup.ts', '@@', '-let a = 1; ', '+let a = 9;', '*** End Patch'].join('\n'),
    });
    expect(ambiguous.applied).toBe(false);
    expect(ambiguous.errors[0]!.message).toMatch(/matches at lines 1, 3/);
  });

  it('normalises Unicode dashes and quotes when matching', async () => {
    await writeFile(join(root(), 'q.txt'), 'say "hello" - world\n');
    const result = await apply({
      patch: ['*** Begin Patch', '*** Update File: q.txt', '@@', '-say \u201chello\u201d \u2014 world', '+say "bye"', '*** End Patch'].join('\n'),
    });
    expect(result.files[0]!.hunks[0]!.match).toBe('unicode');
    expect(await read('q.txt')).toBe('say "bye"\n');
  });

  it('keeps CRLF, BOM and a missing final newline', async () => {
    await writeFile(join(root(), 'win.txt'), '\uFEFFone\r\ntwo\r\nthree');
    const result = await apply({
      patch: ['*** Begin Patch', '*** Update File: win.txt', '@@', ' one', '-two', '+TWO', '+2.5', ' three', '*** End Patch'].join('\n'),
    });
    expect(result.applied).toBe(true);
    expect(await read('win.txt')).toBe('\uFEFFone\r\nTWO\r\n2.5\r\nthree');
  });

  it('refuses paths outside the root, .git, binary files, folders and a unified diff adding an existing file', async () => {
    const add = (path: string) => ['*** Begin Patch', `*** Add File: ${path}`, '+x', '*** End Patch'].join('\n');
    await expect(apply({ patch: add('../escape.txt') })).rejects.toThrow(/outside the workspace root/);
    await expect(apply({ patch: add('.git/config') })).rejects.toThrow(/\.git/);
    await symlink(dir.path, join(root(), 'out'));
    await expect(apply({ patch: add('out/evil.txt') })).rejects.toThrow(/symlink/);
    await writeFile(join(root(), 'bin.dat'), Buffer.from([0, 1, 2, 0]));
    const binary = await apply({ patch: ['*** Begin Patch', '*** Update File: bin.dat', '@@', '-x', '+y', '*** End Patch'].join('\n') });
    expect(binary.errors[0]!.message).toMatch(/binary/);
    const folder = await apply({ patch: ['*** Begin Patch', '*** Delete File: src', '*** End Patch'].join('\n') });
    expect(folder.errors[0]!.message).toMatch(/is a folder/);
    // A unified diff that adds an existing file is refused, as git apply does (Codex replaces it).
    const existing = await apply({ patch: 'diff --git a/src/a.ts b/src/a.ts\nnew file mode 100644\n--- /dev/null\n+++ b/src/a.ts\n@@ -0,0 +1 @@\n+x\n' });
    expect(existing.errors[0]!.message).toMatch(/already exists/);
  });

  it('keeps the file mode, and applies a mode change', async () => {
    await writeFile(join(root(), 'run.sh'), '#!/bin/sh\necho hi\n');
    await chmod(join(root(), 'run.sh'), 0o755);
    await apply({ patch: gitStyleDiff('run.sh', '#!/bin/sh\necho hi\n', '#!/bin/sh\necho bye\n') });
    expect((await stat(join(root(), 'run.sh'))).mode & 0o777).toBe(0o755);
    const modeOnly = 'diff --git a/src/a.ts b/src/a.ts\nold mode 100644\nnew mode 100755\n';
    const result = await apply({ patch: modeOnly });
    expect(result.applied).toBe(true);
    expect((await stat(join(root(), 'src/a.ts'))).mode & 0o777).toBe(0o755);
  });

  it('serialises two concurrent patches to the same file', async () => {
    const one = ['*** Begin Patch', '*** Update File: src/a.ts', '@@', '-  return n + 1;', '+  return n + 10;', '*** End Patch'].join('\n');
    const two = [
      '*** Begin Patch',
      '*** Update File: src/a.ts',
      '@@',
      '-export function a(n: number) {',
      '+export function a(n: number): number {',
      '*** End Patch',
    ].join('\n');
    const results = await Promise.all([apply({ patch: one }), apply({ patch: two })]);
    expect(results.every((r) => r.applied)).toBe(true);
    expect(await read('src/a.ts')).toBe('export function a(n: number): number {\n  return n + 10;\n}\n');
  });

  it('explains input mistakes', async () => {
    await expect(apply({})).rejects.toThrow(/needs a patch/);
    await expect(apply({ patch: 'x', undo: 'cp-1' })).rejects.toThrow(/either patch or undo/);
    await expect(apply({ patch: 'hello world\nthis is not a patch' })).rejects.toThrow(/hello world/);
  });
});
