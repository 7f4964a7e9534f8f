/**
 * A real local HTTP server that speaks enough of the OpenAI Responses API for the official
 * `openai` SDK (and the Codex CLI's `wire_api = "responses"` provider) to run against it.
 * Each test scripts the answers, one Step per HTTP request (retries included); what the server
 * refuses on its own (a parameter a gateway does not know, an unserved model, an input over the
 * window) is answered before the script and takes no step.
 *
 * Compaction, as the API has it: with `context_management: [{type: "compaction",
 * compact_threshold: N}]` a request whose rendered input reaches N tokens gets a `compaction`
 * item first in its output (opaque `encrypted_content`, to be passed back as input), and
 * `POST /responses/compact` returns the input's user messages followed by one compaction item.
 * Only compaction items this server issued are accepted back. Token counts are estimated at
 * 4 characters a token unless a step scripts them.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate } from 'node:zlib';

/** Token counts reported in `usage`; anything left out is estimated from the request and the answer. */
export interface StepUsage {
  inputTokens?: number;
  cachedTokens?: number;
  outputTokens?: number;
  reasoningTokens?: number;
}

export interface ScriptedFunctionCall {
  name: string;
  /** An object is JSON-encoded; a string is sent as is (so tests can send invalid JSON). */
  arguments: object | string;
  callId?: string;
  /** A tool inside a `namespace` tool (Codex offers an MCP server's tools as one). */
  namespace?: string;
}

export type Step =
  /** A final assistant message. */
  | { text: string; usage?: StepUsage }
  /** Function calls (after an optional message), for the client to execute and answer. */
  | { functionCalls: ScriptedFunctionCall[]; text?: string; usage?: StepUsage }
  /** An HTTP error. `retryAfterMs` is sent as `retry-after-ms` (default 10; null sends none, so the SDK backs off on its own). */
  | { status: 429 | 500 | 502 | 503; body?: unknown; retryAfterMs?: number | null }
  /** A response that fails: `response.failed` when streaming, a 200 with `status: 'failed'` otherwise. */
  | { fail: { code: string; message: string } }
  /** A malformed body: sent verbatim as the SSE stream, or as the JSON body of a non-streamed request. */
  | { garbage: string }
  /** The stream stops after a few events: `end` finishes the HTTP body cleanly, `reset` destroys the socket. */
  | { closeEarly: true; mode?: 'end' | 'reset' }
  /** Never answers until the client goes away; `midStream` first sends the opening events and a delta. */
  | { hang: true; midStream?: boolean }
  /** HTTP 400 with the OpenAI `context_length_exceeded` error body. */
  | { contextLengthExceeded: true };

/** The JSON body the client posted to `/responses` (only the fields tests look at are typed). */
export interface RecordedRequest {
  model?: string;
  instructions?: string;
  input?: unknown;
  tools?: Array<{ type: string; name?: string; [key: string]: unknown }>;
  reasoning?: { effort?: string; [key: string]: unknown };
  stream?: boolean;
  max_output_tokens?: number;
  [key: string]: unknown;
}

export type Script = Step[] | ((request: RecordedRequest, index: number) => Step | Promise<Step>);

export interface ResponsesServer {
  /** Base URL for the SDK: `http://127.0.0.1:PORT/v1`. */
  readonly url: string;
  /** Every body posted to `/responses`, in order, one per HTTP attempt (SDK retries included). */
  readonly requests: RecordedRequest[];
  /** The headers of those requests, same order (to check auth or SDK retry headers). */
  readonly headers: IncomingHttpHeaders[];
  /** How many answers were cut short because the client went away (abort, timeout). */
  readonly aborted: number;
  /** Every body posted to `/responses/compact`, in order (not in `requests`, and no script step). */
  readonly compactRequests: RecordedRequest[];
  /** Compaction items issued so far, by `context_management` and by `/responses/compact`. */
  readonly compactions: number;
  close(): Promise<void>;
}

