// Shared helpers for the benchmarks: a minimal JSON-RPC client over stdio (so the client
// adds as little as possible to what is measured), statistics and reporting.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The build under test; BATON_BENCH_CLI points at another one (say, the previous commit's) to compare. */
export const BATON_CLI = process.env.BATON_BENCH_CLI ?? join(ROOT, 'dist', 'cli.js');

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export const ms = (value) => `${value.toFixed(value < 10 ? 2 : 1)} ms`;
export const ratio = (value, baseline) => `${(value / baseline).toFixed(2)}x`;

/** Spawns an MCP server and speaks JSON-RPC to it line by line. */
export class StdioRpc {
  constructor(command, args, env = {}) {
    this.started = performance.now();
    this.child = spawn(command, args, { stdio: ['pipe', 'pipe', 'ignore'], env: { ...process.env, ...env } });
    this.pending = new Map();
    this.nextId = 1;
    let buffer = '';
    this.child.stdout.on('data', (chunk) => {
      buffer += chunk;
      for (let newline = buffer.indexOf('\n'); newline !== -1; newline = buffer.indexOf('\n')) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        const message = JSON.parse(line);
        const waiter = this.pending.get(message.id);
        if (waiter) {
          this.pending.delete(message.id);
          waiter({ message, bytes: line.length });
        }
      }
    });
  }

  request(method, params = {}) {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id, method, params }) + '\n');
    });
  }

  notify(method, params = {}) {
    this.child.stdin.write(JSON.stringify({ jsonrpc: '2.0', method, params }) + '\n');
  }

  async initialize() {
    const reply = await this.request('initialize', {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'baton-bench', version: '1.0.0' },
    });
    const readyMs = performance.now() - this.started;
    this.notify('notifications/initialized');
    return { readyMs, reply: reply.message };
  }

  async close() {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin.end();
    this.child.kill();
    await exited;
  }
}

/** Prints a table and writes the raw numbers to bench/results/<name>.json. */
export function report(name, columns, rows, extra = {}) {
  const widths = columns.map((column, i) => Math.max(column.length, ...rows.map((row) => String(row[i]).length)));
  const line = (cells) => cells.map((cell, i) => String(cell).padEnd(widths[i])).join('  ');
  console.log(`\n## ${name}\n`);
  console.log(line(columns));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) console.log(line(row));
  const file = join(ROOT, 'bench', 'results', `${name}.json`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify({ name, date: new Date().toISOString(), node: process.version, columns, rows, ...extra }, null, 2));
}

export const RUNS = Number(process.env.BENCH_RUNS ?? 7);

/** Median wall time of a command (git grep, git ls-files), run RUNS times; exit 1 counts as success. */
export function timeCommand(args, cwd) {
  const samples = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    const result = spawnSync(args[0], args.slice(1), { cwd, maxBuffer: 1 << 30 });
    if (result.status !== 0 && result.status !== 1) throw new Error(`${args.join(' ')} failed: ${result.stderr}`);
    samples.push(performance.now() - started);
  }
  return median(samples);
}

/** Median time of a repo-scan call over `rpc`, and its last result. */
export async function timeCall(rpc, args, runs = RUNS) {
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
