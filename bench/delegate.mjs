// delegate-to-codex against a local server speaking the Responses API (the test helper, which
// answers at once): Baton's own overhead per agent-loop turn, the cost of compacting a
// ~250k-token loop, and the latency of a cache hit.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { BATON_CLI, ms, report, ROOT, StdioRpc } from './lib.mjs';

async function responsesServer(work) {
  const outfile = join(work, 'responses-server.mjs');
  await build({ entryPoints: [join(ROOT, 'test/helpers/responses-server.ts')], bundle: true, platform: 'node', format: 'esm', outfile, logLevel: 'silent' });
  return import(pathToFileURL(outfile).href);
}

async function delegate(rpc, args) {
  const started = performance.now();
  const reply = (await rpc.request('tools/call', { name: 'delegate-to-codex', arguments: { backend: 'responses', waitSec: 600, maxTurns: 200, ...args } })).message.result;
  if (reply.isError) throw new Error(reply.content[0].text);
  return { ms: performance.now() - started, result: reply.structuredContent };
}

export async function run() {
  const work = mkdtempSync(join(tmpdir(), 'baton-bench-delegate-'));
  const { startResponsesServer } = await responsesServer(work);
  const repo = join(work, 'repo');
  mkdirSync(repo);
  // A ~6k-token file: forty reads of it fill a 250k-token window.
  writeFileSync(join(repo, 'big.txt'), Array.from({ length: 1200 }, (_, i) => `line ${i}: the quick brown fox jumps over the lazy dog`).join('\n'));
  writeFileSync(join(repo, 'small.txt'), 'hello\n');
  writeFileSync(join(work, 'baton.json'), JSON.stringify({ delegate: { models: { 'bench-250k': { contextWindow: 250_000, efforts: ['medium'] }, 'gpt-5.1-codex-mini': { contextWindow: 400_000, efforts: ['medium'] } } } }));

  let turns = 0;
  let script = () => ({ text: 'done' });
  const server = await startResponsesServer((request) => (request.tools?.length ? script(turns++) : { text: 'SUMMARY' }));
  const rpc = new StdioRpc(process.execPath, [BATON_CLI, '--root', repo, '--state-dir', join(work, 'state'), '--config', join(work, 'baton.json')], {
    OPENAI_BASE_URL: server.url,
    OPENAI_API_KEY: 'bench',
  });
  await rpc.initialize();
  const rows = [];
  try {
    // Per-turn overhead: 40 turns of a small read each, model answering instantly.
    turns = 0;
    script = (n) => (n < 40 ? { functionCalls: [{ name: 'repo_scan', arguments: { mode: 'read', path: 'small.txt' } }] } : { text: 'done' });
    await delegate(rpc, { task: 'warm-up' });
    turns = 0;
    const loop = await delegate(rpc, { task: 'read small.txt forty times', model: 'gpt-5.1-codex-mini' });
    rows.push(['agent-loop turn (tool call + loopback HTTP, no model time)', ms(loop.ms / loop.result.turns), `${loop.result.turns} turns in ${ms(loop.ms)}`]);

    // Compaction of a ~250k-token loop: forty big reads, the last reported at 95 % of the window.
    turns = 0;
    script = (n) =>
      n < 40
        ? { functionCalls: [{ name: 'repo_scan', arguments: { mode: 'read', path: 'big.txt', endLine: 1200 } }], usage: { inputTokens: n === 39 ? 237_500 : 1000, outputTokens: 10 } }
        : { text: 'done' };
    const compacting = await delegate(rpc, { task: 'read big.txt forty times', model: 'bench-250k' });
    turns = 0;
    script = (n) => (n < 40 ? { functionCalls: [{ name: 'repo_scan', arguments: { mode: 'read', path: 'big.txt', endLine: 1200 } }], usage: { inputTokens: 1000, outputTokens: 10 } } : { text: 'done' });
    const plain = await delegate(rpc, { task: 'read big.txt forty times, again', model: 'bench-250k' });
    rows.push(['compaction of a ~250k-token loop (hand-off summary from the local server)', ms(compacting.ms - plain.ms), `${compacting.result.compactions} compaction(s); runs ${ms(compacting.ms)} vs ${ms(plain.ms)}`]);

    // Cache: the same read-only delegation twice.
    turns = 0;
    script = (n) => (n === 0 ? { functionCalls: [{ name: 'repo_scan', arguments: { mode: 'read', path: 'small.txt' } }] } : { text: 'it says hello' });
    const miss = await delegate(rpc, { task: 'What does small.txt say?' });
    const hit = await delegate(rpc, { task: 'What does small.txt say?' });
    rows.push(['cache hit (identical read-only delegation)', ms(hit.ms), `miss took ${ms(miss.ms)}; cached=${hit.result.cached === true}`]);
  } finally {
    await rpc.close();
    await server.close();
    rmSync(work, { recursive: true, force: true });
  }
  report('delegate', ['measure', 'time', 'detail'], rows);
}