export interface ServerOptions {
  /** What `GET /models` lists (and, with `strictModels`, all that `/responses` serves). */
  models?: string[];
  /** A model not in `models` is answered 404 `model_not_found`, as OpenAI does. */
  strictModels?: boolean;
  /**
   * `native` (default): the Responses API's compaction, both ways. `gateway`: an OpenAI-compatible
   * gateway without it: `context_management` is an unknown parameter (400), `/responses/compact`
   * is no route (404), a compaction item in the input is an invalid item type (400). `ignoring`:
   * takes `context_management` and never compacts; no `/responses/compact` either.
   */
  compaction?: 'native' | 'gateway' | 'ignoring';
  /** Context windows by model: an input estimated above its model's window (after any compaction) is refused with `context_length_exceeded`. */
  contextWindows?: Record<string, number>;
}

export async function startResponsesServer(script: Script, options: ServerOptions = {}): Promise<ResponsesServer> {
  const state: ServerState = { requests: [], headers: [], aborted: 0, ids: 0, hangs: new Set(), scripted: 0, compactRequests: [], issued: new Set() };
  const server = createServer((req, res) => {
    route(req, res, script, state, options).catch((error: unknown) => {
      // A bug in the scripted step must fail the test loudly, not look like a model answer.
      if (!res.headersSent) sendJson(res, 500, errorBody(`responses-server: ${String(error)}`, 'test_error', null), { 'x-should-retry': 'false' });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests: state.requests,
    headers: state.headers,
    get aborted() {
      return state.aborted;
    },
    compactRequests: state.compactRequests,
    get compactions() {
      return state.issued.size;
    },
    close: async () => {
      for (const release of state.hangs) release();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

const DEFAULT_MODELS = ['gpt-5.1-codex-mini', 'gpt-5.1-codex-max'];

interface ServerState {
  requests: RecordedRequest[];
  headers: IncomingHttpHeaders[];
  aborted: number;
  ids: number;
  hangs: Set<() => void>;
  /** Requests that reached the script: the index of the next step. */
  scripted: number;
  compactRequests: RecordedRequest[];
  /** The `encrypted_content` of every compaction item issued. */
  issued: Set<string>;
}

async function route(req: IncomingMessage, res: ServerResponse, script: Script, state: ServerState, options: ServerOptions): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  const models = options.models ?? DEFAULT_MODELS;
  if (req.method === 'GET' && path.endsWith('/models')) {
    sendJson(res, 200, { object: 'list', data: models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'baton-test' })) });
    return;
  }
  const compact = path.endsWith('/responses/compact');
  if (req.method !== 'POST' || !(compact || path.endsWith('/responses'))) {
    // OpenAI's own answer to an unknown route.
    sendJson(res, 404, errorBody(`Invalid URL (${req.method} ${path})`, 'invalid_request_error', null));
    return;
  }
  const request = JSON.parse(await readBody(req)) as RecordedRequest;
  res.on('close', () => {
    if (!res.writableFinished) state.aborted++;
  });
  if (compact) {
    state.compactRequests.push(request);
    // Recorded, so tests see it was tried; a server without compaction has no such route.
    if ((options.compaction ?? 'native') !== 'native') return sendJson(res, 404, errorBody(`Invalid URL (POST ${path})`, 'invalid_request_error', null));
    const refusal = refuse(request, state, options);
    if (refusal) return sendJson(res, refusal.status, refusal.body, { 'x-should-retry': 'false' });
    return sendJson(res, 200, compacted(request, state));
  }
  state.requests.push(request);
  state.headers.push(req.headers);
  const refusal = refuse(request, state, options);
  if (refusal) return sendJson(res, refusal.status, refusal.body, { 'x-should-retry': 'false' });
  const index = state.scripted++;
  const step = await pickStep(script, request, index);
  if (!step) {
    sendJson(res, 400, errorBody(`responses-server: script exhausted at request ${index}`, 'test_error', null), { 'x-should-retry': 'false' });
    return;
  }
  await answer(res, step, request, state, options);
}

/** What the server refuses before any script step: an unserved model, an unknown parameter, a foreign compaction item. */
function refuse(request: RecordedRequest, state: ServerState, options: ServerOptions): { status: number; body: unknown } | undefined {
  const models = options.models ?? DEFAULT_MODELS;
  if (options.strictModels && !models.includes(String(request.model))) {
    const message = `The model \`${String(request.model)}\` does not exist or you do not have access to it.`;
    return { status: 404, body: errorBody(message, 'invalid_request_error', 'model_not_found') };
  }
  const mode = options.compaction ?? 'native';
  if (mode === 'gateway' && request.context_management !== undefined) {
    return { status: 400, body: errorBody("Unknown parameter: 'context_management'.", 'invalid_request_error', 'unknown_parameter', 'context_management') };
  }
  const input = Array.isArray(request.input) ? (request.input as Array<Record<string, unknown>>) : [];
  for (const [i, item] of input.entries()) {
    if (item.type !== 'compaction') continue;
    if (mode !== 'native') {
      return {
        status: 400,
        body: errorBody(
          `Invalid value: 'compaction'. Supported values are: 'message', 'function_call' and 'function_call_output'.`,
          'invalid_request_error',
          'invalid_value',
          `input[${i}].type`,
        ),
      };
    }
    if (!state.issued.has(String(item.encrypted_content))) {
      return {
        status: 400,
        body: errorBody(
          'The encrypted content of the compaction item could not be verified.',
          'invalid_request_error',
          'invalid_encrypted_content',
          `input[${i}].encrypted_content`,
        ),
      };
    }
  }
  // Over the window by the estimate, unless the server compacts it first.
  const window = options.contextWindows?.[String(request.model)];
  if (window !== undefined && renderedTokens(request) > window && !(mode === 'native' && crossesThreshold(request, undefined))) {
    const size = JSON.stringify(request.input ?? '').length;
    return {
      status: 400,
      body: errorBody(
        `Your input exceeds the context window of this model (input was ${size} characters).`,
        'invalid_request_error',
        'context_length_exceeded',
        'input',
      ),
    };
  }
  return undefined;
}

/** The rendered size of a request, as the model would see it. */
function renderedTokens(request: Pick<RecordedRequest, 'instructions' | 'input' | 'tools'>): number {
  return Math.ceil(JSON.stringify([request.instructions, request.input, request.tools]).length / 4);
}

function compactionItem(state: ServerState, folded: number): CompactionItem {
  const n = ++state.ids;
  // Opaque to the client, as the real one is encrypted; unique, so the server knows its own.
  const encrypted = Buffer.from(JSON.stringify({ compaction: n, folded, nonce: Math.random().toString(36).slice(2) })).toString('base64');
  state.issued.add(encrypted);
  return { type: 'compaction', id: `cmp_${n}`, encrypted_content: encrypted };
}

/** `/responses/compact`: the input's user messages, then one compaction item standing for everything. */
function compacted(request: RecordedRequest, state: ServerState) {
  const input = typeof request.input === 'string' ? [{ role: 'user', content: request.input }] : ((request.input ?? []) as Array<Record<string, unknown>>);
  const users = input
    .filter((item) => item.role === 'user')
    .map((item) => ({
      type: 'message',
      id: `msg_${++state.ids}`,
      role: 'user',
      status: 'completed',
      content: typeof item.content === 'string' ? [{ type: 'input_text', text: item.content }] : item.content,
    }));
  const output = [...users, compactionItem(state, input.length)];
  const inputTokens = renderedTokens(request);
  const outputTokens = Math.ceil(JSON.stringify(output).length / 4);
  return {
    id: `resp_${++state.ids}`,
    object: 'response.compaction',
    created_at: Math.floor(Date.now() / 1000),
    output,
    usage: {
      input_tokens: inputTokens,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: outputTokens,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: inputTokens + outputTokens,
    },
  };
}

async function pickStep(script: Script, request: RecordedRequest, index: number): Promise<Step | undefined> {
  return typeof script === 'function' ? script(request, index) : script[index];
}

const decoders: Record<string, (data: Buffer) => Promise<Buffer>> = {
  gzip: promisify(gunzip),
  deflate: promisify(inflate),
  br: promisify(brotliDecompress),
};

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  // Some clients (the Codex CLI among them) may compress request bodies.
  const decode = decoders[String(req.headers['content-encoding'] ?? '')];
  return (decode ? await decode(raw) : raw).toString('utf8');
}

async function answer(res: ServerResponse, step: Step, request: RecordedRequest, state: ServerState, options: ServerOptions): Promise<void> {
  const streaming = request.stream === true;
  if ('status' in step) return sendHttpError(res, step);
  if ('contextLengthExceeded' in step) return sendContextLengthExceeded(res, request);
  if ('garbage' in step) return sendGarbage(res, step.garbage, streaming);
  if ('hang' in step) return hang(res, step.midStream === true && streaming, request, state);
  if ('closeEarly' in step) return closeEarly(res, step.mode ?? 'end', request, state);
  const compacts = (options.compaction ?? 'native') === 'native' && !('fail' in step) && crossesThreshold(request, step.usage);
  const reply = buildReply(step, request, state, compacts);
  if (streaming) await streamReply(res, reply);
  else sendJson(res, 200, reply.final);
}

// ---------------------------------------------------------------------------------------------
// Errors and misbehaviour

function errorBody(message: string, type: string, code: string | null, param: string | null = null) {
  return { error: { message, type, param, code } };
}

function sendHttpError(res: ServerResponse, step: { status: number; body?: unknown; retryAfterMs?: number | null }): void {
  const retryAfterMs = step.retryAfterMs === undefined ? 10 : step.retryAfterMs;
  const headers: Record<string, string> = retryAfterMs === null ? {} : { 'retry-after-ms': String(retryAfterMs) };
  const body =
    step.body ??
    (step.status === 429
      ? errorBody('Rate limit reached (scripted).', 'requests', 'rate_limit_exceeded')
      : errorBody('The server had an error while processing your request (scripted).', 'server_error', 'server_error'));
  if (typeof body === 'string') {
    res.writeHead(step.status, { 'content-type': 'text/plain', ...headers }).end(body);
    return;
  }
  sendJson(res, step.status, body, headers);
}

function sendContextLengthExceeded(res: ServerResponse, request: RecordedRequest): void {
  const size = JSON.stringify(request.input ?? '').length;
  const message = `Your input exceeds the context window of this model (scripted; input was ${size} characters). Please adjust your input and try again.`;
  sendJson(res, 400, errorBody(message, 'invalid_request_error', 'context_length_exceeded', 'input'));
}

function sendGarbage(res: ServerResponse, garbage: string, streaming: boolean): void {
  res.writeHead(200, { 'content-type': streaming ? 'text/event-stream' : 'application/json' }).end(garbage);
}

/** Holds the request open until the client disconnects or the server closes. */
async function hang(res: ServerResponse, midStream: boolean, request: RecordedRequest, state: ServerState): Promise<void> {
  if (midStream) {
    const reply = buildReply({ text: 'Working on it' }, request, state);
    await writeEvents(res, openingEvents(reply));
  }
  await new Promise<void>((resolve) => {
    const release = () => {
      state.hangs.delete(release);
      resolve();
    };
    state.hangs.add(release);
    res.on('close', release);
  });
}

async function closeEarly(res: ServerResponse, mode: 'end' | 'reset', request: RecordedRequest, state: ServerState): Promise<void> {
  const reply = buildReply({ text: 'This answer is cut short before it ends' }, request, state);
  await writeEvents(res, openingEvents(reply));
  if (mode === 'reset') res.destroy();
  else res.end();
}

// ---------------------------------------------------------------------------------------------
// Successful replies: one Response object, and the event sequence that builds it

interface Reply {
  /** The Response object as `response.created` sees it (no output yet). */
  initial: Record<string, unknown>;
  /** The finished Response object. */
  final: Record<string, unknown>;
  items: OutputItem[];
}

interface CompactionItem {
  type: 'compaction';
  id: string;
  encrypted_content: string;
}

type OutputItem =
  | { type: 'message'; id: string; role: 'assistant'; status: string; content: Array<{ type: 'output_text'; text: string; annotations: []; logprobs: [] }> }
  | { type: 'function_call'; id: string; call_id: string; name: string; namespace?: string; arguments: string; status: string }
  | CompactionItem;

type ReplyStep = { text?: string; functionCalls?: ScriptedFunctionCall[]; usage?: StepUsage } | { fail: { code: string; message: string } };

/** Whether the request asks for compaction at a threshold its input (scripted or estimated) reaches. */
function crossesThreshold(request: RecordedRequest, usage: StepUsage | undefined): boolean {
  const entries = Array.isArray(request.context_management) ? (request.context_management as Array<{ type?: string; compact_threshold?: number | null }>) : [];
  const threshold = entries.find((entry) => entry.type === 'compaction')?.compact_threshold;
  if (typeof threshold !== 'number') return false;
  return (usage?.inputTokens ?? renderedTokens(request)) >= threshold;
}

function buildReply(step: ReplyStep, request: RecordedRequest, state: ServerState, compacts = false): Reply {
  const id = `resp_${++state.ids}`;
  const failed = 'fail' in step;
  const compaction = compacts ? [compactionItem(state, Array.isArray(request.input) ? request.input.length : 1)] : [];
  const items: OutputItem[] = failed ? [] : [...compaction, ...outputItems(step, state)];
  const base = responseObject(id, request);
  // After a compaction the model went on from the compacted context: that is what it read.
  const read = compacts ? { ...request, input: compaction } : request;
  const usage = failed ? null : usageOf(step.usage, read, items);
  const final = {
    ...base,
    status: failed ? 'failed' : 'completed',
    completed_at: failed ? null : base.created_at,
    error: failed ? { code: step.fail.code, message: step.fail.message } : null,
    output: items,
    usage,
  };
  return { initial: { ...base, status: 'in_progress', output: [], usage: null }, final, items };
}

function outputItems(step: { text?: string; functionCalls?: ScriptedFunctionCall[] }, state: ServerState): OutputItem[] {
  const items: OutputItem[] = [];
  if (step.text !== undefined) {
    items.push({
      type: 'message',
      id: `msg_${++state.ids}`,
      role: 'assistant',
      status: 'completed',
      content: [{ type: 'output_text', text: step.text, annotations: [], logprobs: [] }],
    });
  }
  for (const call of step.functionCalls ?? []) {
    const n = ++state.ids;
    items.push({
      type: 'function_call',
      id: `fc_${n}`,
      call_id: call.callId ?? `call_${n}`,
      name: call.name,
      ...(call.namespace ? { namespace: call.namespace } : {}),
      arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
      status: 'completed',
    });
  }
  return items;
}

function responseObject(id: string, request: RecordedRequest) {
  return {
    id,
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    model: request.model ?? 'unknown',
    instructions: request.instructions ?? null,
    incomplete_details: null,
    max_output_tokens: request.max_output_tokens ?? null,
    metadata: {},
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: request.reasoning?.effort ?? null, summary: null },
    store: request.store ?? false,
    temperature: 1,
    text: { format: { type: 'text' } },
    tool_choice: request.tool_choice ?? 'auto',
    tools: request.tools ?? [],
    top_p: 1,
    truncation: 'disabled',
  };
}

