// The repository map on a 50k-file repository whose files share names heavily (bench/fixtures.mjs
// sharedNamesRepo): cold (every file parsed), warm (nothing changed), the first call of a new
// server on the same state dir, the server's peak memory and the size of the graph. The cold map
// of a build that cannot finish (a crash, or past BENCH_MAP_CAP_S) is reported as such.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rankingProject } from './corpus.mjs';
import { sharedNamesRepo } from './fixtures.mjs';
import { mostImported, RANKING_CORPUS, rankingHits } from './imports.mjs';
import { BATON_CLI, ms, ratio, report, RUNS, StdioRpc, timeCall, timeCommand } from './lib.mjs';

const FILES = Number(process.env.BENCH_MAP_FILES ?? 50_000);
const CAP_MS = Number(process.env.BENCH_MAP_CAP_S ?? 300) * 1000;

function peakRssMb(pid) {
  return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
}

/** The graph's edges (uses + definitions) as the stored graph records them (src/tools/repo-scan/graph-file.ts), if there is one. */
function graphEdges(state) {
  try {
    const [dir] = readdirSync(state).filter((name) => name !== 'workspace.json');
    const bytes = readFileSync(join(state, dir, 'repo-scan', 'map-graph.bin'));
    const { sections } = JSON.parse(bytes.subarray(0, bytes.indexOf(10)).toString());
    return sections.useName[1] / 4 + sections.definerFile[1] / 4;
  } catch {
    return undefined;
  }
}

/** One call with a deadline: the result, or why there is none. */
async function cappedCall(rpc, args) {
  const started = performance.now();
  const answer = rpc.request('tools/call', { name: 'repo-scan', arguments: args });
  const timeout = new Promise((resolve) => setTimeout(resolve, CAP_MS, undefined).unref());
  const reply = await Promise.race([answer, timeout]);
  const elapsed = performance.now() - started;
  if (!reply) return { ms: elapsed, failure: `not done after ${CAP_MS / 1000} s` };
  const result = reply.message.result;
  if (!result || result.isError) return { ms: elapsed, failure: (result?.content?.[0]?.text ?? JSON.stringify(reply.message.error)).slice(0, 120) };
  return { ms: elapsed, result: result.structuredContent };
}

export async function run() {
  const repo = sharedNamesRepo(FILES);
  const state = mkdtempSync(join(tmpdir(), 'baton-bench-map-state-'));
  const rows = [];
  const args = [BATON_CLI, '--root', repo, '--state-dir', state];
  try {
    const listing = timeCommand(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], repo);
    // Reading every file once: what any cold index has to do at least.
    const readAll = timeCommand(['git', 'grep', '-c', '-I', '--untracked', '-e', 'input'], repo);

    const first = new StdioRpc(process.execPath, args);
    await first.initialize();
    let cold;
    try {
      cold = await cappedCall(first, { mode: 'map' });
      if (cold.failure) {
        rows.push(['map (cold)', `FAILED: ${cold.failure}`, ms(cold.ms), ms(readAll), ratio(cold.ms, readAll), '40 s']);
        rows.push(['peak memory (server RSS)', '', `${peakRssMb(first.child.pid).toFixed(0)} MB`, '', '', '']);
        return;
      }
      rows.push([
        'map (cold)',
        `parsed ${cold.result.parsedFiles} files; baseline: git grep over all files`,
        ms(cold.ms),
        ms(readAll),
        ratio(cold.ms, readAll),
        '40 s',
      ]);
      const warm = await timeCall(first, { mode: 'map' });
      rows.push(['map (warm)', `parsed ${warm.result.parsedFiles}; baseline: git ls-files`, ms(warm.ms), ms(listing), ratio(warm.ms, listing), '300 ms']);
      const focused = await timeCall(first, { mode: 'map', focus: [cold.result.files[3].path], query: 'getUserById' }, 1);
      rows.push(['map (warm, new focus+query)', 'baseline: git ls-files', ms(focused.ms), ms(listing), ratio(focused.ms, listing), '300 ms']);
      rows.push(['peak memory (server RSS)', 'cold + warm calls', `${peakRssMb(first.child.pid).toFixed(0)} MB`, '', '', '']);
    } finally {
      await first.close();
    }

    const second = new StdioRpc(process.execPath, args);
    await second.initialize();
    try {
      const restart = await cappedCall(second, { mode: 'map' });
      rows.push([
        'map (first call after restart)',
        restart.failure ? `FAILED: ${restart.failure}` : `parsed ${restart.result.parsedFiles}; baseline: git ls-files`,
        ms(restart.ms),
        ms(listing),
        ratio(restart.ms, listing),
        '1 s',
      ]);
      rows.push(['peak memory after restart (server RSS)', '', `${peakRssMb(second.child.pid).toFixed(0)} MB`, '', '', '']);
    } finally {
      await second.close();
    }
    const edges = graphEdges(state);
    rows.push(['graph edges', 'file→name uses + name→file definitions', edges === undefined ? 'n/a' : String(edges), '', '', 'linear']);
  } finally {
    rmSync(state, { recursive: true, force: true });
    report('repo-map', ['case', 'detail / baseline', 'baton', 'baseline', 'ratio', 'target'], rows, { files: FILES, runs: RUNS, cli: BATON_CLI });
  }
  await ranking();
}

/**
 * The ranking on real code (bench/imports.mjs RANKING_CORPUS): with a core file in focus, how many
 * of the map's first 10 files are among the 20 its project's imports name most.
 */
export async function ranking() {
  const rows = [];
  for (const entry of RANKING_CORPUS) {
    const root = rankingProject(entry.name);
    const state = mkdtempSync(join(tmpdir(), 'baton-bench-rank-'));
    const rpc = new StdioRpc(process.execPath, [BATON_CLI, '--root', root, '--state-dir', state]);
    try {
      await rpc.initialize();
      const map = await cappedCall(rpc, { mode: 'map', focus: [entry.focus], maxTokens: 20_000 });
      if (map.failure) {
        rows.push([entry.name, entry.source, entry.focus, `FAILED: ${map.failure}`, '', '≥ 6']);
        continue;
      }
      const top10 = map.result.files.slice(0, 10).map((file) => file.path);
      const imported = mostImported(root, entry);
      const hits = rankingHits(top10, imported);
      const misses = top10.filter((path) => !hits.includes(path));
      rows.push([entry.name, entry.source, entry.focus, `${hits.length}/10`, misses.join(' ') || '-', '≥ 6']);
    } finally {
      await rpc.close();
      rmSync(state, { recursive: true, force: true });
    }
  }
  report('repo-map-ranking', ['repository', 'source', 'focus', 'top 10 among 20 most imported', 'the others', 'target'], rows, { cli: BATON_CLI });
}
