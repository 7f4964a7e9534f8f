import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchRepo } from './fixtures.mjs';
import { BATON_CLI, ms, RUNS, ratio, report, StdioRpc, timeCall, timeCommand } from './lib.mjs';

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
