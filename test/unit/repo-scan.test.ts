import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleGit } from 'simple-git';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countTokens } from '../../src/core/budget.js';
import { WorkspaceState } from '../../src/core/state.js';
import { Workspace } from '../../src/core/workspace.js';
import { renderScan } from '../../src/tools/repo-scan/render.js';
import { repoScan } from '../../src/tools/repo-scan/scan.js';
import { RepoScanInput, type RepoScanOutput } from '../../src/tools/repo-scan/schema.js';
import { gitRepo, tempDir, writeFiles } from '../helpers/repo.js';

const SOURCES: Record<string, string> = {
  'README.md': '# Demo project\n\nA small project used by the repo-scan tests.\n',
  'package.json': JSON.stringify({ name: 'demo', scripts: { test: 'vitest run' }, devDependencies: { vitest: '^4.0.0' } }, null, 2),
  'package-lock.json': '{}\n',
  '.gitignore': 'ignored/\n*.log\n',
  'src/util.ts': 'export function formatName(first: string, last: string): string {\n  return `${first} ${last}`;\n}\n\nexport const SEPARATOR = ", ";\n',
  'src/a.ts': "import { formatName } from './util';\nexport function greetAlice(): string {\n  return formatName('Alice', 'Smith');\n}\n",
  'src/b.ts':
    "import { formatName, SEPARATOR } from './util';\nimport { greetAlice } from './a';\nexport function greetBoth(): string {\n  return greetAlice() + SEPARATOR + formatName('Bob', 'Jones');\n}\n",
  'src/c.ts': "import { formatName } from './util';\nexport class Greeter {\n  greet(name: string): string {\n    return formatName(name, 'Doe');\n  }\n}\n",
  'lib/tools.py':
    'def parse_args(argv):\n    """Parse the command line."""\n    return list(argv)\n\n\nclass Runner:\n    def run(self):\n        return parse_args([])\n',
  'packages/web/.gitignore': 'secret.txt\n',
  'packages/web/index.js': 'export const VERSION = "1.0.0";\nconsole.log("TODO: hello web");\n',
  'vendor/lib.js': 'function vendored() { return 1; }\n',
  'img.bin': 'PNG\0\0\0binary\0data TODO\n',
};
const UNTRACKED = { 'notes.md': 'TODO: write more notes\n' };
const IGNORED = { 'ignored/x.txt': 'TODO hidden\n', 'debug.log': 'TODO log\n', 'packages/web/secret.txt': 'TODO secret\n' };

