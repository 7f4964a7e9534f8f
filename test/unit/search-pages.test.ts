import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countTokens } from '../../src/core/budget.js';
import { RACY_MS } from '../../src/core/files.js';
import { WorkspaceState } from '../../src/core/state.js';
import { Workspace } from '../../src/core/workspace.js';
import { renderScan } from '../../src/tools/repo-scan/render.js';
import { repoScan } from '../../src/tools/repo-scan/scan.js';
import { RepoScanInput, type RepoScanOutput } from '../../src/tools/repo-scan/schema.js';
import { searchesRun } from '../../src/tools/repo-scan/search.js';
import { gitRepo, tempDir, writeFiles } from '../helpers/repo.js';

/** 40 files of 8 matching lines (one with a CRLF line, non-ASCII before the match), and 10 without any. */
const FILES: Record<string, string> = {};
for (let file = 0; file < 40; file++) {
  const lines = Array.from({ length: 8 }, (_, line) => `${' '.repeat(line)}const é${line} = needle(${file}, ${line});`);
  FILES[`src/f${String(file).padStart(2, '0')}.ts`] = file === 7 ? `${lines.join('\r\n')}\r\n` : `${lines.join('\n')}\n`;
}
for (let file = 0; file < 10; file++) FILES[`src/q${file}.ts`] = 'export const quiet = 1;\n';
const HITS = 320;
const MAX_TOKENS = 400;

type Located = { path: string; line: number; column: number; text: string };
const located = (matches: RepoScanOutput['matches']): Located[] => (matches ?? []).map(({ path, line, column, text }) => ({ path, line, column, text }));

describe.each(['git', 'plain'] as const)('search pages (%s)', (kind) => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let root: string;
  let services: { workspace: Workspace; state: WorkspaceState };
  const scan = (input: Partial<RepoScanInput>) => repoScan(RepoScanInput.parse({ mode: 'search', query: 'needle', maxTokens: MAX_TOKENS, ...input }), services);

  /** Every page from `cursor` on; each must fit maxTokens in both channels. */
  const pagesFrom = async (cursor: string | undefined): Promise<{ matches: Located[]; pages: RepoScanOutput[] }> => {
    const pages: RepoScanOutput[] = [];
    do {
      const page = await scan(cursor ? { cursor } : {});
      expect(Math.max(await countTokens(JSON.stringify(page)), await countTokens(renderScan(page)))).toBeLessThanOrEqual(MAX_TOKENS);
      pages.push(page);
      cursor = page.nextCursor;
    } while (cursor);
    return { matches: pages.flatMap((page) => located(page.matches)), pages };
  };

  beforeAll(async () => {
    dir = await tempDir();
    root = join(dir.path, 'root');
    if (kind === 'git') await gitRepo(root, FILES);
    else {
      await mkdir(root);
      await writeFiles(root, FILES);
    }
    const workspace = await Workspace.open(root);
    services = { workspace, state: await WorkspaceState.open(join(dir.path, 'state'), workspace.root) };
    // A result is reused only when every file predates its search by more than timestamps can
    // tell apart: files this young would make every page search again.
    await sleep(RACY_MS + 100);
  });
  afterAll(() => dir.cleanup());

  it('pages add up to one big page, and continue the first page search without searching again', async () => {
    const whole = await scan({ maxTokens: 20_000 });
    expect(whole.truncated).toBe(false);
    expect(whole.totalMatches).toBe(HITS);
    expect(located(whole.matches)).toContainEqual({ path: 'src/f07.ts', line: 2, column: 13, text: ' const é1 = needle(7, 1);' });

    const searches = searchesRun();
    const paged = await pagesFrom(undefined);
    expect(searchesRun() - searches).toBe(1);
    expect(paged.pages.length).toBeGreaterThan(10);
    expect(paged.pages.every((page) => page.totalMatches === HITS)).toBe(true);
    expect(paged.matches).toEqual(located(whole.matches));
  });

  it('does not trust a result when a file changed just before its search', async () => {
    await writeFile(join(root, 'src/q9.ts'), 'export const quiet = 2;\n');
    const searches = searchesRun();
    const first = await scan({});
    await scan({ cursor: first.nextCursor });
    expect(searchesRun() - searches).toBe(2);
  });

  it('sees a match added between pages to a file that had none, and a new file', async () => {
    const first = await scan({});
    await writeFile(join(root, 'src/q5.ts'), 'export const quiet = needle(0, 0);\n'); // in place: no folder changes
    const rest = await pagesFrom(first.nextCursor);
    expect(rest.pages.at(-1)!.totalMatches).toBe(HITS + 1);
    expect(rest.matches).toContainEqual({ path: 'src/q5.ts', line: 1, column: 22, text: 'export const quiet = needle(0, 0);' });

    const again = await scan({});
    await writeFile(join(root, 'src/r-new.ts'), 'needle();\n');
    const more = await pagesFrom(again.nextCursor);
    expect(more.pages.at(-1)!.totalMatches).toBe(HITS + 2);
    expect(more.matches.map((match) => match.path)).toContain('src/r-new.ts');
  });

  it('answers a cursor past the end of a result that shrank with an empty last page', async () => {
    const first = await scan({});
    const second = await scan({ cursor: first.nextCursor });
    for (const path of Object.keys(FILES)) await writeFile(join(root, path), 'export const quiet = 3;\n');
    const stale = await scan({ cursor: second.nextCursor });
    expect(stale).toMatchObject({ matches: [], totalMatches: 1, truncated: false }); // src/r-new.ts
    expect(stale.nextCursor).toBeUndefined();
  });
});
