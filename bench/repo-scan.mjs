// repo-scan on a generated 50k-file repository, side by side with git in one run:
// tree vs `git ls-files`, search vs `git grep`, symbols and map cold and warm, peak memory.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchRepo } from './fixtures.mjs';
import { BATON_CLI, median, ms, ratio, report, StdioRpc } from './lib.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);

function timeCommand(args, cwd) {
  const samples = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    const result = spawnSync(args[0], args.slice(1), { cwd, maxBuffer: 1 << 30 });
    if (result.status !== 0 && result.status !== 1) throw new Error(`${args.join(' ')} failed: ${result.stderr}`);
    samples.push(performance.now() - started);
  }
  return median(samples);
}

async function timeCall(rpc, args, runs = RUNS) {
  const samples = [];
  let last;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    last = (await rpc.request('tools/call', { name: 'repo-scan', arguments: args })).message;
    samples.push(performance.now() - started);
    if (last.result?.isError) throw new Error(`repo-scan ${JSON.stringify(args)}: ${last.result.content[0].text}`);
  }
  return { ms: median(samples), result: last.result.structuredContent };
}

function peakRssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)[1]) / 1024;
}

export async function run() {
  const repo = benchRepo(50_000);
  const state = mkdtempSync(join(tmpdir(), 'baton-bench-state-'));
  const rpc = new StdioRpc(process.execPath, [BATON_CLI, '--root', repo, '--state-dir', state]);
  await rpc.initialize();
  const rows = [];
  try {
    const gitTree = timeCommand(['git', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'], repo);
    const tree = await timeCall(rpc, { mode: 'tree' });
    rows.push(['tree', 'git ls-files --cached --others --exclude-standard', ms(tree.ms), ms(gitTree), ratio(tree.ms, gitTree), '1.5x']);

    for (const [label, args, gitArgs] of [
      ['search literal (rare)', { mode: 'search', query: 'loadUserConfig1234' }, ['-F', '-e', 'loadUserConfig1234']],
      ['search literal (common)', { mode: 'search', query: 'count' }, ['-F', '-i', '-e', 'count']],
      ['search regex', { mode: 'search', query: 'format[A-Z]\\w+4\\d_3', regex: true }, ['-P', '-e', 'format[A-Z]\\w+4\\d_3']],
    ]) {
      const gitGrep = timeCommand(['git', 'grep', '-n', '--column', '-z', '-I', '--untracked', ...gitArgs], repo);
      const search = await timeCall(rpc, args);
      rows.push([label, `git grep (${search.result.totalMatches} matches)`, ms(search.ms), ms(gitGrep), ratio(search.ms, gitGrep), '1.5x']);
    }

    const symbolsCold = await timeCall(rpc, { mode: 'symbols', path: 'src' }, 1);
    const symbolsWarm = await timeCall(rpc, { mode: 'symbols', path: 'src' });
    rows.push(['symbols (src/, cold)', `parsed ${symbolsCold.result.parsedFiles} files`, ms(symbolsCold.ms), '', '', '']);
    rows.push(['symbols (src/, warm)', `parsed ${symbolsWarm.result.parsedFiles} files`, ms(symbolsWarm.ms), '', '', '300 ms']);

    const mapCold = await timeCall(rpc, { mode: 'map' }, 1);
    const mapWarm = await timeCall(rpc, { mode: 'map' });
    const mapFocus = await timeCall(rpc, { mode: 'map', focus: ['README.md'], query: 'loadUserConfig' });
    rows.push(['map (cold)', `parsed ${mapCold.result.parsedFiles} files`, ms(mapCold.ms), '', '', '']);
    rows.push(['map (warm)', `parsed ${mapWarm.result.parsedFiles}, cached ${mapWarm.result.cachedFiles}`, ms(mapWarm.ms), '', '', '300 ms']);
    rows.push(['map (warm, focus+query)', '', ms(mapFocus.ms), '', '', '300 ms']);

    const overview = await timeCall(rpc, { mode: 'overview' }, 3);
    rows.push(['overview', `${overview.result.fileCount} files`, ms(overview.ms), '', '', '']);
    rows.push(['peak memory (server RSS)', '', `${peakRssMb(rpc.child.pid).toFixed(0)} MB`, '', '', '']);
  } finally {
    await rpc.close();
    rmSync(state, { recursive: true, force: true });
  }
  report('repo-scan', ['case', 'baseline / detail', 'baton', 'baseline', 'ratio', 'target'], rows, { files: 50_000, runs: RUNS });
}
