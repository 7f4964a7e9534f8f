// repo-scan `references`: the uses of a frequent identifier, cold (empty state dir: every file
// parsed), after a restart (tags read back from the state dir) and warm, against `git grep -w`
// of the same name (what an agent would run instead; it cannot tell code from comments).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { batonCheckout, npmProject } from './corpus.mjs';
import { benchRepo } from './fixtures.mjs';
import { BATON_CLI, ms, RUNS, ratio, report, StdioRpc, timeCall, timeCommand } from './lib.mjs';

/** The most used of the functions the first generated file defines: the bench repository's hub. */
function hubName(repo) {
  const uses = execFileSync('git', ['grep', '-h', '-o', '-w', '-E', '[a-z]+[A-Z][a-z]*0_[0-9]'], { cwd: repo, maxBuffer: 1 << 30 }).toString();
  const counts = new Map();
  for (const name of uses.split('\n')) if (name) counts.set(name, (counts.get(name) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0][0];
}

async function measure(label, repo, name, rows) {
  const state = mkdtempSync(join(tmpdir(), 'baton-bench-state-'));
  const args = { mode: 'references', query: name };
  const start = async () => {
    const rpc = new StdioRpc(process.execPath, [BATON_CLI, '--root', repo, '--state-dir', state]);
    await rpc.initialize();
    return rpc;
  };
  try {
    const gitGrep = timeCommand(['git', 'grep', '-n', '--column', '-w', '-I', '--untracked', '-e', name], repo);
    let rpc = await start();
    const cold = await timeCall(rpc, args, 1);
    await rpc.close();
    rpc = await start();
    const restarted = await timeCall(rpc, args, 1);
    const warm = await timeCall(rpc, args);
    const nextPage = await timeCall(rpc, { ...args, cursor: warm.result.nextCursor });
    await rpc.close();
    const detail = `${warm.result.totalReferences} uses, ${warm.result.definitions.length} definitions`;
    rows.push([`${label}: cold`, `parsed ${cold.result.parsedFiles} files`, ms(cold.ms), ms(gitGrep), ratio(cold.ms, gitGrep), '']);
    rows.push([`${label}: after restart`, detail, ms(restarted.ms), ms(gitGrep), ratio(restarted.ms, gitGrep), '']);
    rows.push([`${label}: warm`, `git grep -w ${name}`, ms(warm.ms), ms(gitGrep), ratio(warm.ms, gitGrep), '']);
    rows.push([`${label}: warm, next page`, '', ms(nextPage.ms), ms(gitGrep), ratio(nextPage.ms, gitGrep), '']);
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
}

export async function run() {
  const rows = [];
  const repo = benchRepo(50_000);
  await measure('bench repo (50k files)', repo, hubName(repo), rows);
  await measure('express 4.21.2 (CommonJS)', npmProject('express', '4.21.2'), 'req', rows);
  await measure('this repository (TypeScript)', batonCheckout(), 'UserError', rows);
  report('references', ['case', 'detail', 'baton', 'git grep -w', 'ratio', 'target'], rows, { runs: RUNS });
}
