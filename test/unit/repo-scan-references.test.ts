import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countTokens } from '../../src/core/budget.js';
import { UserError } from '../../src/core/errors.js';
import { WorkspaceState } from '../../src/core/state.js';
import { Workspace } from '../../src/core/workspace.js';
import { renderScan } from '../../src/tools/repo-scan/render.js';
import { repoScan } from '../../src/tools/repo-scan/scan.js';
import { RepoScanInput, type RepoScanOutput } from '../../src/tools/repo-scan/schema.js';
import { gitRepo, tempDir, writeFiles } from '../helpers/repo.js';

/** Many uses of `Hub` across files, for paging: file i uses it i + 2 times. */
const MANY: Record<string, string> = Object.fromEntries(
  Array.from({ length: 12 }, (_, i) => [
    `many/m${i}.ts`,
    `import { Hub } from '../src/hub';\n` +
      Array.from({ length: i + 2 }, (_, j) => `export function use${i}_${j}(): number {\n  return new Hub().size + ${j}; // Hub in a comment\n}\n`).join(''),
  ]),
);

const SOURCES: Record<string, string> = {
  'src/util.ts': ['export function formatName(first: string, last: string): string {', '  return `${first} ${last}`;', '}', ''].join('\n'),
  'src/a.ts': [
    "import { formatName } from './util';",
    '// formatName is mentioned in this comment, which does not count',
    'export function greetAlice(): string {',
    "  const label = 'formatName in a string does not count';",
    "  return formatName('Alice', 'Smith') + label;",
    '}',
    '',
  ].join('\n'),
  'src/greeter.ts': [
    "import { formatName } from './util';",
    'export class Greeter {',
    '  constructor(private readonly last: string) {}',
    '  greet(first: string): string {',
    '    const inner = () => formatName(first, this.last);',
    '    return inner();',
    '  }',
    '}',
    'export const formatted = formatName("a", "b"); /* formatName */',
    '',
  ].join('\n'),
  // Another language defining the same name: path picks one of the two.
  'lib/names.py': ['def formatName(first, last):', '    return first + " " + last', '', '', 'def both():', '    return formatName("a", "b")', ''].join('\n'),
  // A column after non-ASCII text, and CRLF line ends.
  'src/unicode.ts': "import { formatName } from './util';\r\nexport const x = 'é' + formatName('ü', 'ß');\r\n",
  // A use on a very long line is shown as a window around it.
  'src/long.ts': `import { formatName } from './util';\nexport const long = [${'1, '.repeat(200)}formatName('x', 'y'), ${'2, '.repeat(200)}];\n`,
  // Vendored and generated copies are not the project's uses.
  'vendor/copy.ts': "import { formatName } from '../src/util';\nformatName('v', 'v');\n",
  'dist/out.js': "formatName('d', 'd');\n",
  // Names defined nowhere in the repository, and names that are Object's own properties.
  'src/log.ts': ['export function report(): void {', "  console.log('report');", '  console.error(new Error("x").stack);', '}', ''].join('\n'),
  'src/proto.js': ['class Box {', '  constructor() {', '    this.constructor.count = 1;', '  }', '}', 'module.exports = { Box };', ''].join('\n'),
  'src/hub.ts': 'export class Hub {\n  size = 1;\n}\n',
  // Minified: thousands of uses on one line.
  'src/min.js': `${'tick(q);'.repeat(20_000)}\n`,
  ...MANY,
};

