import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diffLinesOf, lineChanges } from '../../src/core/line-diff.js';
import { grammarForPath, parserFor } from '../../src/core/treesitter.js';
import { introducedSyntaxErrors, type SourceText } from '../../src/tools/apply-patch/syntax.js';
import { changedRegions, regionsStayClean } from '../../src/tools/apply-patch/syntax-regions.js';

const sourceOf = (text: string): SourceText => ({ text, ...diffLinesOf(text) });

/** What the whole files say: the new text has errors the old did not have (an old text with errors is not judged). */
async function wholeVerdict(path: string, before: string, after: string): Promise<'introduced' | 'none' | 'not judged'> {
  const parser = await parserFor(grammarForPath(path)!);
  const old = parser.parse(before)!;
  const fresh = parser.parse(after)!;
  try {
    if (old.rootNode.hasError) return 'not judged';
    return fresh.rootNode.hasError ? 'introduced' : 'none';
  } finally {
    old.delete();
    fresh.delete();
  }
}

/** Whether the regions alone answer "nothing introduced" for this edit. */
async function regionsSayClean(path: string, before: string, after: string): Promise<boolean> {
  const grammar = grammarForPath(path)!;
  const parser = await parserFor(grammar);
  const [old, fresh] = [sourceOf(before), sourceOf(after)];
  return regionsStayClean(parser, grammar, old, fresh, lineChanges(old, fresh));
}

/**
 * The guard as apply-patch calls it: with the line changes, on texts no earlier call has seen
 * (a unique first line, so no tree is kept of them). Without the changes, it parses the new
 * text whole: what the errors' positions are checked against.
 */
let calls = 0;
async function guard(path: string, before: string, after: string, options: { whole?: boolean } = {}) {
  const comment = path.endsWith('.py') ? '#' : '//';
  const header = `${comment} call ${++calls}\n`;
  const [old, fresh] = [sourceOf(header + before), sourceOf(header + after)];
  const issues = await introducedSyntaxErrors(path, old, fresh, options.whole ? undefined : lineChanges(old, fresh));
  return issues.map((issue) => ({ ...issue, line: issue.line - 1 })); // lines as in `after`
}

/** Edits that break the file outside their own lines, or that only look local: [name, path, before, old text, new text]. */
const TRICKY: Array<[string, string, string, string, string]> = [
  ['a template with column-0 code gains balanced backticks', 'a.js', 'const code = `\nfoo();\nbar();\n`;\nexport const x = 1;\n', 'foo();', 'foo(`x`);'],
  ['a tagged template with column-0 code gains balanced backticks', 'a.js', 'sql`\nfoo();\nbar();\n`;\nexport const x = 1;\n', 'foo();', 'foo(`x`);'],
  ['a string in a block comment gains its end', 'a.ts', '/*\nfoo();\n*/\nconst a = 1;\n', 'foo();', '"*/ x(";'],
  ['a column-0 line that an incomplete one goes on into', 'a.ts', 'export const a =\nfoo;\nexport const b = 1;\n', 'foo;', "import x from 'y';"],
  ['a type on its own line before a function', 'a.c', 'static int\narea(void)\n{\n  return 1;\n}\n', 'area(void)', 'int x;'],
  ['a function declared in an unindented function body', 'a.go', 'package a\n\nfunc f() {\nfoo()\nbar()\nbaz()\n}\n', 'bar()', 'func g() {}'],
  ['an unterminated template', 'a.ts', 'export const a = 1;\nexport const b = 2;\n', 'export const a = 1;', 'export const a = `1;'],
  ['an unterminated block comment', 'a.js', 'const a = 1;\nconst b = 2;\nconst c = 3;\n', 'const b = 2;', '/* const b = 2;'],
  ['a closing brace at column 0 removed', 'a.ts', 'function f() {\n  return 1;\n}\nfunction g() {}\n', '}\nfunction g', 'function g'],
  ['a line that now goes on into the next', 'a.js', 'const a = 1;\nexport function g() {}\n', 'const a = 1;', 'const a = 1 +'],
  ['a column-0 line turned into a continuation', 'a.ts', 'let a = f();\nlet b = g();\n', 'let b = g();', '.b = g();'],
  ['a block comment with column-0 code closed early', 'a.ts', '/*\nfoo();\n*/\nconst a = 1;\n', 'foo();', 'foo(); */ bar('],
  ['an Allman-style body replaced', 'a.js', 'function f()\n{\n  return 1;\n}\n', '{\n  return 1;\n}', 'f = 1;'],
  ['a string with column-0 lines gains triple quotes', 'a.py', 'USAGE = """\nusage: tool\n"""\nx = 1\n', 'usage: tool', 'usage: """tool"""'],
  ['a lone backslash as the last line', 'a.py', 'x = 1\ny = 2', 'y = 2', '\\'],
  ['an unterminated triple quote', 'a.py', 'x = 1\ny = 2\n', 'x = 1', 'x = """1'],
  ['a decorator left without its function', 'a.py', '@decorate\ndef f(): pass\nx = 1\n', 'def f(): pass', 'y = 2'],
  ['an except left without its try', 'a.py', 'try:\n    a()\nexcept E:\n    b()\n', 'try:', 'if a:'],
  ['a raw string with column-0 code ended early', 'a.rs', 'const S: &str = r#"\nfn a() {}\n"#;\nfn b() {}\n', 'fn a() {}', 'fn a() {} "#; fn c() { r#"'],
  ['a nested block comment closed early', 'a.rs', '/* a /* b */\nfn x() {}\n*/\nfn y() {}\n', 'fn x() {}', 'fn x() {} */'],
  ['a closing brace removed (Rust)', 'a.rs', 'fn f() {\n    1;\n}\nfn g() {}\n', '    1;\n}\n', '    1;\n'],
  ['a raw string with column-0 code gains backticks', 'a.go', 'package a\n\nconst raw = `\nfunc notCode() {\n}\n`\n', 'func notCode() {', '` x `'],
  ['a closing brace removed (Go)', 'a.go', 'package a\n\nfunc f() {\n}\n\nfunc g() {}\n', 'func f() {\n}\n', 'func f() {\n'],
  ['an #endif removed', 'a.c', '#ifdef X\nint a;\n#endif\nint b;\n', '#endif\n', ''],
  ['an #if without its #endif', 'a.c', 'int a;\nint b;\n', 'int b;', '#if Y\nint b;'],
  ['a raw string with column-0 code ended early (C++)', 'a.cpp', 'const char *s = R"x(\nint f();\n)x";\nint g();\n', 'int f();', ')x" int y = ( R"x('],
  ["a namespace's closing brace removed", 'a.cpp', 'namespace a {\nint x;\n}\nint y;\n', '}\nint y', 'int y'],
];

