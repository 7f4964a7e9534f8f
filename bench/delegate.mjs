// delegate-to-codex against a local server speaking the Responses API (the test helper, which
// answers at once): Baton's own overhead per agent-loop turn and the cost of compacting a
// ~250k-token loop, each with the Responses API's own compaction (context_management on every
// request) and with the fallback for endpoints without it (Baton's session engine), and the
// latency of a cache hit.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { BATON_CLI, median, ms, report, ROOT, StdioRpc } from './lib.mjs';

async function responsesServer(work) {
  const outfile = join(work, 'responses-server.mjs');
  await build({ entryPoints: [join(ROOT, 'test/helpers/responses-server.ts')], bundle: true, platform: 'node', format: 'esm', outfile, logLevel: 'silent' });
  return import(pathToFileURL(outfile).href);
}

async function delegate(rpc, args) {
  const started = performance.now();
  const reply = (await rpc.request('tools/call', { name: 'delegate-to-codex', arguments: { backend: 'responses', waitSec: 600, maxTurns: 200, ...args } }))
    .message.result;
  if (reply.isError) throw new Error(reply.content[0].text);
  return { ms: performance.now() - started, result: reply.structuredContent };
}

/** A Responses server (native compaction, or a gateway without it) and a Baton speaking to it, with a scriptable agent. */
async function endpoint(startResponsesServer, work, repo, compaction) {
  // `arrivals`: when each agent turn's request reached the server.
  const agent = { turns: 0, arrivals: [], script: () => ({ text: 'done' }) };
  const server = await startResponsesServer(
    (request) => {
      if (!request.tools?.length) return { text: 'SUMMARY' };
      agent.arrivals.push(performance.now());
      return agent.script(agent.turns++);
    },
    { compaction },
  );
  const rpc = new StdioRpc(
    process.execPath,
    [BATON_CLI, '--root', repo, '--state-dir', join(work, `state-${compaction}`), '--config', join(work, 'baton.json')],
    {
      OPENAI_BASE_URL: server.url,
      OPENAI_API_KEY: 'bench',
    },
  );
  await rpc.initialize();
  const run = async (script, args) => {
    agent.turns = 0;
    agent.arrivals = [];
    agent.script = script;
    return { ...(await delegate(rpc, args)), arrivals: agent.arrivals };
  };
  return { server, rpc, run, close: async () => (await rpc.close(), await server.close()) };
}

export async function run() {
  const work = mkdtempSync(join(tmpdir(), 'baton-bench-delegate-'));
  const { startResponsesServer } = await responsesServer(work);
  const repo = join(work, 'repo');
  mkdirSync(repo);
  // A ~6k-token file: forty reads of it fill a 250k-token window.
  writeFileSync(join(repo, 'big.txt'), Array.from({ length: 1200 }, (_, i) => `line ${i}: the quick brown fox jumps over the lazy dog`).join('\n'));
  writeFileSync(join(repo, 'small.txt'), 'hello\n');
  writeFileSync(
    join(work, 'baton.json'),
    JSON.stringify({
      delegate: {
        models: { 'bench-250k': { contextWindow: 250_000, efforts: ['medium'] }, 'gpt-5.1-codex-mini': { contextWindow: 400_000, efforts: ['medium'] } },
      },
    }),
  );

  const native = await endpoint(startResponsesServer, work, repo, 'native');
  const gateway = await endpoint(startResponsesServer, work, repo, 'gateway');
  const rows = [];
  const extra = {};
  try {
    // Per-turn overhead: 40 turns of a small read each, the model answering instantly. The two
    // sides take turns, so a change in the machine's load falls on both; the median of 5 runs.
    const sides = [
      ['native', native],
      ['fallback', gateway],
    ];
    const smallReads = (n) => (n < 40 ? { functionCalls: [{ name: 'repo_scan', arguments: { mode: 'read', path: 'small.txt' } }] } : { text: 'done' });
    const perTurn = { native: [], fallback: [] };
    for (const [, side] of sides) await side.run(smallReads, { task: 'warm-up' }); // also where the gateway refuses context_management, once
    for (let i = 0; i < 5; i++) {
      for (const [name, side] of sides) {
        const r = await side.run(smallReads, { task: `read small.txt forty times (${i})`, model: 'gpt-5.1-codex-mini' });
        perTurn[name].push(r.ms / r.result.turns);
      }
    }
    for (const [name] of sides) {
      extra[`perTurn_${name}`] = median(perTurn[name]);
      const label =
        name === 'native' ? 'agent-loop turn, API compaction on (context_management sent)' : 'agent-loop turn, endpoint without API compaction (fallback)';
      rows.push([label, ms(median(perTurn[name])), `median of 5 runs of 41 turns; per turn ${perTurn[name].map((v) => v.toFixed(1)).join(', ')} ms`]);
    }

    // Compaction of a ~250k-token loop: forty big reads, the last reported at 95 % of the window.
    // Measured where it happens: from the request whose answer crosses the threshold to the next
    // turn's request (the tool call, the compaction, the next request), against the same step of
    // the same loop without it. After a warm-up loop, the median of 3 pairs.
    const bigReads = (last) => (n) =>
      n < 40
        ? {
            functionCalls: [{ name: 'repo_scan', arguments: { mode: 'read', path: 'big.txt', endLine: 1200 } }],
            usage: { inputTokens: n === 39 ? last : 1000, outputTokens: 10 },
          }
        : { text: 'done' };
    const step = (r) => r.arrivals[40] - r.arrivals[39];
    for (const [, side] of sides) await side.run(bigReads(1000), { task: 'read big.txt forty times (warm-up)', model: 'bench-250k' });
    const cost = { native: [], fallback: [] };
    const how = {};
    for (let i = 0; i < 3; i++) {
      for (const [name, side] of sides) {
        const compacting = await side.run(bigReads(237_500), { task: `read big.txt forty times (${i})`, model: 'bench-250k' });
        const plain = await side.run(bigReads(1000), { task: `read big.txt forty times, again (${i})`, model: 'bench-250k' });
        cost[name].push({ with: step(compacting), without: step(plain) });
        how[name] = `${compacting.result.compactions} compaction(s)`;
      }
    }
    for (const [name] of sides) {
      const added = median(cost[name].map((c) => c.with - c.without));
      extra[`compaction_${name}`] = added;
      const label =
        name === 'native'
          ? 'compaction of a ~250k-token loop, by the API (compaction item)'
          : "compaction of a ~250k-token loop, by Baton's engine (summary from the local server)";
      const steps = cost[name].map((c) => `${c.with.toFixed(0)} vs ${c.without.toFixed(0)}`).join(', ');
      rows.push([label, ms(added), `${how[name]}; the step with and without it: ${steps} ms`]);
    }

    // Cache: the same read-only delegation twice.
    const once = (n) => (n === 0 ? { functionCalls: [{ name: 'repo_scan', arguments: { mode: 'read', path: 'small.txt' } }] } : { text: 'it says hello' });
    const miss = await native.run(once, { task: 'What does small.txt say?' });
    const hit = await native.run(once, { task: 'What does small.txt say?' });
    rows.push(['cache hit (identical read-only delegation)', ms(hit.ms), `miss took ${ms(miss.ms)}; cached=${hit.result.cached === true}`]);
  } finally {
    await native.close();
    await gateway.close();
    rmSync(work, { recursive: true, force: true });
  }
  report('delegate', ['measure', 'time', 'detail'], rows, extra);
}
