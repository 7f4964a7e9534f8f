// Start-up of two builds side by side, interleaved: `node bench/compare-builds.mjs OTHER_CHECKOUT`
// compares OTHER_CHECKOUT/dist/cli.js (say, the commit before a change) with this checkout's
// build. Ready (spawn → initialize answered), tools/list, and a trivial call, medians.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BATON_CLI, median, ms, ratio, report, ROOT, StdioRpc } from './lib.mjs';

const RUNS = Number(process.env.RUNS ?? 20);

export async function run(other = process.argv[2]) {
  if (!other) throw new Error('usage: node bench/compare-builds.mjs OTHER_CHECKOUT');
  const builds = { before: join(resolve(other), 'dist', 'cli.js'), after: BATON_CLI };
  const samples = Object.fromEntries(Object.keys(builds).map((name) => [name, { ready: [], list: [], call: [], bytes: 0 }]));
  const state = mkdtempSync(join(tmpdir(), 'baton-bench-compare-'));
  try {
    for (let i = 0; i < RUNS; i++) {
      for (const [name, cli] of Object.entries(builds)) {
        const rpc = new StdioRpc(process.execPath, [cli, '--root', ROOT, '--state-dir', state]);
        const { readyMs } = await rpc.initialize();
        samples[name].ready.push(readyMs);
        let t = performance.now();
        const list = await rpc.request('tools/list');
        samples[name].list.push(performance.now() - t);
        samples[name].bytes = JSON.stringify(list.message.result.tools).length;
        const params = { name: 'repo-scan', arguments: { mode: 'read', path: 'package.json', startLine: 1, endLine: 1 } };
        await rpc.request('tools/call', params);
        t = performance.now();
        for (let c = 0; c < 20; c++) await rpc.request('tools/call', params);
        samples[name].call.push((performance.now() - t) / 20);
        await rpc.close();
      }
    }
  } finally {
    rmSync(state, { recursive: true, force: true });
  }
  const before = samples.before;
  report(
    'compare-builds',
    ['build', 'ready (median)', 'vs before', 'tools/list', 'tools size', 'trivial call'],
    Object.entries(samples).map(([name, s]) => [
      name,
      ms(median(s.ready)),
      ratio(median(s.ready), median(before.ready)),
      ms(median(s.list)),
      `${s.bytes} B`,
      ms(median(s.call)),
    ]),
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
