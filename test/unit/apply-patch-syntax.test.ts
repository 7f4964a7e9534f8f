import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { diffLinesOf, lineChanges } from '../../src/core/line-diff.js';
import { loadTreeSitter, parserFor } from '../../src/core/treesitter.js';
import type { Tree } from 'web-tree-sitter';
import { WorkspaceState } from '../../src/core/state.js';
import { Workspace } from '../../src/core/workspace.js';
import { applyPatch } from '../../src/tools/apply-patch/patch.js';
import { ApplyPatchInput } from '../../src/tools/apply-patch/schema.js';
import { treeEdits } from '../../src/tools/apply-patch/syntax.js';
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

  it('judges each edit of a file edited again and again (its last tree reused), and a dry run and its apply alike', async () => {
    const first = await apply({ edits: [edit('a.ts', 'a + b', 'a + b + 1')] });
    expect(first.syntax).toBeUndefined();
    const dry = await apply({ edits: [edit('a.ts', 'return a + b + 1;', 'return (a + b + 1;')], dryRun: true });
    const applied = await apply({ edits: [edit('a.ts', 'return a + b + 1;', 'return (a + b + 1;')] });
    expect(dry.syntax).toEqual([expect.objectContaining({ path: 'a.ts', line: 2 })]);
    expect(applied.syntax).toEqual(dry.syntax);
    // Now broken: the next edit is not judged, and mending it is quiet.
    const mended = await apply({ edits: [edit('a.ts', 'return (a + b + 1;', 'return a + b + 1;')] });
    expect(mended.syntax).toBeUndefined();
    const again = await apply({ edits: [edit('a.ts', 'number {', 'number {{')] });
    expect(again.syntax).toEqual([expect.objectContaining({ path: 'a.ts', line: expect.any(Number) })]);
  });
});

/** Every node of a tree with where it starts and ends (rows and columns too). */
function shape(tree: Tree): string[] {
  const nodes: string[] = [];
  const cursor = tree.walk();
  for (let more = true; more; ) {
    const { nodeType, startIndex, endIndex, startPosition: from, endPosition: to } = cursor;
    nodes.push(`${nodeType} ${startIndex}-${endIndex} ${from.row}:${from.column}-${to.row}:${to.column}`);
    if (cursor.gotoFirstChild()) continue;
    while (!cursor.gotoNextSibling()) {
      if (!cursor.gotoParent()) {
        more = false;
        break;
      }
    }
  }
  cursor.delete();
  return nodes;
}

describe('syntax guard: incremental parsing', () => {
  // Lines with multi-unit characters and CRLF endings: offsets are UTF-16 code units.
  const line = fc.constantFrom('const a = 1;', 'const s = "é€😀";', 'function f() {', '}', 'if (a) {', '  return a;', '', '// ü', 'let x = (');

  it('an old tree edited where the lines changed, reparsed, agrees with a full parse', async () => {
    const [parser, treeSitter] = await Promise.all([parserFor('typescript'), loadTreeSitter()]);
    const text = (lines: string[], ending: string, final: boolean) => lines.join(ending) + (final && lines.length ? ending : '');
    fc.assert(
      fc.property(
        fc.array(line, { maxLength: 25 }),
        fc.array(fc.tuple(fc.nat(30), fc.nat(3), fc.array(line, { maxLength: 3 })), { maxLength: 4 }),
        fc.constantFrom('\n', '\r\n'),
        fc.boolean(),
        fc.boolean(),
        (lines, splices, ending, finalBefore, finalAfter) => {
          const edited = [...lines];
          for (const [at, remove, insert] of splices) edited.splice(at % (edited.length + 1), remove, ...insert);
          const before = text(lines, ending, finalBefore);
          const after = text(edited, ending, finalAfter);
          const oldLines = diffLinesOf(before);
          const newLines = diffLinesOf(after);
          const old = parser.parse(before)!;
          for (const change of treeEdits({ text: before, ...oldLines }, { text: after, ...newLines }, lineChanges(oldLines, newLines)))
            old.edit(new treeSitter.Edit(change));
          const incremental = parser.parse(after, old)!;
          const full = parser.parse(after)!;
          try {
            // Where a broken text's error nodes go may differ (tree-sitter recovers from what it
            // reused); whether there is one may not, nor the tree of a text without errors.
            expect(incremental.rootNode.hasError).toBe(full.rootNode.hasError);
            if (!full.rootNode.hasError) expect(shape(incremental)).toEqual(shape(full));
            expect(incremental.rootNode.endIndex).toBe(full.rootNode.endIndex);
            expect(incremental.rootNode.endPosition).toEqual(full.rootNode.endPosition);
          } finally {
            for (const tree of [old, incremental, full]) tree.delete();
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
