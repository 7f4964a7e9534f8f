import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchRepo, plainTree } from './fixtures.mjs';
import { BATON_CLI, median, ms, RUNS, ratio, report, StdioRpc, timeCall, timeCommand } from './lib.mjs';

async function withServer(root, body) {
  const state = mkdtempSync(join(tmpdir(), 'baton-bench-state-'));
  const rpc = new StdioRpc(process.execPath, [BATON_CLI, '--root', root, '--state-dir', state]);
  await rpc.initialize();
  try {
    return await body(rpc);
  } finally {
    await rpc.close();
    rmSync(state, { recursive: true, force: true });
  }
}

/** [label, repo-scan arguments, the same search as grep flags] */
const CASES = [
  ['literal (rare)', { query: 'loadUserConfig1234' }, ['-F', '-e', 'loadUserConfig1234']],
  ['literal (common)', { query: 'count' }, ['-F', '-i', '-e', 'count']],
  ['regex', { query: 'format[A-Z]\\w+4\\d_3', regex: true }, ['-P', '-e', 'format[A-Z]\\w+4\\d_3']],
  ['regex (common)', { query: 'count = count \\+ \\d+', regex: true }, ['-P', '-e', 'count = count \\+ \\d+']],
];

export async function run() {
  const repo = benchRepo(50_000);
  const plain = plainTree(50_000);
  const rows = [];

  await withServer(repo, async (rpc) => {
    for (const [label, args, grepArgs] of CASES) {
      const baseline = timeCommand(['git', 'grep', '-n', '--column', '-z', '-I', '--untracked', ...grepArgs], repo);
      const search = await timeCall(rpc, { mode: 'search', ...args });
      rows.push([`git: ${label}`, `git grep (${search.result.totalMatches} matches)`, ms(search.ms), ms(baseline), ratio(search.ms, baseline), '1.5x']);
    }
  });

  await withServer(plain, async (rpc) => {
    for (const [label, args, grepArgs] of CASES) {
      const baseline = timeCommand(['grep', '-r', '-n', '-I', ...grepArgs, '.'], plain);
      const search = await timeCall(rpc, { mode: 'search', ...args });
      rows.push([`no git: ${label}`, `grep -r (${search.result.totalMatches} matches)`, ms(search.ms), ms(baseline), ratio(search.ms, baseline), '']);
    }
  });

  // A fresh server's first search outside git (a small folder): what starting the worker costs.
  const small = mkdtempSync(join(tmpdir(), 'baton-bench-small-'));
  for (let i = 0; i < 50; i++) {
    mkdirSync(join(small, `d${i % 5}`), { recursive: true });
    writeFileSync(join(small, `d${i % 5}`, `f${i}.ts`), `export const value${i} = ${i};\nexport function load${i}() { return value${i}; }\n`);
  }
  const firsts = [];
  const seconds = [];
  for (let i = 0; i < RUNS; i++) {
    await withServer(small, async (rpc) => {
      firsts.push((await timeCall(rpc, { mode: 'search', query: 'load7\\b', regex: true }, 1)).ms);
      seconds.push((await timeCall(rpc, { mode: 'search', query: 'load7\\b', regex: true }, 1)).ms);
    });
  }
  rmSync(small, { recursive: true, force: true });
  rows.push([
    'no git: first search, fresh server (50 files)',
    'the same search again',
    ms(median(firsts)),
    ms(median(seconds)),
    ratio(median(firsts), median(seconds)),
    '',
  ]);

  report('search', ['case', 'baseline / detail', 'baton', 'baseline', 'ratio', 'target'], rows, { files: 50_000, runs: RUNS });
}
