import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs helper shared with the benchmarks
import { npmProject } from '../../bench/corpus.mjs';
import { WorkspaceState } from '../../src/core/state.js';
import { Workspace } from '../../src/core/workspace.js';
import { repoScan } from '../../src/tools/repo-scan/scan.js';
import { RepoScanInput, type RepoScanOutput } from '../../src/tools/repo-scan/schema.js';
import { tempDir } from '../helpers/repo.js';

/**
 * repo-scan `references` on a real TypeScript project as published on npm (immer 10.1.1: its
 * src/ ships with the package; pinned, cached outside the repository by bench/corpus.mjs),
 * against lists verified by reading the code: every use, with its column and enclosing symbol,
 * and nothing from comments. Run with `npm run test:corpus` (needs the npm registry the first time).
 *
 * The containers are the symbols repo-scan extracts: `objectTraps` is an exported object literal
 * whose `get` method is not a symbol of its own, and the classes inside `enableMapSet()` are local
 * to it, so their uses are in `enableMapSet`.
 */

type Site = [path: string, line: number, column: number, container?: string];

/** immer's createProxy: defined in src/core/immerClass.ts:204; line 208 names it in a comment, which does not count. */
const CREATE_PROXY_USES: Site[] = [
  ['src/core/immerClass.ts', 94, 18, 'Immer.produce'], // const proxy = createProxy(base, undefined)
  ['src/core/immerClass.ts', 140, 17, 'Immer.createDraft'], // const proxy = createProxy(base, undefined)
  ['src/core/proxy.ts', 18, 2], // import { …, createProxy, … } from "../internal"
  ['src/core/proxy.ts', 119, 40, 'objectTraps.get'], // return (state.copy_![prop as any] = createProxy(value, state))
  ['src/plugins/mapset.ts', 12, 2], // import
  ['src/plugins/mapset.ts', 112, 18, 'enableMapSet'], // DraftMap.get: const draft = createProxy(value, state)
  ['src/plugins/mapset.ts', 289, 20, 'enableMapSet'], // prepareSetCopy: const draft = createProxy(value, state)
];

/** immer's isDraftable: defined in src/utils/common.ts:25 (dist/ is generated, its .js and .d.ts alike, and left out as the map leaves it). */
const IS_DRAFTABLE_USES: Site[] = [
  ['src/core/current.ts', 9, 2], // import
  ['src/core/current.ts', 21, 7, 'currentImpl'], // if (!isDraftable(value) || isFrozen(value)) return value
  ['src/core/finalize.ts', 4, 2], // import
  ['src/core/finalize.ts', 30, 7, 'processResult'], // if (isDraftable(result)) {
  ['src/core/finalize.ts', 138, 6, 'finalizeProperty'], // if (isDraftable(childValue) && !isFrozen(childValue)) {
  ['src/core/immerClass.ts', 6, 2], // import
  ['src/core/immerClass.ts', 92, 7, 'Immer.produce'], // if (isDraftable(base)) {
  ['src/core/immerClass.ts', 137, 8, 'Immer.createDraft'], // if (!isDraftable(base)) die(8)
  ['src/core/proxy.ts', 5, 2], // import
  ['src/core/proxy.ts', 112, 28, 'objectTraps.get'], // if (state.finalized_ || !isDraftable(value)) {
  ['src/immer.ts', 19, 2], // export { …, isDraftable, … } from "./internal"
  ['src/plugins/mapset.ts', 11, 2], // import
  ['src/plugins/mapset.ts', 105, 29, 'enableMapSet'], // if (state.finalized_ || !isDraftable(value)) {
  ['src/plugins/mapset.ts', 288, 9, 'enableMapSet'], // if (isDraftable(value)) {
  ['src/plugins/patches.ts', 21, 2], // import
  ['src/plugins/patches.ts', 293, 8, 'enablePatches'], // if (!isDraftable(obj)) return obj
  ['src/utils/common.ts', 199, 40, 'freeze'], // if (isFrozen(obj) || isDraft(obj) || !isDraftable(obj)) return obj
];

describe('repo-scan references on a real project (immer 10.1.1)', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let services: { workspace: Workspace; state: WorkspaceState };
  const scan = (input: Partial<RepoScanInput>) => repoScan(RepoScanInput.parse({ mode: 'references', maxTokens: 20000, ...input }), services);
  const sitesOf = (result: RepoScanOutput): Site[] =>
    (result.references ?? [])
      .map((use): Site => (use.container ? [use.path, use.line, use.column, use.container] : [use.path, use.line, use.column]))
      .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1] || a[2] - b[2]));

  beforeAll(async () => {
    dir = await tempDir();
    const workspace = await Workspace.open(npmProject('immer', '10.1.1'));
    services = { workspace, state: await WorkspaceState.open(join(dir.path, 'state'), workspace.root) };
  });
  afterAll(() => dir.cleanup());

  it('finds every use of createProxy and its one definition', async () => {
    const result = await scan({ query: 'createProxy' });
    expect(result.definitions).toEqual([
      {
        path: 'src/core/immerClass.ts',
        line: 204,
        kind: 'function',
        signature: 'export function createProxy<T extends Objectish>(value: T, parent?: ImmerState): Drafted<T, ImmerState>',
      },
    ]);
    expect(sitesOf(result)).toEqual(CREATE_PROXY_USES);
    expect(result.totalReferences).toBe(CREATE_PROXY_USES.length);
    // The file defining it comes first.
    expect(result.references![0]!.path).toBe('src/core/immerClass.ts');
  });

  it('finds every use of isDraftable, and path picks its definition', async () => {
    const result = await scan({ query: 'isDraftable' });
    expect(result.definitions!.map((d) => `${d.path}:${d.line}`).sort()).toEqual(['src/utils/common.ts:25']); // dist/immer.d.ts:122 declares it too: generated, left out
    expect(sitesOf(result)).toEqual(IS_DRAFTABLE_USES);
    const picked = await scan({ query: 'isDraftable', path: 'src/utils/common.ts' });
    expect(picked.definitions).toEqual([
      { path: 'src/utils/common.ts', line: 25, kind: 'function', signature: 'export function isDraftable(value: any): boolean' },
    ]);
    expect(sitesOf(picked)).toEqual(IS_DRAFTABLE_USES);
  });

  it('pages through isDraftable with cursors to the same list', async () => {
    const seen: RepoScanOutput[] = [];
    let cursor: string | undefined;
    do {
      const page = await scan({ query: 'isDraftable', maxTokens: 250, ...(cursor ? { cursor } : {}) });
      seen.push(page);
      cursor = page.nextCursor;
    } while (cursor && seen.length < 50);
    expect(seen.length).toBeGreaterThan(2);
    const joined = seen.flatMap((page) => page.references!.map((use) => [use.path, use.line, use.column]));
    const whole = (await scan({ query: 'isDraftable' })).references!.map((use) => [use.path, use.line, use.column]);
    expect(joined).toEqual(whole);
  });
});
