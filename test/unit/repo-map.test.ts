import { lstatSync } from 'node:fs';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelTokens } from '../../src/core/budget.js';
import { listFiles } from '../../src/core/files.js';
import { WorkspaceState } from '../../src/core/state.js';
import { Workspace } from '../../src/core/workspace.js';
import { graphKey, readGraph, writeGraph } from '../../src/tools/repo-scan/graph-file.js';
import { currentGraph } from '../../src/tools/repo-scan/map-graph.js';
import { NameTable } from '../../src/tools/repo-scan/name-table.js';
import { buildGraph, isAuxiliary, rankedSymbols, rankFiles, type GraphFile } from '../../src/tools/repo-scan/repomap.js';
import { repoScan } from '../../src/tools/repo-scan/scan.js';
import { renderScan } from '../../src/tools/repo-scan/render.js';
import { RepoScanInput } from '../../src/tools/repo-scan/schema.js';
import { KIND_FILE, KIND_FOLDER, KIND_MISSING, KIND_OTHER, STAMP_WIDTH, statAll } from '../../src/core/stat-pass.js';
import { TagCache } from '../../src/tools/repo-scan/tag-cache.js';
import { decodeIndex, encodeIndex, MEMBER, type FileRecord } from '../../src/tools/repo-scan/tag-index.js';
import type { SymbolInfo } from '../../src/tools/repo-scan/tags/index.js';
import { gitRepo, tempDir, writeFiles } from '../helpers/repo.js';

/** A graph over files given as [path, names defined, names used (each once)]. */
function graphOf(files: Array<[string, string[], string[]]>, options: { maxUses?: number } = {}) {
  const names = new NameTable();
  const input: GraphFile[] = files.map(([path, defines, uses]) => ({
    path,
    defines: Uint32Array.from(defines, (name) => names.intern(name)!),
    uses: Uint32Array.from(uses.flatMap((name) => [names.intern(name)!, 1])),
  }));
  const symbols = new Map(
    files.map(([path, defines]) => [path, defines.map((name, i): SymbolInfo => ({ name, kind: 'function', line: i + 1, endLine: i + 1 }))]),
  );
  return buildGraph({ files: input, names, symbolsOf: (path) => symbols.get(path) ?? [] }, options);
}

