import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WorkspaceState } from '../../src/core/state.js';
import { Workspace } from '../../src/core/workspace.js';
import { applyPatch } from '../../src/tools/apply-patch/patch.js';
import { ApplyPatchInput } from '../../src/tools/apply-patch/schema.js';
import { tempDir, writeFiles } from '../helpers/repo.js';

describe('apply-patch: search/replace edits', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let services: { workspace: Workspace; state: WorkspaceState };
  const root = () => services.workspace.root;
  const read = (path: string) => readFile(join(root(), path), 'utf8');
  const apply = (input: Record<string, unknown>) => applyPatch(ApplyPatchInput.parse(input), services);
  const APP = 'export function main() {\n  const x = 1;\n  return x;\n}\n\nexport function other() {\n  return 2;\n}\n';

  beforeEach(async () => {
    dir = await tempDir();
    await writeFiles(join(dir.path, 'ws'), { 'app.ts': APP, 'b.txt': 'one\ntwo\n' });
    const workspace = await Workspace.open(join(dir.path, 'ws'));
    services = { workspace, state: await WorkspaceState.open(join(dir.path, 'state'), workspace.root) };
  });
  afterEach(() => dir.cleanup());

  it('replaces a unique text, inside a line too, with a diff and an undoable checkpoint', async () => {
    const result = await apply({ edits: [{ path: 'app.ts', oldText: 'const x = 1', newText: 'const x = 42' }] });
    expect(result.errors).toEqual([]);
    expect(result.files).toEqual([
      { path: 'app.ts', action: 'update', additions: 1, deletions: 1, hunks: [{ index: 1, status: 'applied', line: 2, offset: 0, match: 'exact' }] },
    ]);
    expect(result.diff).toContain('+  const x = 42;');
    expect(await read('app.ts')).toBe(APP.replace('const x = 1', 'const x = 42'));
    await apply({ undo: result.checkpoint });
    expect(await read('app.ts')).toBe(APP);
  });

  it('refuses an ambiguous text, naming the lines, and replaces all with replaceAll', async () => {
    const ambiguous = await apply({ edits: [{ path: 'app.ts', oldText: '  return', newText: '  yield' }] });
    expect(ambiguous.applied).toBe(false);
    expect(ambiguous.errors[0]!.message).toMatch(/2 places \(lines 3, 7\).*replaceAll/);
    expect(await read('app.ts')).toBe(APP);
    const all = await apply({ edits: [{ path: 'app.ts', oldText: 'return', newText: 'yield', replaceAll: true }] });
    expect(all.errors).toEqual([]);
    expect(await read('app.ts')).toBe(APP.replaceAll('return', 'yield'));
  });

  it('reports a missing text with the nearest region, and writes nothing', async () => {
    const result = await apply({ edits: [{ path: 'app.ts', oldText: 'export function other() {\n  return 3;\n}\n', newText: '' }], dryRun: false });
    expect(result.applied).toBe(false);
    expect(result.errors[0]).toMatchObject({ path: 'app.ts', hunk: 1, message: 'oldText was not found in the file', nearest: { line: 6 } });
    expect(await read('app.ts')).toBe(APP);
  });

  it('matches with whitespace tolerance and re-indents the new text', async () => {
    await writeFile(join(root(), 'tabs.ts'), 'if (a) {\n\tcall(1);\n\tdone();\n}\n');
    const result = await apply({ edits: [{ path: 'tabs.ts', oldText: '    call(1);\n    done();', newText: '    call(2);\n    done();\n    more();' }] });
    expect(result.files[0]!.hunks[0]!.match).toBe('whitespace');
    expect(await read('tabs.ts')).toBe('if (a) {\n\tcall(2);\n\tdone();\n\tmore();\n}\n');
  });

  it('is atomic across files: one failing edit writes nothing', async () => {
    const result = await apply({
      edits: [
        { path: 'b.txt', oldText: 'one', newText: 'ONE' },
        { path: 'app.ts', oldText: 'not in the file', newText: 'x' },
      ],
    });
    expect(result.applied).toBe(false);
    expect(await read('b.txt')).toBe('one\ntwo\n');
  });

  it('creates a file from an empty oldText, and refuses an empty oldText on a non-empty file', async () => {
    const created = await apply({ edits: [{ path: 'new/c.txt', oldText: '', newText: 'hello\n' }] });
    expect(created.files[0]).toMatchObject({ path: 'new/c.txt', action: 'add', additions: 1 });
    expect(await read('new/c.txt')).toBe('hello\n');
    const refused = await apply({ edits: [{ path: 'b.txt', oldText: '', newText: 'x' }] });
    expect(refused.errors[0]!.message).toMatch(/oldText is empty/);
  });

  it('reads Aider SEARCH/REPLACE blocks, fenced or not, several files, with format auto and forced', async () => {
    const patch = [
      'app.ts',
      '```typescript',
      '<<<<<<< SEARCH',
      '  const x = 1;',
      '=======',
      '  const x = 7;',
      '>>>>>>> REPLACE',
      '```',
      '',
      'b.txt',
      '<<<<<<< SEARCH',
      'two',
      '=======',
      'TWO',
      '>>>>>>> REPLACE',
      '<<<<<<< SEARCH',
      'one',
      '=======',
      'ONE',
      '>>>>>>> REPLACE',
    ].join('\n');
    const dry = await apply({ patch, dryRun: true, format: 'search-replace' });
    expect(dry.errors).toEqual([]);
    expect(dry.files.map((f) => f.path)).toEqual(['app.ts', 'b.txt']);
    const result = await apply({ patch });
    expect(result.errors).toEqual([]);
    expect(await read('app.ts')).toBe(APP.replace('const x = 1', 'const x = 7'));
    expect(await read('b.txt')).toBe('ONE\nTWO\n');
  });

  it('keeps a CRLF file CRLF', async () => {
    await writeFile(join(root(), 'w.txt'), 'a\r\nb\r\nc\r\n');
    await apply({ edits: [{ path: 'w.txt', oldText: 'b\n', newText: 'B\nB2\n' }] });
    expect(await read('w.txt')).toBe('a\r\nB\r\nB2\r\nc\r\n');
  });

  it('replaces text as text: a new text without the final newline of the old one joins the next line, and later edits see earlier ones', async () => {
    const result = await apply({
      edits: [
        { path: 'b.txt', oldText: 'one\n', newText: 'one, ' },
        { path: 'b.txt', oldText: 'one, two', newText: 'one and two' },
      ],
    });
    expect(result.errors).toEqual([]);
    expect(await read('b.txt')).toBe('one and two\n');
  });

  it('finds old lines ending in a newline at the end of a file without one (as whole lines)', async () => {
    await writeFile(join(root(), 'n.txt'), 'a\nlast');
    const result = await apply({ edits: [{ path: 'n.txt', oldText: 'last\n', newText: 'LAST\n' }] });
    expect(result.errors).toEqual([]);
    expect(result.files[0]!.hunks[0]).toMatchObject({ line: 2, match: 'exact' });
    expect(await read('n.txt')).toBe('a\nLAST');
  });
});
