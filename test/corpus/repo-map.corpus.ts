import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs helper shared with the benchmarks
import { rankingProject } from '../../bench/corpus.mjs';
// @ts-expect-error: a plain .mjs helper shared with the benchmarks
import { mostImported, RANKING_CORPUS, rankingHits } from '../../bench/imports.mjs';
import { WorkspaceState } from '../../src/core/state.js';
import { Workspace } from '../../src/core/workspace.js';
import { repoScan } from '../../src/tools/repo-scan/scan.js';
import { RepoScanInput } from '../../src/tools/repo-scan/schema.js';
import { tempDir } from '../helpers/repo.js';

/**
 * The map's ranking on real code as published (pinned, from npm and Debian, cached outside the
 * repository by bench/corpus.mjs): with a core library file in focus, at least 6 of the map's
 * first 10 files must be among the 20 files the project's own import statements name most
 * (bench/imports.mjs counts them) — library code, not the tests and examples that use it.
 */

interface RankingEntry {
  name: string;
  source: string;
  focus: string;
  crate?: string;
  exclude?: RegExp;
}

describe.each(RANKING_CORPUS as RankingEntry[])('map ranking: $name ($source)', (entry) => {
  let state: Awaited<ReturnType<typeof tempDir>>;
  let root: string;

  beforeAll(async () => {
    root = rankingProject(entry.name);
    state = await tempDir();
  });
  afterAll(() => state.cleanup());

  it(`puts the code ${entry.focus} uses and is used by at the top`, async () => {
    const workspace = await Workspace.open(root);
    const services = { workspace, state: await WorkspaceState.open(state.path, workspace.root) };
    const map = await repoScan(RepoScanInput.parse({ mode: 'map', focus: [entry.focus], maxTokens: 20_000 }), services);
    const top10: string[] = map.files!.slice(0, 10).map((file) => file.path);
    const imported: Array<{ path: string; importers: number }> = mostImported(root, entry);
    const hits: string[] = rankingHits(top10, imported);
    console.log(
      `${entry.name}: ${hits.length}/10 of the top 10 among the ${imported.length} most imported\n  ${top10.map((path) => (hits.includes(path) ? `* ${path}` : `  ${path}`)).join('\n  ')}`,
    );
    expect(top10).toHaveLength(10);
    expect(hits.length).toBeGreaterThanOrEqual(6);
  });
});
