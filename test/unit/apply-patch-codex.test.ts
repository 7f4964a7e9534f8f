import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WorkspaceState } from '../../src/core/state.js';
import { Workspace } from '../../src/core/workspace.js';
import { applyPatch } from '../../src/tools/apply-patch/patch.js';
import { ApplyPatchInput } from '../../src/tools/apply-patch/schema.js';
import { tempDir, writeFiles } from '../helpers/repo.js';

/**
 * Codex's own apply_patch semantics, which models trained on it expect: written from the
 * behaviour of codex-rs/apply-patch (Add over an existing file, Move onto one, a pure
 * addition appends, `*** End of File` after the file's final empty line).
 */
describe('apply-patch: Codex semantics for Codex patches', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let services: { workspace: Workspace; state: WorkspaceState };
  const root = () => services.workspace.root;
  const read = (path: string) => readFile(join(root(), path), 'utf8');
  const apply = (input: Partial<ApplyPatchInput>) => applyPatch(ApplyPatchInput.parse(input), services);
  const codex = (...lines: string[]) => ['*** Begin Patch', ...lines, '*** End Patch'].join('\n');

  beforeEach(async () => {
    dir = await tempDir();
    await writeFiles(join(dir.path, 'ws'), { 'a.txt': 'alpha\nbeta\n', 'b.txt': 'old b\n' });
    const workspace = await Workspace.open(join(dir.path, 'ws'));
    services = { workspace, state: await WorkspaceState.open(join(dir.path, 'state'), workspace.root) };
  });
  afterEach(() => dir.cleanup());

  it('*** Add File over an existing file replaces it, says so, and undo restores it', async () => {
    const result = await apply({ patch: codex('*** Add File: b.txt', '+new b') });
    expect(result.errors).toEqual([]);
    expect(result.files).toEqual([{ path: 'b.txt', action: 'add', overwritten: true, additions: 1, deletions: 0, hunks: [] }]);
    expect(await read('b.txt')).toBe('new b\n');
    await apply({ undo: result.checkpoint });
    expect(await read('b.txt')).toBe('old b\n');
  });

  it('*** Move to onto an existing file replaces it with the moved, updated content; undo restores both', async () => {
    const result = await apply({ patch: codex('*** Update File: a.txt', '*** Move to: b.txt', '@@', '-beta', '+BETA') });
    expect(result.errors).toEqual([]);
    expect(result.files).toEqual([
      { path: 'b.txt', from: 'a.txt', action: 'move', overwritten: true, additions: 1, deletions: 1, hunks: [expect.objectContaining({ status: 'applied' })] },
    ]);
    expect(await read('b.txt')).toBe('alpha\nBETA\n');
    await expect(read('a.txt')).rejects.toThrow(/ENOENT/);
    await apply({ undo: result.checkpoint });
    expect(await read('a.txt')).toBe('alpha\nbeta\n');
    expect(await read('b.txt')).toBe('old b\n');
  });

  it('a chunk of only added lines without context appends at the end of the file', async () => {
    await apply({ patch: codex('*** Update File: a.txt', '@@', '+gamma', '+delta') });
    expect(await read('a.txt')).toBe('alpha\nbeta\ngamma\ndelta\n');
    // Before the final empty line, as Codex's line model has it; and after a missing final newline.
    await writeFile(join(root(), 'c.txt'), 'one\n\n');
    await writeFile(join(root(), 'd.txt'), 'one');
    await apply({ patch: codex('*** Update File: c.txt', '@@', '+two', '*** Update File: d.txt', '@@', '+two') });
    expect(await read('c.txt')).toBe('one\ntwo\n\n');
    expect(await read('d.txt')).toBe('one\ntwo\n');
  });

  it('*** End of File after the file\'s final empty line (a file ending in "\\n\\n") matches it', async () => {
    await writeFile(join(root(), 'e.py'), 'def f():\n    return 1\n\n');
    for (const blank of ['', ' ']) {
      const patch = codex('*** Update File: e.py', '@@', '-    return 1', '+    return 2', blank, '*** End of File');
      const result = await apply({ patch, dryRun: true });
      expect(result.errors).toEqual([]);
      expect(result.diff).toContain('+    return 2');
    }
    await apply({ patch: codex('*** Update File: e.py', '@@', ' def f():', '-    return 1', '+    return 2', ' ', '*** End of File') });
    expect(await read('e.py')).toBe('def f():\n    return 2\n\n');
  });
});