describe('repo map graph', () => {
  it('costs one edge per use and per definition, not per pair of files', () => {
    for (const [users, definers] of [
      [10, 10],
      [1000, 1000],
      [3000, 50],
    ] as const) {
      const files: Array<[string, string[], string[]]> = [];
      for (let i = 0; i < definers; i++) files.push([`lib/d${i}.ts`, ['shared'], []]);
      for (let i = 0; i < users; i++) files.push([`app/u${i}.ts`, [], ['shared']]);
      const graph = graphOf(files);
      expect(graph.edges).toBe(users + definers);
      const ranking = rankFiles(graph, { focus: [], mentioned: new Set() });
      expect(ranking.files).toHaveLength(users + definers);
      // Every definer shares equally in what the users hand to the name.
      expect(ranking.rank[graph.index.get('lib/d0.ts')!]).toBeCloseTo(ranking.rank[graph.index.get(`lib/d${definers - 1}.ts`)!]!, 12);
    }
  });

  it('ranks what a file uses above what it does not, and its own definitions do not count as uses', () => {
    const graph = graphOf([
      ['src/core.ts', ['parseConfig', 'helper'], ['helper']],
      ['src/other.ts', ['unrelated'], []],
      ['src/app.ts', ['main'], ['parseConfig', 'parseConfig']],
      ['src/cli.ts', ['run'], ['parseConfig', 'main']],
    ]);
    expect(graph.edges).toBe(3 + 3); // core.ts's use of its own helper is no edge
    const ranking = rankFiles(graph, { focus: [], mentioned: new Set() });
    expect(ranking.files[0]!.path).toBe('src/core.ts');
    expect(ranking.files.findIndex((f) => f.path === 'src/app.ts')).toBeLessThan(ranking.files.findIndex((f) => f.path === 'src/other.ts'));
    const symbols = rankedSymbols(ranking, graph.index.get('src/core.ts')!);
    expect(symbols.map((s) => s.name)).toEqual(['parseConfig', 'helper']);
    expect(symbols[1]!.rank).toBe(0);
  });

  it('puts the focus first, then library code, then tests and examples unless the task names them', () => {
    const graph = graphOf([
      ['src/router.ts', ['Router'], ['Layer']],
      ['src/layer.ts', ['Layer'], []],
      ['src/unused.ts', ['lonely'], []],
      ['test/router.test.ts', ['makeRouter', 'fixtureApp'], ['Router', 'Layer', 'Router']],
      ['examples/app.ts', ['Layer'], ['Router']],
    ]);
    const plain = rankFiles(graph, { focus: ['src/router.ts'], mentioned: new Set() }).files.map((f) => f.path);
    expect(plain[0]).toBe('src/router.ts');
    expect(plain.slice(1, 3).sort()).toEqual(['src/layer.ts', 'src/unused.ts']);
    expect(plain.slice(3).sort()).toEqual(['examples/app.ts', 'test/router.test.ts']);
    // A library name an example also defines goes mostly to the library's definition.
    const ranking = rankFiles(graph, { focus: [], mentioned: new Set() });
    expect(ranking.rank[graph.index.get('src/layer.ts')!]).toBeGreaterThan(ranking.rank[graph.index.get('examples/app.ts')!]!);
    // Named in the query, or in focus, a test ranks with (or above) the library.
    expect(rankFiles(graph, { focus: [], mentioned: new Set(['makeRouter']) }).files[0]!.path).toBe('test/router.test.ts');
    expect(rankFiles(graph, { focus: ['test/router.test.ts'], mentioned: new Set() }).files[0]!.path).toBe('test/router.test.ts');
  });

  it('tells tests, examples, fixtures, benchmarks and docs from library code by path', () => {
    for (const path of [
      'test/a.js',
      'pkg/tests/b.py',
      'src/__tests__/c.ts',
      'spec/d.rb',
      'src/e.test.ts',
      'src/f.spec.js',
      'net/http_test.go',
      'tests/test_g.py',
      'pkg/test_h.py',
      'examples/i.rs',
      'example/j.js',
      'test/fixtures/k.ts',
      'benches/l.rs',
      'benchmark/m.js',
      'bench/n.mjs',
      'docs/o.py',
      'conftest.py',
    ]) {
      expect(isAuxiliary(path), path).toBe(true);
    }
    for (const path of ['src/index.ts', 'lib/testing.js', 'src/contest.py', 'pkg/latest/a.go', 'src/specification.ts', 'attest.rs']) {
      expect(isAuxiliary(path), path).toBe(false);
    }
  });

  it('degrades past its size limit: each file keeps its most used names, and the graph says so', () => {
    const files: Array<[string, string[], string[]]> = [['lib/defs.ts', ['a', 'b', 'c', 'd'], []]];
    for (let i = 0; i < 20; i++) files.push([`app/u${i}.ts`, [], ['a', 'b', 'c', 'd']]);
    const graph = graphOf(files, { maxUses: 40 });
    expect(graph.edges).toBe(40 + 2); // a and b, used by all, linked; c and d left out
    expect(graph.note).toMatch(/2 most used names/);
    expect(rankFiles(graph, { focus: [], mentioned: new Set() }).files[0]!.path).toBe('lib/defs.ts');
  });

  it('weighs members below top-level definitions of the same name', () => {
    const names = new NameTable();
    const id = names.intern('value')!;
    const use = names.intern('Thing')!;
    const graph = buildGraph({
      files: [
        { path: 'src/a.ts', defines: Uint32Array.of(id, use), uses: new Uint32Array(0) },
        { path: 'src/b.ts', defines: Uint32Array.of((id | MEMBER) >>> 0), uses: new Uint32Array(0) },
        { path: 'src/c.ts', defines: new Uint32Array(0), uses: Uint32Array.of(id, 1, use, 1) },
      ],
      names,
      symbolsOf: () => [],
    });
    const ranking = rankFiles(graph, { focus: [], mentioned: new Set() });
    expect(ranking.rank[0]).toBeGreaterThan(ranking.rank[1]!);
  });
});

