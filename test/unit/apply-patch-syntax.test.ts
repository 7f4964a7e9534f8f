import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WorkspaceState } from '../../src/core/state.js';
import { Workspace } from '../../src/core/workspace.js';
import { applyPatch } from '../../src/tools/apply-patch/patch.js';
import { ApplyPatchInput } from '../../src/tools/apply-patch/schema.js';
import { tempDir, writeFiles } from '../helpers/repo.js';

const FILES = {
  'a.ts': 'export function add(a: number, b: number): number {\n  return a + b;\n}\n',
  'a.py': 'def add(a, b):\n    return a + b\n',
  'a.rs': 'pub fn add(a: i32, b: i32) -> i32 {\n    a + b\n}\n',
  'a.go': 'package main\n\nfunc add(a int, b int) int {\n\treturn a + b\n}\n',
  'config.js': 'export default {\n  "name": "demo",\n  "port": 8080\n};\n',
  'broken.ts': 'export function broken( {\n  return 1;\n}\n',
  'data.json': '{"a": 1}\n',
};

describe('apply-patch: syntax guard', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let services: { workspace: Workspace; state: WorkspaceState };
  const read = (path: string) => readFile(join(services.workspace.root, path), 'utf8');
  const apply = (input: Record<string, unknown>) => applyPatch(ApplyPatchInput.parse(input), services);
  const edit = (path: string, oldText: string, newText: string) => ({ path, oldText, newText });

  beforeEach(async () => {
    dir = await tempDir();
    await writeFiles(join(dir.path, 'ws'), FILES);
    const workspace = await Workspace.open(join(dir.path, 'ws'));
    services = { workspace, state: await WorkspaceState.open(join(dir.path, 'state'), workspace.root) };
  });
  afterEach(() => dir.cleanup());

  it.each([
    ['a.ts', 'return a + b;\n}', 'return a + b;\n'],
    ['a.py', 'def add(a, b):', 'def add(a, b'],
    ['a.rs', '    a + b\n}', '    a + b\n'],
    ['a.go', 'func add(a int, b int) int {', 'func add(a int, b int int {'],
    ['config.js', '"name": "demo",', '"name": "demo"'],
  ])('reports an error the edit introduces in %s, and still applies', async (path, oldText, newText) => {
    const result = await apply({ edits: [edit(path, oldText, newText)] });
    expect(result.applied).toBe(true);
    expect(result.syntax?.length).toBeGreaterThan(0);
    expect(result.syntax![0]).toEqual({ path, line: expect.any(Number), column: expect.any(Number), message: expect.any(String) });
    expect(await read(path)).not.toBe(FILES[path as keyof typeof FILES]);
  });

  it('with rejectSyntaxErrors, refuses the whole patch and writes nothing', async () => {
    const result = await apply({ edits: [edit('a.py', 'return a + b', 'return a +'), edit('a.go', 'a + b', 'a - b')], rejectSyntaxErrors: true });
    expect(result.applied).toBe(false);
    expect(result.errors[0]).toMatchObject({ path: 'a.py', message: expect.stringMatching(/syntax error at line 2/) });
    expect(await read('a.py')).toBe(FILES['a.py']);
    expect(await read('a.go')).toBe(FILES['a.go']);
  });

  it('says nothing for a clean edit, a file that was already broken, or a language without a grammar', async () => {
    const result = await apply({
      edits: [edit('a.ts', 'a + b', 'b + a'), edit('broken.ts', 'return 1;', 'return 2;;; {'), edit('data.json', '{"a": 1}', '{"a": 1,,')],
      rejectSyntaxErrors: true,
    });
    expect(result.errors).toEqual([]);
    expect(result.syntax).toBeUndefined();
  });

  it('reports a broken new file, on a dry run too', async () => {
    const result = await apply({ patch: '*** Begin Patch\n*** Add File: n.ts\n+const x = ;\n*** End Patch\n', dryRun: true });
    expect(result.syntax).toEqual([expect.objectContaining({ path: 'n.ts', line: 1 })]);
  });
});
