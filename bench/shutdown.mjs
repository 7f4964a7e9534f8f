// How fast a server exits when its client lets go: Claude Code sends SIGINT and escalates to
// SIGTERM about 100 ms later, others close stdin. Measured after a session call (so there is a
// session log to flush), from the signal to the process's exit, median of fresh servers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { batonCheckout } from './corpus.mjs';
import { BATON_CLI, median, ms, RUNS, report, StdioRpc } from './lib.mjs';

const WAYS = [
  ['SIGINT', (child) => child.kill('SIGINT')],
  ['SIGTERM', (child) => child.kill('SIGTERM')],
  ['stdin closed', (child) => child.stdin.end()],
];

export async function run() {
  const root = batonCheckout();
  const rows = [];
  for (const [label, stop] of WAYS) {
    const times = [];
    for (let i = 0; i < RUNS; i++) {
      const state = mkdtempSync(join(tmpdir(), 'baton-bench-shutdown-'));
      const rpc = new StdioRpc(process.execPath, [BATON_CLI, '--root', root, '--state-dir', state]);
      await rpc.initialize();
      const reply = await rpc.request('tools/call', { name: 'session', arguments: { action: 'checkpoint', notes: 'a note to flush' } });
      if (reply.message.result?.isError) throw new Error(JSON.stringify(reply.message.result.content));
      const exited = new Promise((resolve) => rpc.child.once('exit', resolve));
      const t = performance.now();
      stop(rpc.child);
      await exited;
      times.push(performance.now() - t);
      rmSync(state, { recursive: true, force: true });
    }
    rows.push([label, ms(median(times)), ms(Math.max(...times)), '100 ms', RUNS]);
  }
  report('shutdown', ['way', 'exit (median)', 'exit (slowest)', 'target', 'runs'], rows);
}