describe('tag index', () => {
  function sample(): { names: NameTable; files: Map<string, FileRecord> } {
    const names = new NameTable();
    const [a, b] = [names.intern('alpha')!, names.intern('_beta_value')!];
    const files = new Map<string, FileRecord>([
      [
        'src/a.ts',
        {
          size: 10,
          mtimeMs: 1.5,
          hash: 'ab'.repeat(20),
          language: 'typescript',
          uses: Uint32Array.of(b, 3),
          defines: Uint32Array.of(a),
          symbols: { segment: 'symbols-00.bin', offset: 0, length: 5 },
        },
      ],
      [
        'data/b.py',
        {
          size: 0,
          mtimeMs: 2,
          hash: '',
          stale: true,
          language: undefined,
          uses: new Uint32Array(0),
          defines: Uint32Array.of((b | MEMBER) >>> 0),
          symbols: undefined,
        },
      ],
    ]);
    return { names, files };
  }

  it('reads back what it wrote', () => {
    const { names, files } = sample();
    const decoded = decodeIndex(Buffer.concat(encodeIndex(names, files, 'r1')))!;
    expect(decoded.header).toMatchObject({ files: 2, names: 2, uses: 1, defines: 2 });
    expect([...decoded.files.keys()]).toEqual(['src/a.ts', 'data/b.py']);
    const a = decoded.files.get('src/a.ts')!;
    const { size, mtimeMs, hash, language, symbols } = a;
    expect({ size, mtimeMs, hash, language, symbols, uses: [...a.uses], defines: [...a.defines] }).toEqual({
      ...files.get('src/a.ts')!,
      uses: [1, 3],
      defines: [0],
    });
    const b = decoded.files.get('data/b.py')!;
    expect(b.language).toBeUndefined();
    expect(b.symbols).toBeUndefined();
    expect(b.stale).toBe(true);
    expect(a.stale).toBe(false);
    expect(decoded.names.idOf('_beta_value')).toBe(1);
    expect(decoded.names.flags[1]).toBe(names.flags[1]);
  });

  it('refuses a damaged, cut or other-version index rather than trusting it', () => {
    const { names, files } = sample();
    const bytes = Buffer.concat(encodeIndex(names, files, 'r1'));
    expect(decodeIndex(bytes.subarray(0, bytes.length - 9))).toBeUndefined();
    expect(decodeIndex(Buffer.from('not an index'))).toBeUndefined();
    expect(decodeIndex(Buffer.from(bytes.toString('latin1').replace('"version":1', '"version":9'), 'latin1'))).toBeUndefined();
    const badId = Buffer.from(bytes);
    const header = JSON.parse(badId.subarray(0, badId.indexOf(10)).toString());
    const usesAt = Math.ceil((badId.indexOf(10) + 1) / 8) * 8 + header.sections.uses[0];
    badId.writeUInt32LE(999, usesAt); // a name id past the table
    expect(decodeIndex(badId)).toBeUndefined();
  });
});

describe('map on a tree where every file shares names', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let services: { workspace: Workspace; state: WorkspaceState };
  const COMMON = ['get', 'set', 'run', 'init', 'handle', 'loadConfig', 'parseInput'];

  beforeAll(async () => {
    dir = await tempDir();
    const files: Record<string, string> = {};
    for (let i = 0; i < 300; i++) {
      const defined = COMMON.map((name) => `export function ${name}(x: number): number {\n  return x;\n}\n`).join('');
      const used = `export function use${i}(): number {\n  return ${COMMON.map((name) => `${name}(${i})`).join(' + ')};\n}\n`;
      files[`${i % 3 === 0 ? 'test' : 'src'}/m${i}.ts`] = defined + used;
    }
    await gitRepo(join(dir.path, 'repo'), files);
    const workspace = await Workspace.open(join(dir.path, 'repo'));
    services = { workspace, state: await WorkspaceState.open(join(dir.path, 'state'), workspace.root) };
  });
  afterAll(() => dir.cleanup());

  it('maps without error, with a graph linear in the files', async () => {
    const result = await repoScan(RepoScanInput.parse({ mode: 'map', query: 'loadConfig' }), services);
    expect(result.parsedFiles).toBe(300);
    expect(result.map).toMatch(/^src\/m\d+\.ts:\n/);
    // Both channels fit maxTokens (4000), so the server never runs the map twice to fit it.
    expect(result.truncated).toBe(true);
    expect(await channelTokens(result, renderScan(result), 4000)).toBeLessThanOrEqual(4000);
    // Each file defines the shared names and uses them: its uses of names it defines link nowhere,
    // so only the use* functions' names would link, and nobody uses those.
    const { graph } = await currentGraph(services, {});
    expect(graph.edges).toBeLessThanOrEqual(300 * (COMMON.length + 1) * 2);
  });
});