/** Rough counts (4 characters a token) so usage-driven logic has something plausible to chew on. */
function usageOf(given: StepUsage | undefined, request: RecordedRequest, items: OutputItem[]) {
  const input = given?.inputTokens ?? renderedTokens(request);
  const output = given?.outputTokens ?? Math.max(1, Math.ceil(JSON.stringify(items).length / 4));
  const reasoning = given?.reasoningTokens ?? 0;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: given?.cachedTokens ?? 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: reasoning },
    total_tokens: input + output,
  };
}

// ---------------------------------------------------------------------------------------------
// Server-sent events

type StreamEvent = { type: string; [key: string]: unknown };

/** `response.created`, `response.in_progress`, and the first item opened with one delta: what a cut or stalled stream shows. */
function openingEvents(reply: Reply): StreamEvent[] {
  const events: StreamEvent[] = [
    { type: 'response.created', response: reply.initial },
    { type: 'response.in_progress', response: reply.initial },
  ];
  const first = reply.items[0];
  if (first) events.push(...itemEvents(first, 0).slice(0, first.type === 'message' ? 3 : 2));
  return events;
}

function replyEvents(reply: Reply): StreamEvent[] {
  const status = reply.final.status === 'failed' ? 'response.failed' : 'response.completed';
  return [
    { type: 'response.created', response: reply.initial },
    { type: 'response.in_progress', response: reply.initial },
    ...reply.items.flatMap((item, index) => itemEvents(item, index)),
    { type: status, response: reply.final },
  ];
}