describe('repo-scan references', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let services: { workspace: Workspace; state: WorkspaceState };
  const scan = (input: Partial<RepoScanInput>) => repoScan(RepoScanInput.parse({ mode: 'references', ...input }), services);
  const failure = (input: Partial<RepoScanInput>) =>
    scan(input).then(
      () => 'no error',
      (error: unknown) => (error instanceof UserError ? error.toLine() : String(error)),
    );
  const sites = (result: RepoScanOutput) => (result.references ?? []).map((use) => `${use.path}:${use.line}:${use.column}`);
  /** The uses in one file, without the path each carries. */
  const usesIn = (result: RepoScanOutput, path: string) => (result.references ?? []).filter((use) => use.path === path).map(({ path: _, ...use }) => use);

  beforeAll(async () => {
    dir = await tempDir();
    const repo = join(dir.path, 'repo');
    await gitRepo(repo, SOURCES);
    const workspace = await Workspace.open(repo);
    services = { workspace, state: await WorkspaceState.open(join(dir.path, 'state'), workspace.root) };
  });
  afterAll(() => dir.cleanup());

  it('lists definitions and every use from the syntax tree: comments and strings do not count', async () => {
    const result = await scan({ query: 'formatName', maxTokens: 20000 });
    expect(result.definitions).toEqual(
      expect.arrayContaining([
        { path: 'src/util.ts', line: 1, kind: 'function', signature: 'export function formatName(first: string, last: string): string' },
        { path: 'lib/names.py', line: 1, kind: 'function', signature: 'def formatName(first, last):' },
      ]),
    );
    expect(result.definitions).toHaveLength(2);
    expect([...sites(result)].sort()).toEqual(
      [
        'lib/names.py:6:12',
        'src/a.ts:1:10',
        'src/a.ts:5:10',
        'src/greeter.ts:1:10',
        'src/greeter.ts:5:25',
        'src/greeter.ts:9:26',
        'src/long.ts:1:10',
        'src/long.ts:2:622',
        'src/unicode.ts:1:10',
        'src/unicode.ts:2:24',
      ].sort(),
    );
    expect(result.totalReferences).toBe(10);
    expect(result.truncated).toBe(false);
    expect(result.nextCursor).toBeUndefined();
    // The definition sites are definitions, not uses.
    expect(sites(result)).not.toContain('src/util.ts:1:17');
  });

  it('names the innermost symbol around each use and shows the line trimmed', async () => {
    const result = await scan({ query: 'formatName', maxTokens: 20000 });
    const usesOf = (path: string) => usesIn(result, path);
    expect(usesOf('src/a.ts')).toEqual([
      { line: 1, column: 10, text: "import { formatName } from './util';" },
      { line: 5, column: 10, text: "return formatName('Alice', 'Smith') + label;", container: 'greetAlice' },
    ]);
    expect(usesOf('src/greeter.ts').map((use) => use.container)).toEqual([undefined, 'Greeter.greet', 'formatted']);
    expect(usesOf('lib/names.py')).toEqual([{ line: 6, column: 12, text: 'return formatName("a", "b")', container: 'both' }]);
  });

  it('gives UTF-16 columns like search, without the CR of CRLF lines', async () => {
    const result = await scan({ query: 'formatName', maxTokens: 20000 });
    const use = usesIn(result, 'src/unicode.ts')[1]!;
    expect(use).toEqual({ line: 2, column: 24, text: "export const x = 'é' + formatName('ü', 'ß');", container: 'x' });
    const search = await repoScan(RepoScanInput.parse({ mode: 'search', query: "formatName('ü'", path: 'src/unicode.ts' }), services);
    expect(search.matches![0]).toMatchObject({ line: 2, column: 24 });
  });

  it('cuts a long line to a window around the use', async () => {
    const result = await scan({ query: 'formatName', maxTokens: 20000 });
    const use = usesIn(result, 'src/long.ts')[1]!;
    expect(use.text.length).toBeLessThanOrEqual(162);
    expect(use.text).toMatch(/^….*formatName\('x', 'y'\).*…$/);
  });

  it('pages through thousands of uses on one minified line, each shown as a short window', async () => {
    const first = await scan({ query: 'q', maxTokens: 2000 });
    expect(first.totalReferences).toBe(20_000);
    const uses = usesIn(first, first.references![0]!.path);
    expect(uses.length).toBeGreaterThan(10);
    expect(uses[0]).toEqual({ line: 1, column: 6, text: expect.stringMatching(/^(tick\(q\);)+…$/) });
    expect(uses.every((use) => use.text.length <= 162)).toBe(true);
    const second = await scan({ query: 'q', maxTokens: 2000, cursor: first.nextCursor! });
    expect(second.references![0]!.column).toBe(uses[uses.length - 1]!.column + 8);
    expect(second.references![0]!.text).toMatch(/^…[tick();q]+…$/);
  });

  it('leaves out vendored and generated files, as the map does', async () => {
    const result = await scan({ query: 'formatName', maxTokens: 20000 });
    expect(result.references!.map((file) => file.path)).not.toContain('vendor/copy.ts');
    expect(result.references!.map((file) => file.path)).not.toContain('dist/out.js');
  });

  it('orders files by the map rank personalised towards the definitions and the name', async () => {
    const result = await scan({ query: 'formatName', maxTokens: 20000 });
    const files = [...new Set(result.references!.map((use) => use.path))];
    const map = await repoScan(RepoScanInput.parse({ mode: 'map', focus: ['src/util.ts', 'lib/names.py'], query: 'formatName', maxTokens: 20000 }), services);
    const mapOrder = map.files!.map((file) => file.path).filter((path) => files.includes(path));
    expect(files).toEqual(mapOrder);
    // Definitions follow the same order.
    const definitionOrder = result.definitions!.map((d) => d.path);
    expect(definitionOrder).toEqual(map.files!.map((file) => file.path).filter((path) => definitionOrder.includes(path)));
  });

  it('with path, keeps the definitions in that file or folder and ranks around them', async () => {
    const python = await scan({ query: 'formatName', path: 'lib', maxTokens: 20000 });
    expect(python.definitions!.map((d) => d.path)).toEqual(['lib/names.py']);
    expect(python.totalReferences).toBe(10); // name-based: the uses stay all uses
    const ts = await scan({ query: 'formatName', path: './src/util.ts', maxTokens: 20000 });
    expect(ts.definitions!.map((d) => d.path)).toEqual(['src/util.ts']);
  });

  it('refuses a path that does not define the name, naming the files that do', async () => {
    expect(await failure({ query: 'formatName', path: 'src/a.ts' })).toBe(
      '"src/a.ts" does not define formatName; lib/names.py, src/util.ts do. Pass one of those as path, or omit path',
    );
    expect(await failure({ query: 'console', path: 'src' })).toBe('"src" does not define console, and no mapped file does. Omit path to list its uses anyway');
    await expect(scan({ query: 'formatName', path: 'nope' })).rejects.toThrow(/does not exist/);
    await expect(scan({ query: 'formatName', path: '../outside' })).rejects.toThrow(/outside the workspace root/);
  });

  it('lists the uses of a name defined nowhere, with no definitions, and says so', async () => {
    const result = await scan({ query: 'console' });
    expect(result.definitions).toEqual([]);
    expect(sites(result)).toEqual(['src/log.ts:2:3', 'src/log.ts:3:3']);
    expect(renderScan(result)).toMatch(/defined at: no mapped file/);
    const none = await scan({ query: 'neverMentionedAnywhere' });
    expect(none).toMatchObject({ definitions: [], references: [], totalReferences: 0, truncated: false });
  });

  it("handles names that are Object's own properties", async () => {
    const result = await scan({ query: 'constructor', maxTokens: 20000 });
    expect(result.definitions!.map((d) => `${d.path}:${d.line}`)).toEqual(expect.arrayContaining(['src/proto.js:2']));
    expect(sites(result)).toContain('src/proto.js:3:10');
    const proto = await scan({ query: '__proto__' });
    expect(proto.totalReferences).toBe(0);
    const inherited = await scan({ query: 'toString' });
    expect(inherited.totalReferences).toBe(0);
  });

  it('refuses a query that is not one identifier, saying what to pass', async () => {
    expect(await failure({})).toMatch(/^references needs query: the identifier to look up\. Pass query/);
    expect(await failure({ query: '  ' })).toMatch(/^references needs query/);
    expect(await failure({ query: 'Greeter.greet' })).toBe(
      'query "Greeter.greet" is not one identifier. Pass one name, e.g. "greet"; to pick the definition of a member, add path of the file that defines it',
    );
    expect(await failure({ query: 'a b' })).toMatch(/^query "a b" is not one identifier\. Pass one name, e\.g\. "b"/);
    expect(await failure({ query: '(.*)' })).toBe('query "(.*)" is not one identifier. Pass one name: a function, class, method, type or variable');
    expect(await failure({ query: 'x'.repeat(5000) })).toMatch(/^query "x{57}…" is not one identifier/);
    // Ruby's predicate and bang methods are one identifier.
    expect((await scan({ query: 'empty?' })).totalReferences).toBe(0);
  });

  it('pages through the uses with cursors, reproducing the whole list exactly, each page within budget', async () => {
    const whole = await scan({ query: 'Hub', maxTokens: 20000 });
    expect(whole.truncated).toBe(false);
    expect(whole.totalReferences).toBe(12 + ((2 + 13) * 12) / 2); // the imports, one `new Hub()` per function; hub.ts only defines it
    const pages: RepoScanOutput[] = [];
    let cursor: string | undefined;
    do {
      const page = await scan({ query: 'Hub', maxTokens: 300, ...(cursor ? { cursor } : {}) });
      pages.push(page);
      expect(await countTokens(renderScan(page))).toBeLessThanOrEqual(300);
      expect(await countTokens(JSON.stringify(page))).toBeLessThanOrEqual(300);
      cursor = page.nextCursor;
      expect(page.truncated).toBe(cursor !== undefined);
    } while (cursor && pages.length < 200);
    expect(pages.length).toBeGreaterThan(3);
    expect(pages[0]!.definitions).toEqual([expect.objectContaining({ path: 'src/hub.ts', kind: 'class' })]);
    expect(pages.slice(1).every((page) => page.definitions === undefined)).toBe(true);
    // Files cut across pages come back in order: joined, the pages are the whole list.
    const joined = pages.flatMap((page) => page.references!);
    const all = whole.references!;
    expect(joined).toEqual(all);
  });

  it('says when maxTokens is too small for one use, and counts the definitions a page could not show', async () => {
    expect(await failure({ query: 'formatName', maxTokens: 100 })).toBe('maxTokens 100 is too small to show a use. Pass a larger maxTokens');
    const cut: RepoScanOutput = { mode: 'references', root: '/r', truncated: true, definitions: [], totalDefinitions: 2, references: [], totalReferences: 3 };
    expect(renderScan(cut)).toBe(
      '3 uses by name (not type-resolved), showing 0\ndefined at: 2 places, not shown within maxTokens\n[truncated to fit maxTokens]',
    );
  });

  it('refuses a cursor from another query', async () => {
    const page = await scan({ query: 'Hub', maxTokens: 300 });
    await expect(scan({ query: 'formatName', cursor: page.nextCursor! })).rejects.toThrow(/cursor belongs to a different query/);
  });

  it('reads the cached tags on a second call and follows a changed file', async () => {
    await scan({ query: 'formatName' });
    const warm = await scan({ query: 'formatName' });
    expect(warm.parsedFiles).toBe(0);
    await writeFiles(services.workspace.root, { 'src/a.ts': "import { formatName } from './util';\nexport const again = formatName('x', 'y');\n" });
    const changed = await scan({ query: 'formatName', maxTokens: 20000 });
    expect(changed.parsedFiles).toBe(1);
    expect(usesIn(changed, 'src/a.ts')).toEqual([
      { line: 1, column: 10, text: "import { formatName } from './util';" },
      { line: 2, column: 22, text: "export const again = formatName('x', 'y');", container: 'again' },
    ]);
    await writeFiles(services.workspace.root, { 'src/a.ts': SOURCES['src/a.ts']! });
  });

  it('renders the uses grouped by file, under the definitions', async () => {
    const text = renderScan(await scan({ query: 'formatName', path: 'src/util.ts', maxTokens: 20000 }));
    expect(text).toMatch(
      /^10 uses by name \(not type-resolved\)\ndefined at:\n {2}src\/util\.ts:1 function: export function formatName\(first: string, last: string\): string\n/,
    );
    expect(text).toContain("src/a.ts:\n  1:10  import { formatName } from './util';\n  5:10  return formatName('Alice', 'Smith') + label;  [in greetAlice]");
  });
});