describe.runIf(process.platform === 'linux')('map on a watched tree', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let services: { workspace: Workspace; state: WorkspaceState };

  beforeAll(async () => {
    dir = await tempDir();
    const files: Record<string, string> = {};
    for (let i = 0; i < 40; i++) files[`src/part${i % 4}/m${i}.ts`] = `export function f${i}(): number {\n  return ${i > 0 ? `f${i - 1}()` : '0'};\n}\n`;
    await gitRepo(join(dir.path, 'repo'), files);
    const workspace = await Workspace.open(join(dir.path, 'repo'));
    services = { workspace, state: await WorkspaceState.open(join(dir.path, 'state'), workspace.root) };
  });
  afterAll(() => dir.cleanup());

  it('checks only the files the watch reports once it is watching, and sees every change', async () => {
    const store = TagCache.for(services.state);
    const { paths } = await listFiles(services.workspace, {});
    const look = () => store.refresh(services.workspace, paths, { watch: true });
    expect((await look()).parsed).toBe(40); // cold: every file
    await new Promise((resolve) => setTimeout(resolve, 1500)); // the watches start after a look
    expect((await look()).checked).toBe(40); // what changed before they started is unknown
    expect((await look()).checked).toBe(0);
    await writeFile(join(services.workspace.root, 'src/part1/m5.ts'), 'export function f5(): number {\n  return 5;\n}\n');
    const afterEdit = await look();
    expect(afterEdit).toMatchObject({ checked: 1, parsed: 1 });
    await writeFile(join(services.workspace.root, 'src/part2/m6.ts'), 'export function f6(): number {\n  return 6;\n}\n');
    await writeFile(join(services.workspace.root, 'src/part3/m7.ts'), 'export function f7(): number {\n  return 7;\n}\n');
    expect(await look()).toMatchObject({ checked: 2, parsed: 2 });
    // Another list of paths (a new listing) is checked in full.
    expect((await store.refresh(services.workspace, [...paths], { watch: true })).checked).toBe(40);
  });
});

describe('stored graph', () => {
  it('is read back for the same revision and paths only, and never when damaged', async () => {
    const dir = await tempDir();
    try {
      const graph = graphOf([
        ['src/a.ts', ['alpha'], ['beta']],
        ['src/b.ts', ['beta'], ['alpha', 'gamma']],
        ['test/c.test.ts', ['gamma'], ['alpha']],
      ]);
      const plain = rankFiles(graph, { focus: [], mentioned: new Set() });
      const file = join(dir.path, 'graph.bin');
      const key = graphKey('rev1', graph.paths);
      await writeGraph(file, key, graph, plain);
      const stored = (await readGraph(file, key, 3, 3))!;
      expect([...stored.graph.useName]).toEqual([...graph.useName]);
      expect([...stored.graph.definerShare]).toEqual([...graph.definerShare]);
      expect([...stored.base.rank]).toEqual([...plain.rank]);
      expect(await readGraph(file, graphKey('rev2', graph.paths), 3, 3)).toBeUndefined();
      expect(await readGraph(file, graphKey('rev1', ['src/a.ts']), 3, 3)).toBeUndefined();
      expect(await readGraph(file, key, 4, 3)).toBeUndefined(); // other files than it was built for
      const bytes = await readFile(file);
      await writeFile(file, bytes.subarray(0, bytes.length - 16));
      expect(await readGraph(file, key, 3, 3)).toBeUndefined();
      const header = JSON.parse(bytes.subarray(0, bytes.indexOf(10)).toString());
      const damaged = Buffer.from(bytes);
      damaged.writeUInt32LE(7, Math.ceil((bytes.indexOf(10) + 1) / 8) * 8 + header.sections.useName[0]); // a name past the table
      await writeFile(file, damaged);
      expect(await readGraph(file, key, 3, 3)).toBeUndefined();
    } finally {
      await dir.cleanup();
    }
  });
});

describe('stat pass', () => {
  it('stamps many files on threads exactly as one lstat each would', async () => {
    const dir = await tempDir();
    try {
      const files: Record<string, string> = {};
      for (let i = 0; i < 9000; i++) files[`d${i % 30}/f${i}.txt`] = 'x'.repeat(i % 7);
      await writeFiles(dir.path, files);
      await mkdir(join(dir.path, 'folder'));
      await symlink('/etc/passwd', join(dir.path, 'link'));
      const paths = [...Object.keys(files), 'missing.txt', 'folder', 'link'];
      const stamps = await statAll(dir.path, paths);
      expect(stamps).toHaveLength(paths.length * STAMP_WIDTH);
      for (const i of [0, 1234, 8999]) {
        const info = lstatSync(join(dir.path, paths[i]!));
        expect([...stamps.subarray(i * STAMP_WIDTH, (i + 1) * STAMP_WIDTH)]).toEqual([KIND_FILE, info.size, info.mtimeMs]);
      }
      expect(stamps[9000 * STAMP_WIDTH]).toBe(KIND_MISSING);
      expect(stamps[9001 * STAMP_WIDTH]).toBe(KIND_FOLDER);
      expect(stamps[9002 * STAMP_WIDTH]).toBe(KIND_OTHER); // the link itself, not followed
    } finally {
      await dir.cleanup();
    }
  });
});