describe('syntax guard: regions around the changes', () => {
  it.each(TRICKY)('%s: the regions give no answer, and the whole files report it (%s)', async (_name, path, before, oldText, newText) => {
    expect(before.includes(oldText)).toBe(true);
    const after = before.replace(oldText, newText);
    expect(await wholeVerdict(path, before, after)).toBe('introduced');
    expect(await regionsSayClean(path, before, after)).toBe(false);
    const issues = await guard(path, before, after);
    expect(issues.length).toBeGreaterThan(0);
    const [whole] = await guard(path, before, after, { whole: true });
    expect(issues[0]).toMatchObject({ path, line: whole!.line, column: whole!.column });
  });

  // tree-sitter's Python grammar takes most indentation slips without an error; whatever the
  // whole files say, the guard says the same.
  it.each([
    ['a column-0 statement indented', 'a = 1\nb = 2\n', 'b = 2', '    b = 2'],
    ['a def header removed from its body', 'def f():\n    return 1\n\n\nx = 2\n', 'def f():\n', ''],
    ['a block opened before a column-0 line', 'x = 1\ny = 2\n', 'x = 1', 'if x:'],
    ['a column-0 line indented under a def', 'def f():\n    return 1\nx = 2\n', 'x = 2', '  x = 2'],
    ['a method dedented out of its class', 'class A:\n    def f(self):\n        pass\n\n    def g(self):\n        pass\n', '    def g(self):', 'def g(self):'],
  ])('Python, %s: agrees with the whole files', async (_name, before, oldText, newText) => {
    const after = before.replace(oldText, newText);
    const whole = await wholeVerdict('a.py', before, after);
    if (await regionsSayClean('a.py', before, after)) expect(whole).toBe('none');
    expect((await guard('a.py', before, after)).length > 0).toBe(whole === 'introduced');
  });

  it.each([
    ['a.ts', 'export function f(a: number): number {\n  return a;\n}\n\nexport const b = 1;\n', 'return a;', 'return a +;', 2, 11],
    ['a.py', 'def f(a):\n    return a\n\n\nb = 1\n', 'return a', 'return a +', 2, 12],
    ['a.rs', 'fn f(a: i32) -> i32 {\n    a\n}\n\nconst B: i32 = 1;\n', 'const B: i32 = 1;', 'const B: i32 = ;', 5, 16],
    ['a.go', 'package a\n\nfunc f(a int) int {\n\treturn a\n}\n', 'return a', 'return a +', 4, 10],
    ['a.c', 'int f(int a) {\n  return a;\n}\nint b = 1;\n', 'int b = 1;', 'int b = ;', 4, 9],
    ['a.cpp', 'int f(int a) {\n  return a;\n}\nint b = 1;\n', 'int b = 1;', 'int b = (1;', 4, 11],
  ])('reports an error a local edit of %s introduces at its line and column in the whole file', async (path, before, oldText, newText, line) => {
    const after = before.replace(oldText, newText);
    const issues = await guard(path, before, after);
    expect(issues[0]).toMatchObject({ path, line });
    expect(issues).toEqual(await guard(path, before, after, { whole: true }));
  });

  it.each([
    ['a.ts', 'function broken( {\n}\n\nexport const a = 1;\n', 'export const a = 1;', 'export const a = ;'],
    ['a.py', 'def broken(:\n    pass\n\n\na = 1\n', 'a = 1', 'a = '],
    ['a.rs', 'fn broken( {}\n\nconst A: i32 = 1;\n', 'const A: i32 = 1;', 'const A: i32 = ;'],
    ['a.go', 'package a\n\nfunc broken( {}\n\nvar a = 1\n', 'var a = 1', 'var a = '],
    ['a.c', 'int broken( {}\n\nint a = 1;\n', 'int a = 1;', 'int a = ;'],
  ])('does not judge a file that was already broken elsewhere (%s)', async (path, before, oldText, newText) => {
    const after = before.replace(oldText, newText);
    expect(await wholeVerdict(path, before, after)).toBe('not judged');
    expect(await guard(path, before, after)).toEqual([]);
  });

  const FIXTURES = ['sample.ts', 'sample.js', 'sample.py', 'sample.rs', 'sample.go', 'sample.c', 'sample.cpp'];
  const fixture = (name: string) => readFileSync(new URL(`../fixtures/syntax-guard/${name}`, import.meta.url), 'utf8');

  it.each(FIXTURES)('answers a valid edit of the last item of %s from a small region', async (name) => {
    const before = fixture(name);
    const lines = before.split('\n');
    const last = lines.findLastIndex((line) => /^\s+\S/.test(line) && !/^\s*(#|\/\/|["'`)\]}])/.test(line));
    const after = [...lines.slice(0, last), `${lines[last]!.match(/^\s*/)![0]}${name.endsWith('.py') ? 'pass' : ';'}`, ...lines.slice(last)].join('\n');
    expect(await wholeVerdict(name, before, after)).toBe('none');
    const [old, fresh] = [sourceOf(before), sourceOf(after)];
    const regions = changedRegions(grammarForPath(name)!, old, fresh, lineChanges(old, fresh))!;
    expect(regions).toHaveLength(1);
    expect(regions[0]!.oldTo - regions[0]!.oldFrom).toBeLessThan(lines.length / 3);
    expect(await regionsSayClean(name, before, after)).toBe(true);
    expect(await guard(name, before, after)).toEqual([]);
  });

  /** Lines and fragments that open, close or continue things. */
  const FRAGMENTS = [
    '}',
    '{',
    ')',
    '(',
    ']',
    '`',
    '"',
    "'",
    '"""',
    "'''",
    '/*',
    '*/',
    '//',
    '#',
    '\\',
    '#if X',
    '#endif',
    '#else',
    '@decorate',
    '#[test]',
    'else:',
    'else {',
    'except:',
    'x = 1',
    'x = 1 +',
    'const x = 1;',
    'def g():',
    'fn g() {}',
    'func g() {}',
    'int g(void);',
    'return',
    ';',
    ',',
    '.x',
    'r#"',
    '"#',
    'R"(',
    ')"',
    '${',
    'where',
    'in',
    '=',
    'pass',
    '    pass',
    '  return 1;',
    '<',
    "'a'",
  ];
  const EDITS = ['delete', 'replace', 'insert', 'splice', 'cut', 'indent', 'dedent', 'duplicate'] as const;
  const edit = fc.record({ line: fc.nat(), kind: fc.constantFrom(...EDITS), fragment: fc.constantFrom(...FRAGMENTS), column: fc.nat() });

  function applyEdit(
    lines: string[],
    { line, kind, fragment, column }: { line: number; kind: (typeof EDITS)[number]; fragment: string; column: number },
  ): string[] {
    const at = line % lines.length;
    const text = lines[at]!;
    const col = column % (text.length + 1);
    const edited = [...lines];
    if (kind === 'delete') edited.splice(at, 1);
    else if (kind === 'replace') edited[at] = fragment;
    else if (kind === 'insert') edited.splice(at, 0, fragment);
    else if (kind === 'splice') edited[at] = text.slice(0, col) + fragment + text.slice(col);
    else if (kind === 'cut') edited[at] = text.slice(0, col) + text.slice(col + 1);
    else if (kind === 'indent') edited[at] = `    ${text}`;
    else if (kind === 'dedent') edited[at] = text.trimStart();
    else edited.splice(at, 0, text);
    return edited;
  }

  it.each(FIXTURES)('agrees with the whole files on random one-line edits of %s', async (name) => {
    const before = fixture(name);
    const lines = before.split('\n');
    let answered = 0;
    let cleanEdits = 0;
    await fc.assert(
      fc.asyncProperty(edit, async (change) => {
        const after = applyEdit(lines, change).join('\n');
        const whole = await wholeVerdict(name, before, after);
        const claimed = await regionsSayClean(name, before, after);
        // The regions may not answer (then the whole files do), but they are never wrong.
        if (claimed) expect(whole).not.toBe('introduced');
        if (whole === 'none') cleanEdits++;
        if (claimed && whole === 'none') answered++;
        expect((await guard(name, before, after)).length > 0).toBe(whole === 'introduced');
      }),
      { numRuns: 300 },
    );
    // Not a vacuous property: most edits that break nothing are answered from the regions.
    expect(answered).toBeGreaterThan(cleanEdits / 2);
  });
});
