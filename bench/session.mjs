// session: brief and compaction time for 1k, 10k and 100k logged events, through the built
// server (cold: the first resume reads the log and compacts; warm: a second resume), and the
// server's peak memory. Target: a brief over 100k events in under 500 ms.
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { BATON_CLI, ms, report, StdioRpc } from './lib.mjs';

/** The state folder Baton uses for a root (src/core/state.ts workspaceKey). */
function workspaceDir(stateDir, root) {
  const real = realpathSync(root);
  const name =
    basename(real)
      .replace(/[^A-Za-z0-9._-]/g, '_')
      .slice(0, 40) || 'root';
  return join(stateDir, `${name}-${createHash('sha256').update(real).digest('hex').slice(0, 12)}`);
}

export function syntheticLog(count) {
  const lines = [];
  const at = (i) => new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString();
  for (let i = 0; i < count; i++) {
    if (i === 5) lines.push({ type: 'checkpoint', at: at(i), goal: 'Ship the billing port', constraints: ['Keep the CSV format'] });
    else if (i % 500 === 0)
      lines.push({
        type: 'call',
        at: at(i),
        tool: 'apply-patch',
        args: `patch=*** Begin Patch ${i}`,
        ok: true,
        result: 'applied to 1 file',
        ms: 4,
        files: [{ path: `src/f${i % 40}.ts`, action: 'update', additions: 2, deletions: 1 }],
      });
    else if (i % 1000 === 999)
      lines.push({
        type: 'call',
        at: at(i),
        tool: 'run-tests',
        args: '',
        ok: true,
        result: 'FAILED',
        ms: 800,
        tests: { status: 'failed', total: 50, passed: 49, failed: 1, skipped: 0, failing: [`suite > test ${i}`] },
      });
    else
      lines.push({
        type: 'call',
        at: at(i),
        tool: 'repo-scan',
        args: `mode=search query=term${i}`,
        ok: i % 37 !== 0,
        result: `${i % 9} matching lines`,
        ms: 3,
      });
  }
  return lines.map((line) => JSON.stringify(line)).join('\n') + '\n';
}

async function time(rpc, args) {
  const started = performance.now();
  const reply = (await rpc.request('tools/call', { name: 'session', arguments: args })).message.result;
  if (reply.isError) throw new Error(reply.content[0].text);
  return { ms: performance.now() - started, result: reply.structuredContent };
}

export async function run() {
  const rows = [];
  for (const count of [1_000, 10_000, 100_000]) {
    const work = mkdtempSync(join(tmpdir(), 'baton-bench-session-'));
    try {
      const root = join(work, 'repo');
      mkdirSync(root);
      const stateDir = join(work, 'state');
      const sessions = join(workspaceDir(stateDir, root), 'sessions');
      mkdirSync(sessions, { recursive: true });
      const id = 's-20261101-000000-beef';
      writeFileSync(join(sessions, `${id}.jsonl`), syntheticLog(count));
      writeFileSync(join(sessions, 'current.json'), JSON.stringify({ id }));
      const size = readFileSync(join(sessions, `${id}.jsonl`)).length;

      const rpc = new StdioRpc(process.execPath, [BATON_CLI, '--root', root, '--state-dir', stateDir]);
      await rpc.initialize();
      try {
        const cold = await time(rpc, {});
        const warm = await time(rpc, {});
        const checkpoint = await time(rpc, { action: 'checkpoint', notes: 'bench' });
        const compact = await time(rpc, { action: 'compact' });
        const peak = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${rpc.child.pid}/status`, 'utf8'))[1]) / 1024;
        rows.push([
          `${count.toLocaleString('en')} events (${(size / 1e6).toFixed(1)} MB)`,
          ms(cold.ms),
          ms(warm.ms),
          ms(checkpoint.ms),
          ms(compact.ms),
          `${cold.result.tokens} tokens`,
          `${peak.toFixed(0)} MB`,
          count === 100_000 ? '500 ms' : '',
        ]);
      } finally {
        await rpc.close();
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  report('session', ['log', 'brief (cold, compacts)', 'brief (warm)', 'checkpoint', 'compact', 'brief size', 'peak RSS', 'target'], rows);
}