describe('repo-scan', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let plain: string;
  let services: { workspace: Workspace; state: WorkspaceState };
  let plainServices: { workspace: Workspace; state: WorkspaceState };
  const scan = (input: Partial<RepoScanInput> & { mode: RepoScanInput['mode'] }, on = services) => repoScan(RepoScanInput.parse(input), on);

  beforeAll(async () => {
    dir = await tempDir();
    const repo = join(dir.path, 'repo');
    await mkdir(repo);
    await gitRepo(repo, SOURCES, UNTRACKED);
    await writeFiles(repo, IGNORED);
    plain = join(dir.path, 'plain');
    await mkdir(plain);
    await writeFiles(plain, { ...SOURCES, ...UNTRACKED, ...IGNORED });
    const workspace = await Workspace.open(repo);
    services = { workspace, state: await WorkspaceState.open(join(dir.path, 'state'), workspace.root) };
    const plainWorkspace = await Workspace.open(plain);
    plainServices = { workspace: plainWorkspace, state: await WorkspaceState.open(join(dir.path, 'state'), plainWorkspace.root) };
  });
  afterAll(() => dir.cleanup());

  describe('tree', () => {
    it('lists exactly what git ls-files lists, with sizes', async () => {
      const result = await scan({ mode: 'tree', maxTokens: 20000 });
      const gitList = (await simpleGit(services.workspace.root).raw(['ls-files', '--cached', '--others', '--exclude-standard'])).trim().split('\n').sort();
      expect(result.entries!.map((e) => e.path)).toEqual(gitList);
      expect(result.entries!.find((e) => e.path === 'src/util.ts')).toMatchObject({ type: 'file', size: SOURCES['src/util.ts']!.length });
      expect(result.entries!.map((e) => e.path)).toContain('notes.md');
      expect(result.entries!.map((e) => e.path)).not.toContain('debug.log');
      expect(result.truncated).toBe(false);
    });

    it('honours nested .gitignore files outside git, the same way', async () => {
      const inGit = await scan({ mode: 'tree', maxTokens: 20000 });
      const outside = await scan({ mode: 'tree', maxTokens: 20000 }, plainServices);
      expect(outside.entries!.map((e) => e.path)).toEqual(inGit.entries!.map((e) => e.path));
    });

    it('filters by glob at any depth and by path', async () => {
      const ts = await scan({ mode: 'tree', glob: '*.ts' });
      expect(ts.entries!.map((e) => e.path)).toEqual(['src/a.ts', 'src/b.ts', 'src/c.ts', 'src/util.ts']);
      const web = await scan({ mode: 'tree', path: 'packages/web' });
      expect(web.entries!.map((e) => e.path)).toEqual(['packages/web/.gitignore', 'packages/web/index.js']);
      await expect(scan({ mode: 'tree', path: 'nope' })).rejects.toThrow(/does not exist/);
      await expect(scan({ mode: 'tree', path: '../x' })).rejects.toThrow(/outside the workspace root/);
    });

    it('pages with cursors, stays in budget and refuses a cursor from another query', async () => {
      const all = (await scan({ mode: 'tree', maxTokens: 20000 })).entries!.map((e) => e.path);
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page: RepoScanOutput = await scan({ mode: 'tree', maxTokens: 90, cursor });
        expect(await countTokens(renderScan(page))).toBeLessThanOrEqual(90);
        seen.push(...page.entries!.map((e) => e.path));
        cursor = page.nextCursor;
        pages++;
      } while (cursor);
      expect(pages).toBeGreaterThan(1);
      expect(seen).toEqual(all);
      const first = await scan({ mode: 'tree', maxTokens: 90 });
      await expect(scan({ mode: 'tree', glob: '*.ts', cursor: first.nextCursor })).rejects.toThrow(/different query/);
    });
  });

  describe('search', () => {
    it('finds literal text in tracked and untracked files, never ignored or binary ones, sorted', async () => {
      const result = await scan({ mode: 'search', query: 'TODO' });
      expect(result.matches!.map((m) => `${m.path}:${m.line}:${m.column}`)).toEqual(['notes.md:1:1', 'packages/web/index.js:2:14']);
      expect(result.totalMatches).toBe(2);
    });

    it('gives the same answer without git', async () => {
      for (const input of [{ query: 'TODO' }, { query: 'format\\w+', regex: true }, { query: 'formatname' }]) {
        const inGit = await scan({ mode: 'search', ...input });
        const outside = await scan({ mode: 'search', ...input }, plainServices);
        expect(outside.matches).toEqual(inGit.matches);
      }
    });

    it('supports regex, smart case, explicit case, globs and context lines', async () => {
      const regex = await scan({ mode: 'search', query: 'greet\\w+\\(\\)', regex: true });
      expect(regex.matches!.map((m) => m.path)).toEqual(['src/a.ts', 'src/b.ts', 'src/b.ts']);
      expect((await scan({ mode: 'search', query: 'greeter' })).totalMatches).toBe(1);
      expect((await scan({ mode: 'search', query: 'Greeter' })).totalMatches).toBe(1);
      expect((await scan({ mode: 'search', query: 'greeter', caseSensitive: true })).totalMatches).toBe(0);
      expect((await scan({ mode: 'search', query: 'formatName', glob: 'src/a*' })).matches!.map((m) => m.path)).toEqual(['src/a.ts', 'src/a.ts']);
      const context = await scan({ mode: 'search', query: 'return formatName', path: 'src/c.ts', contextLines: 1 });
      expect(context.matches![0]).toMatchObject({ line: 4, before: ['  greet(name: string): string {'], after: ['  }'] });
    });

    it('explains an invalid regex and an empty query', async () => {
      await expect(scan({ mode: 'search', query: 'a(b', regex: true })).rejects.toMatchObject({
        message: expect.stringMatching(/invalid regex/),
        hint: expect.stringMatching(/regex: false/),
      });
      await expect(scan({ mode: 'search' })).rejects.toThrow(/needs a query/);
    });
  });

  describe('read', () => {
    it('reads a range with line numbers in the rendering', async () => {
      const result = await scan({ mode: 'read', path: 'src/b.ts', startLine: 3, endLine: 4 });
      expect(result).toMatchObject({ path: 'src/b.ts', startLine: 3, endLine: 4, totalLines: 5, truncated: false });
      expect(result.text).toBe("export function greetBoth(): string {\n  return greetAlice() + SEPARATOR + formatName('Bob', 'Jones');");
      expect(renderScan(result)).toMatch(/^\s+3\texport function greetBoth/m);
    });

    it('pages a big file within the budget', async () => {
      await writeFile(join(services.workspace.root, 'big.txt'), Array.from({ length: 3000 }, (_, i) => `line number ${i + 1}`).join('\n'));
      const first = await scan({ mode: 'read', path: 'big.txt', maxTokens: 500 });
      expect(first.truncated).toBe(true);
      expect(await countTokens(renderScan(first))).toBeLessThanOrEqual(500);
      const second = await scan({ mode: 'read', path: 'big.txt', maxTokens: 500, cursor: first.nextCursor });
      expect(second.startLine).toBe(first.endLine! + 1);
      expect(second.text!.split('\n')[0]).toBe(`line number ${first.endLine! + 1}`);
    });

    it('refuses binary files, folders, missing files and paths outside the root', async () => {
      await expect(scan({ mode: 'read', path: 'img.bin' })).rejects.toThrow(/binary file/);
      await expect(scan({ mode: 'read', path: 'src' })).rejects.toThrow(/is a folder/);
      await expect(scan({ mode: 'read', path: 'missing.ts' })).rejects.toThrow(/does not exist/);
      await expect(scan({ mode: 'read', path: '/etc/passwd' })).rejects.toThrow(/outside the workspace root/);
      await expect(scan({ mode: 'read', path: 'src/a.ts', startLine: 99 })).rejects.toThrow(/past the end/);
    });
  });

  describe('overview', () => {
    it('reports git state, languages, manifests, test runners, tree and readme', async () => {
      const result = await scan({ mode: 'overview' });
      expect(result.git).toMatchObject({ branch: 'main', dirty: true });
      expect(result.git!.head).toMatch(/^[0-9a-f]{7,}$/);
      expect(result.languages!.find((l) => l.name === 'TypeScript')).toEqual({ name: 'TypeScript', files: 4, lines: 20 });
      expect(result.languages!.find((l) => l.name === 'Python')).toMatchObject({ files: 1, lines: 8 });
      expect(result.vendoredFiles).toBe(1);
      expect(result.generatedFiles).toBe(1); // package-lock.json
      expect(result.manifests![0]).toMatchObject({ path: 'package.json', name: 'demo', facts: { packageManager: 'npm', scripts: { test: 'vitest run' } } });
      expect(result.testRunners!.map((r) => r.runner)).toEqual(['vitest', 'npm-script']);
      // A small repository's tree names every file, under its folder.
      expect(result.tree).toMatch(/^\s+src\/\n\s+a\.ts\n\s+b\.ts\n\s+c\.ts\n\s+util\.ts$/m);
      expect(result.readme).toMatch(/^# Demo project/);
    });

    it('names folders with counts, not files, once a repository has more files than the tree shows', async () => {
      const { fileTree, folderTree } = await import('../../src/tools/repo-scan/overview.js');
      const many = Array.from({ length: 80 }, (_, i) => `pkg/m${i % 4}/f${i}.ts`);
      expect(folderTree(many, 2, 60)).toMatch(/^\s+pkg\/ \(80\)$/m);
      expect(fileTree(['README.md', 'src/a/x.ts', 'src/a/y.ts', 'src/b.ts', 'z.txt'])).toBe(
        ['./ (5 files)', '  README.md', '  src/', '    a/', '      x.ts', '      y.ts', '    b.ts', '  z.txt'].join('\n'),
      );
    });

    it('works outside git and fits a tiny budget', async () => {
      const result = await scan({ mode: 'overview', maxTokens: 150 }, plainServices);
      expect(result.git).toBeNull();
      expect(result.truncated).toBe(true);
      expect(await countTokens(renderScan(result))).toBeLessThanOrEqual(150);
    });
  });

  describe('symbols and map', () => {
    it('outlines the files under a path', async () => {
      const result = await scan({ mode: 'symbols', path: 'src' });
      const util = result.files!.find((f) => f.path === 'src/util.ts')!;
      expect(util.language).toBe('typescript');
      expect(util.symbols).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ name: 'formatName', kind: 'function', line: 1, endLine: 3 }),
          expect.objectContaining({ name: 'SEPARATOR', kind: 'constant' }),
        ]),
      );
      const c = result.files!.find((f) => f.path === 'src/c.ts')!;
      expect(c.symbols).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'greet', kind: 'method', container: 'Greeter' })]));
    });

    it('ranks the file everyone imports first, and focus moves the ranking', async () => {
      const plainMap = await scan({ mode: 'map' });
      expect(plainMap.files![0]!.path).toBe('src/util.ts');
      expect(plainMap.map).toMatch(/src\/util\.ts:\n\s+1│ .*formatName/);
      const focused = await scan({ mode: 'map', focus: ['lib/tools.py'] });
      expect(focused.files![0]!.path).toBe('lib/tools.py');
      const queried = await scan({ mode: 'map', query: 'how is parse_args used?' });
      const rankOf = (r: RepoScanOutput, path: string) => r.files!.findIndex((f) => f.path === path);
      expect(rankOf(queried, 'lib/tools.py')).toBeLessThan(rankOf(plainMap, 'lib/tools.py'));
      expect(queried.files![0]!.path).toBe('lib/tools.py');
    });

    it('fits the map to the budget exactly and reuses the tag cache', async () => {
      const small = await scan({ mode: 'map', maxTokens: 120 });
      expect(await countTokens(renderScan(small))).toBeLessThanOrEqual(120);
      const again = await scan({ mode: 'map' });
      expect(again.parsedFiles).toBe(0);
      await appendFile(join(services.workspace.root, 'src/a.ts'), 'export function greetCarol(): string { return formatName("C", "D"); }\n');
      const changed = await scan({ mode: 'map' });
      expect(changed.parsedFiles).toBe(1);
    });
  });
});