function itemEvents(item: OutputItem, outputIndex: number): StreamEvent[] {
  const at = { output_index: outputIndex, item_id: item.id };
  if (item.type === 'compaction') {
    return [
      { type: 'response.output_item.added', output_index: outputIndex, item },
      { type: 'response.output_item.done', output_index: outputIndex, item },
    ];
  }
  if (item.type === 'function_call') {
    return [
      { type: 'response.output_item.added', output_index: outputIndex, item: { ...item, arguments: '', status: 'in_progress' } },
      ...chunks(item.arguments).map((delta) => ({ type: 'response.function_call_arguments.delta', ...at, delta })),
      { type: 'response.function_call_arguments.done', ...at, name: item.name, arguments: item.arguments },
      { type: 'response.output_item.done', output_index: outputIndex, item },
    ];
  }
  const text = item.content[0]?.text ?? '';
  const part = { type: 'output_text', text: '', annotations: [], logprobs: [] };
  const inText = { ...at, content_index: 0 };
  return [
    { type: 'response.output_item.added', output_index: outputIndex, item: { ...item, status: 'in_progress', content: [] } },
    { type: 'response.content_part.added', ...inText, part },
    ...chunks(text).map((delta) => ({ type: 'response.output_text.delta', ...inText, delta, logprobs: [] })),
    { type: 'response.output_text.done', ...inText, text, logprobs: [] },
    { type: 'response.content_part.done', ...inText, part: { ...part, text } },
    { type: 'response.output_item.done', output_index: outputIndex, item },
  ];
}

/** Splits into a few pieces (at least one, even for "") so clients see real incremental deltas. */
function chunks(text: string): string[] {
  const size = Math.max(1, Math.ceil(text.length / 4));
  const pieces: string[] = [];
  for (let at = 0; at < text.length; at += size) pieces.push(text.slice(at, at + size));
  return pieces.length > 0 ? pieces : [''];
}

async function streamReply(res: ServerResponse, reply: Reply): Promise<void> {
  await writeEvents(res, replyEvents(reply));
  res.end();
}

const sequences = new WeakMap<ServerResponse, number>();

async function writeEvents(res: ServerResponse, events: StreamEvent[]): Promise<void> {
  if (!res.headersSent) res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const event of events) {
    if (res.destroyed) return;
    const sequence = sequences.get(res) ?? 0;
    sequences.set(res, sequence + 1);
    res.write(`event: ${event.type}\ndata: ${JSON.stringify({ ...event, sequence_number: sequence })}\n\n`);
    // Yield so each event leaves as its own chunk, as from a real model.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}
