import { readFile } from 'node:fs/promises';
import OpenAI from 'openai';
import type { ResponseStreamEvent } from 'openai/resources/responses/responses';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { configuredSummarizer, HANDOFF_SECTIONS, modelSummarizer } from '../../src/core/compaction/model-summarizer.js';
import { startResponsesServer, type ResponsesServer, type Script, type ServerOptions } from '../helpers/responses-server.js';

let server: ResponsesServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(script: Script, options: ServerOptions = {}): Promise<ResponsesServer> {
  server = await startResponsesServer(script, options);
  return server;
}

function clientFor(s: ResponsesServer, options: { maxRetries?: number; timeout?: number } = {}): OpenAI {
  // logLevel off: the SDK would otherwise print parse errors of the malformed-stream tests.
  return new OpenAI({ baseURL: s.url, apiKey: 'test', maxRetries: 0, logLevel: 'off', ...options });
}

async function collect(stream: AsyncIterable<ResponseStreamEvent>): Promise<ResponseStreamEvent[]> {
  const events: ResponseStreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

describe('responses-server with the openai SDK', () => {
  it('answers a non-streamed request with text and usage, and records the request', async () => {
    const s = await start([{ text: 'Hello there.', usage: { inputTokens: 120, cachedTokens: 20, outputTokens: 7, reasoningTokens: 3 } }]);
    const response = await clientFor(s).responses.create({
      model: 'gpt-5.1-codex-max',
      instructions: 'be brief',
      input: 'hi',
      reasoning: { effort: 'high' },
      tools: [{ type: 'function', name: 'read', parameters: { type: 'object', properties: {} }, strict: false }],
    });
    expect(response.output_text).toBe('Hello there.');
    expect(response.status).toBe('completed');
    expect(response.usage).toEqual({
      input_tokens: 120,
      input_tokens_details: { cached_tokens: 20 },
      output_tokens: 7,
      output_tokens_details: { reasoning_tokens: 3 },
      total_tokens: 127,
    });
    expect(s.requests).toHaveLength(1);
    expect(s.requests[0]).toMatchObject({ model: 'gpt-5.1-codex-max', instructions: 'be brief', input: 'hi', reasoning: { effort: 'high' } });
    expect(s.requests[0]?.tools?.[0]?.name).toBe('read');
    expect(s.headers[0]?.authorization).toBe('Bearer test');
  });

  it('streams text as the documented event sequence with increasing sequence numbers', async () => {
    const s = await start([{ text: 'The quick brown fox jumps over the lazy dog.' }]);
    const events = await collect(await clientFor(s).responses.create({ model: 'm', input: 'hi', stream: true }));
    const types = events.map((event) => event.type);
    expect(types[0]).toBe('response.created');
    expect(types.slice(1, 4)).toEqual(['response.in_progress', 'response.output_item.added', 'response.content_part.added']);
    expect(types.filter((type) => type === 'response.output_text.delta').length).toBeGreaterThan(2);
    expect(types.slice(-5)).toEqual([
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const text = events.flatMap((event) => (event.type === 'response.output_text.delta' ? [event.delta] : [])).join('');
    expect(text).toBe('The quick brown fox jumps over the lazy dog.');
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    const completed = events.at(-1);
    expect(completed?.type === 'response.completed' && completed.response.usage?.output_tokens).toBeGreaterThan(0);
  });

  it("works with the SDK's stream helper and its final response", async () => {
    const s = await start([{ text: 'Streamed through the helper.' }]);
    const stream = clientFor(s).responses.stream({ model: 'm', input: 'hi' });
    const final = await stream.finalResponse();
    expect(final.output_text).toBe('Streamed through the helper.');
  });

  it('returns function calls, non-streamed and streamed', async () => {
    const calls = [
      { name: 'read', arguments: { path: 'src/a.ts' }, callId: 'call_a' },
      { name: 'search', arguments: '{"query":"TODO"}' },
    ];
    const s = await start([{ functionCalls: calls, text: 'Reading first.' }, { functionCalls: calls }]);
    const client = clientFor(s);

    const plain = await client.responses.create({ model: 'm', input: 'go' });
    expect(plain.output_text).toBe('Reading first.');
    const plainCalls = plain.output.filter((item) => item.type === 'function_call');
    expect(plainCalls.map(({ call_id, name, arguments: args }) => ({ call_id, name, args }))).toEqual([
      { call_id: 'call_a', name: 'read', args: '{"path":"src/a.ts"}' },
      { call_id: expect.stringMatching(/^call_/), name: 'search', args: '{"query":"TODO"}' },
    ]);

    const events = await collect(await client.responses.create({ model: 'm', input: 'go', stream: true }));
    const deltas = events.flatMap((event) => (event.type === 'response.function_call_arguments.delta' && event.output_index === 0 ? [event.delta] : []));
    expect(deltas.join('')).toBe('{"path":"src/a.ts"}');
    const done = events.filter((event) => event.type === 'response.function_call_arguments.done');
    expect(done.map((event) => event.type === 'response.function_call_arguments.done' && [event.name, event.arguments])).toEqual([
      ['read', '{"path":"src/a.ts"}'],
      ['search', '{"query":"TODO"}'],
    ]);
    const items = events.flatMap((event) => (event.type === 'response.output_item.done' ? [event.item] : []));
    expect(items.map((item) => item.type === 'function_call' && item.call_id)).toEqual(['call_a', expect.stringMatching(/^call_/)]);
  });

  it("retries a 429 then succeeds with the SDK's own retries, quickly thanks to retry-after-ms", async () => {
    const s = await start([{ status: 429 }, { status: 503 }, { text: 'finally' }]);
    const started = Date.now();
    const response = await clientFor(s, { maxRetries: 2 }).responses.create({ model: 'm', input: 'hi' });
    expect(response.output_text).toBe('finally');
    expect(s.requests).toHaveLength(3);
    expect(s.headers[2]?.['x-stainless-retry-count']).toBe('2');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('surfaces the 429 as a RateLimitError once the retries are spent', async () => {
    const s = await start([{ status: 429 }, { status: 429 }]);
    const error = await clientFor(s, { maxRetries: 1 })
      .responses.create({ model: 'm', input: 'hi' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('rate_limit_exceeded');
    expect(s.requests).toHaveLength(2);
  });

  it('surfaces context_length_exceeded as a BadRequestError with that code, not retried', async () => {
    const s = await start([{ contextLengthExceeded: true }]);
    const error = await clientFor(s, { maxRetries: 2 })
      .responses.create({ model: 'm', input: 'a very long input', stream: true })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ status: 400, code: 'context_length_exceeded', type: 'invalid_request_error' });
    expect(s.requests).toHaveLength(1);
  });

  it('reports response.failed when streaming and a failed response otherwise', async () => {
    const fail = { code: 'server_error', message: 'The model crashed.' };
    const s = await start([{ fail }, { fail }]);
    const client = clientFor(s);
    const events = await collect(await client.responses.create({ model: 'm', input: 'hi', stream: true }));
    const last = events.at(-1);
    expect(last?.type).toBe('response.failed');
    expect(last?.type === 'response.failed' && last.response.error).toEqual(fail);
    const plain = await client.responses.create({ model: 'm', input: 'hi' });
    expect(plain.status).toBe('failed');
    expect(plain.error).toEqual(fail);
  });

  it('makes the SDK throw on a malformed stream', async () => {
    const s = await start([{ garbage: 'event: response.created\ndata: {"type": "response.created", nope\n\n' }, { garbage: '<html>oops' }]);
    const client = clientFor(s);
    await expect(collect(await client.responses.create({ model: 'm', input: 'hi', stream: true }))).rejects.toThrow(SyntaxError);
    await expect(client.responses.create({ model: 'm', input: 'hi' })).rejects.toThrow();
  });

  it('cuts a stream early: a clean end leaves no response.completed, a reset throws', async () => {
    const s = await start([{ closeEarly: true }, { closeEarly: true, mode: 'reset' }, { closeEarly: true }]);
    const client = clientFor(s);
    // The SDK ends the iteration without an error: a caller must notice the missing terminal event.
    const events = await collect(await client.responses.create({ model: 'm', input: 'hi', stream: true }));
    expect(events.length).toBeGreaterThan(0);
    expect(events.some((event) => event.type === 'response.completed' || event.type === 'response.failed')).toBe(false);
    await expect(collect(await client.responses.create({ model: 'm', input: 'hi', stream: true }))).rejects.toThrow();
    // The stream helper even resolves its "final" response: the snapshot, still in progress.
    const final = await client.responses.stream({ model: 'm', input: 'hi' }).finalResponse();
    expect(final.status).toBe('in_progress');
  });

  it('hangs until the client aborts, before the headers and mid-stream', async () => {
    const s = await start([{ hang: true }, { hang: true, midStream: true }]);
    const client = clientFor(s);
    const before = new AbortController();
    setTimeout(() => before.abort(), 50);
    await expect(client.responses.create({ model: 'm', input: 'hi' }, { signal: before.signal })).rejects.toBeInstanceOf(OpenAI.APIUserAbortError);

    const mid = new AbortController();
    const stream = await client.responses.create({ model: 'm', input: 'hi', stream: true }, { signal: mid.signal });
    const seen: string[] = [];
    // An abort mid-stream ends the SDK's iteration quietly; the caller checks its own signal.
    for await (const event of stream) {
      seen.push(event.type);
      if (event.type === 'response.output_text.delta') mid.abort();
    }
    expect(seen).toContain('response.output_text.delta');
    expect(mid.signal.aborted).toBe(true);
    await expect.poll(() => s.aborted).toBe(2);
  });

  it('times out a hang through the SDK timeout (and the SDK retries timeouts)', async () => {
    const s = await start([{ hang: true }, { hang: true }]);
    const error = await clientFor(s, { timeout: 100, maxRetries: 1 })
      .responses.create({ model: 'm', input: 'hi' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    expect(s.requests).toHaveLength(2);
  });

  it('answers a function script, lists models, and refuses when the script runs out', async () => {
    const s = await start((request, index) => ({ text: `${index}: ${String(request.model)}` }));
    const client = clientFor(s);
    expect((await client.responses.create({ model: 'a', input: 'x' })).output_text).toBe('0: a');
    expect((await client.responses.create({ model: 'b', input: 'x' })).output_text).toBe('1: b');
    const models = await client.models.list();
    expect(models.data.map((model) => model.id)).toContain('gpt-5.1-codex-mini');

    const empty = await start([]);
    await expect(clientFor(empty, { maxRetries: 2 }).responses.create({ model: 'm', input: 'x' })).rejects.toThrow(/script exhausted/);
    expect(empty.requests).toHaveLength(1);
    await s.close();
  });
});

describe("responses-server: the Responses API's compaction", () => {
  const compaction = (threshold: number) => [{ type: 'compaction', compact_threshold: threshold }];
  const big = 'x'.repeat(4000); // about 1000 tokens

  it('emits a compaction item first once the input reaches compact_threshold, and takes it back as input', async () => {
    const s = await start(() => ({ text: 'ok' }));
    const client = clientFor(s);
    const below = await client.responses.create({ model: 'm', input: 'short', context_management: compaction(500) });
    expect(below.output.map((item) => item.type)).toEqual(['message']);

    const streamed = await collect(await client.responses.create({ model: 'm', input: big, context_management: compaction(500), stream: true }));
    const done = streamed.filter((event) => event.type === 'response.output_item.done').map((event) => (event as { item: { type: string } }).item);
    expect(done.map((item) => item.type)).toEqual(['compaction', 'message']);
    const item = done[0] as { type: 'compaction'; id: string; encrypted_content: string };
    expect(item.encrypted_content).toMatch(/^[A-Za-z0-9+/=]+$/);
    // The model went on from the compacted context, so that is what usage counts.
    const completed = streamed.at(-1) as { response: { usage: { input_tokens: number } } };
    expect(completed.response.usage.input_tokens).toBeLessThan(500);
    expect(s.compactions).toBe(1);

    const next = await client.responses.create({ model: 'm', input: [item, { role: 'user', content: 'go on' }], context_management: compaction(500) });
    expect(next.output_text).toBe('ok');
    const forged = await client.responses
      .create({
        model: 'm',
        input: [
          { type: 'compaction', encrypted_content: 'Zm9yZ2Vk' },
          { role: 'user', content: 'go on' },
        ],
      })
      .catch((e: unknown) => e);
    expect(forged).toBeInstanceOf(OpenAI.BadRequestError);
    expect((forged as InstanceType<typeof OpenAI.BadRequestError>).code).toBe('invalid_encrypted_content');
  });

  it('compacts with a scripted token count too', async () => {
    const s = await start([{ text: 'ok', usage: { inputTokens: 9000 } }]);
    const response = await clientFor(s).responses.create({ model: 'm', input: 'short', context_management: compaction(8000) });
    expect(response.output.map((item) => item.type)).toEqual(['compaction', 'message']);
  });

  it('answers responses.compact() with the user messages then one compaction item, outside the script', async () => {
    const s = await start([{ text: 'after compaction' }]);
    const client = clientFor(s);
    const compacted = await client.responses.compact({
      model: 'gpt-5.1-codex-max',
      input: [
        { role: 'user', content: 'the task' },
        { type: 'function_call', call_id: 'c1', name: 'read', arguments: '{}' },
        { type: 'function_call_output', call_id: 'c1', output: big },
      ],
    });
    expect(compacted.object).toBe('response.compaction');
    expect(compacted.output.map((item) => item.type)).toEqual(['message', 'compaction']);
    expect(JSON.stringify(compacted.output[0])).toContain('the task');
    expect(compacted.usage.input_tokens).toBeGreaterThan(1000);
    expect(s.compactRequests).toHaveLength(1);
    expect(s.requests).toHaveLength(0);
    const next = await client.responses.create({ model: 'gpt-5.1-codex-max', input: compacted.output as never });
    expect(next.output_text).toBe('after compaction');
  });

  it('as a gateway without compaction: refuses the parameter (400), the route (404) and compaction items, taking no script step', async () => {
    const s = await start([{ text: 'first step' }], { compaction: 'gateway' });
    const client = clientFor(s);
    const refused = await client.responses.create({ model: 'm', input: 'hi', context_management: compaction(100) }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
    expect((refused as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('context_management');
    expect(await client.responses.compact({ model: 'm', input: 'hi' }).catch((e: unknown) => e)).toBeInstanceOf(OpenAI.NotFoundError);
    const item = await client.responses.create({ model: 'm', input: [{ type: 'compaction', encrypted_content: 'eA==' }] }).catch((e: unknown) => e);
    expect(item).toBeInstanceOf(OpenAI.BadRequestError);
    expect((await client.responses.create({ model: 'm', input: 'hi' })).output_text).toBe('first step');
  });

  it('ignoring: takes the parameter and never compacts', async () => {
    const s = await start(() => ({ text: 'ok' }), { compaction: 'ignoring' });
    const response = await clientFor(s).responses.create({ model: 'm', input: big, context_management: compaction(10) });
    expect(response.output.map((item) => item.type)).toEqual(['message']);
    expect(s.compactions).toBe(0);
  });

  it("refuses an input over its model's window unless it compacts, and a model it does not serve", async () => {
    const s = await start(() => ({ text: 'ok' }), { contextWindows: { small: 800 }, models: ['small'], strictModels: true });
    const client = clientFor(s);
    const over = await client.responses.create({ model: 'small', input: big }).catch((e: unknown) => e);
    expect((over as InstanceType<typeof OpenAI.BadRequestError>).code).toBe('context_length_exceeded');
    expect((await client.responses.create({ model: 'small', input: big, context_management: compaction(700) })).output.map((item) => item.type)).toEqual([
      'compaction',
      'message',
    ]);
    const unknown = await client.responses.create({ model: 'gpt-imaginary', input: 'hi' }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
    expect((unknown as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('model_not_found');
    expect((unknown as Error).message).toContain('gpt-imaginary');
  });
});

describe('modelSummarizer', () => {
  it('asks for a hand-off summary with the sections, the previous summary and the events', async () => {
    const s = await start([{ text: '  ## Progress so far\nDid things.\n' }]);
    const summarizer = modelSummarizer({ model: 'gpt-5.1-codex-mini', baseURL: s.url, apiKey: 'sk-test' });
    expect(summarizer.kind).toBe('model');
    const text = await summarizer.summarize({
      previous: 'Earlier: set up the repo.',
      events: ['call apply-patch src/a.ts +3 -1 ok', 'call run-tests failed: test/a.test.ts > adds'],
      budget: 1000,
    });
    expect(text).toBe('## Progress so far\nDid things.');
    const request = s.requests[0]!;
    expect(request.model).toBe('gpt-5.1-codex-mini');
    expect(request.max_output_tokens).toBe(1300);
    for (const section of HANDOFF_SECTIONS) expect(request.instructions).toContain(section);
    expect(request.instructions).toMatch(/1000 tokens/);
    const input = JSON.stringify(request.input);
    expect(input).toContain('Earlier: set up the repo.');
    expect(input).toContain('call apply-patch src/a.ts +3 -1 ok');
    expect(input).toContain('test/a.test.ts > adds');
  });

  it('throws a clear error on an API error, a failed response or an empty answer', async () => {
    const s = await start([{ status: 500, retryAfterMs: 0 }, { fail: { code: 'server_error', message: 'boom' } }, { text: '   ' }]);
    const summarizer = modelSummarizer({ model: 'm', baseURL: s.url, apiKey: 'k', maxRetries: 0 });
    const input = { events: ['e'], budget: 100 };
    await expect(summarizer.summarize(input)).rejects.toThrow(/model summary failed \(m\): .*500/);
    await expect(summarizer.summarize(input)).rejects.toThrow(/server_error: boom/);
    await expect(summarizer.summarize(input)).rejects.toThrow(/no text/);
  });

  it('passes the abort signal to the request', async () => {
    const s = await start([{ hang: true }]);
    const summarizer = modelSummarizer({ model: 'm', baseURL: s.url, apiKey: 'k' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await expect(summarizer.summarize({ events: ['e'], budget: 100, signal: controller.signal })).rejects.toThrow(/cancelled/);
  });

  it('does not import the openai SDK at module load', async () => {
    const source = await readFile(new URL('../../src/core/compaction/model-summarizer.ts', import.meta.url), 'utf8');
    expect(source).not.toMatch(/^import (?!type )[^;]*from 'openai'/m);
  });
});

describe('configuredSummarizer', () => {
  it('is undefined without a key or base URL', () => {
    expect(configuredSummarizer(loadConfig({}, {}))).toBeUndefined();
    expect(configuredSummarizer(loadConfig({}, { OPENAI_API_KEY: ' ' }))).toBeUndefined();
  });

  it('uses session.summaryModel: BATON_SUMMARY_MODEL, else the default', async () => {
    const s = await start(() => ({ text: 'ok' }));
    const models: string[] = [];
    for (const env of [{ OPENAI_BASE_URL: s.url }, { OPENAI_BASE_URL: s.url, BATON_SUMMARY_MODEL: 'from-env' }]) {
      const summarizer = configuredSummarizer(loadConfig({}, env));
      expect(summarizer?.kind).toBe('model');
      await summarizer!.summarize({ events: ['e'], budget: 50 });
      models.push(s.requests.at(-1)!.model!);
    }
    expect(models).toEqual(['gpt-5.1-codex-mini', 'from-env']);
    // A base URL alone (a local endpoint) works without a key.
    expect(s.headers[0]?.authorization).toBe('Bearer unused');
  });
});
