// Start-up: spawn → initialize answered, tools/list time and size, and a trivial call, for
// Baton and for @modelcontextprotocol/server-filesystem started the same way, interleaved
// in one run so both see the same machine load.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BATON_CLI, median, ms, ratio, report, ROOT, StdioRpc } from './lib.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const CALLS = 200;

export async function run() {
  const work = mkdtempSync(join(tmpdir(), 'baton-bench-startup-'));
  writeFileSync(join(work, 'hello.txt'), 'hello\n');
  const state = join(work, '.state');
  const servers = {
    baton: {
      args: [BATON_CLI, '--root', work, '--state-dir', state],
      // The cheapest real call each server offers (ping where no tool is registered yet).
      trivial: (tools) =>
        tools.some((t) => t.name === 'repo-scan') ? ['tools/call', { name: 'repo-scan', arguments: { mode: 'read', path: 'hello.txt' } }] : ['ping', {}],
    },
    'server-filesystem': {
      args: [join(ROOT, 'node_modules/@modelcontextprotocol/server-filesystem/dist/index.js'), work],
      trivial: () => ['tools/call', { name: 'list_allowed_directories', arguments: {} }],
    },
  };
  const samples = Object.fromEntries(Object.keys(servers).map((name) => [name, { ready: [], list: [], call: [], listBytes: 0, trivial: '' }]));

  try {
    for (let i = 0; i < RUNS; i++) {
      for (const [name, server] of Object.entries(servers)) {
        const rpc = new StdioRpc(process.execPath, server.args);
        const { readyMs } = await rpc.initialize();
        samples[name].ready.push(readyMs);
        let t = performance.now();
        const list = await rpc.request('tools/list');
        samples[name].list.push(performance.now() - t);
        samples[name].listBytes = JSON.stringify(list.message.result.tools).length;
        if (i === 0) {
          // Trivial-call latency: one long-lived server per kind, many calls, median.
          const [method, params] = server.trivial(list.message.result.tools);
          samples[name].trivial = method === 'ping' ? 'ping' : `${params.name} ${JSON.stringify(params.arguments)}`;
          for (let c = 0; c < CALLS / 4; c++) await rpc.request(method, params); // warm-up, not measured
          for (let c = 0; c < CALLS; c++) {
            t = performance.now();
            await rpc.request(method, params);
            samples[name].call.push(performance.now() - t);
          }
        }
        await rpc.close();
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  const baseline = samples['server-filesystem'];
  const rows = Object.entries(samples).map(([name, s]) => [
    name,
    ms(median(s.ready)),
    ratio(median(s.ready), median(baseline.ready)),
    ms(median(s.list)),
    `${(s.listBytes / 1024).toFixed(1)} KB`,
    ms(median(s.call)),
    s.trivial,
  ]);
  report('startup', ['server', 'ready (median)', 'vs fs', 'tools/list', 'tools size', 'trivial call', 'trivial call is'], rows, {
    runs: RUNS,
    samples: Object.fromEntries(
      Object.entries(samples).map(([n, s]) => [n, { ready: median(s.ready), list: median(s.list), call: median(s.call), listBytes: s.listBytes }]),
    ),
  });
}
