import { compactItems } from '../../core/compaction/engine.js';
import { extractiveSummarizer } from '../../core/compaction/extractive.js';
import type { Summarizer } from '../../core/compaction/summarizer.js';
import type { UserError } from '../../core/errors.js';
import type { Effort } from '../../config.js';
import { isReadOnlyTool, runAgentTool, toolDefinitions, type AgentMode, type AgentToolContext, type ToolRun } from './agent-tools.js';
import type { CompactionSupport } from './endpoint-support.js';
import type { Finding } from './schema.js';

/**
 * The agent loop Baton runs itself against the Responses API: the model works with Baton's
 * capabilities as function tools until it finishes, runs out of turns or budget, or is
 * cancelled. When the context nears the model's window it compacts and goes on, as Codex-Max
 * does: with the Responses API's own compaction where the endpoint has it (`context_management`
 * on every request, `responses.compact()` when the API says the context is too long), else
 * with the session compaction engine (a hand-off summary plus the latest turns).
 */

/** One item of the conversation sent back to the API each turn. */
export type Item = Record<string, unknown> & { type?: string; role?: string };

export interface AgentOptions {
  client: ResponsesClient;
  /** The endpoint, for notes and errors (no credentials). */
  endpoint: string;
  task: string;
  mode?: AgentMode;
  model: string;
  /** Used once 90 % of `budgetTokens` is spent. */
  smallModel: string;
  effort: Effort;
  sandbox: 'read-only' | 'workspace-write';
  contextWindow: number;
  maxTurns: number;
  budgetTokens?: number;
  /** The conversation of an earlier delegation, to continue it. */
  history?: Item[];
  summarizer?: Summarizer;
  /** What is known of the endpoint's compaction; what the run learns comes back in the result. */
  support: CompactionSupport;
  /** The tool error for a model the endpoint does not serve (it names the configuration key to change). */
  modelNotFound(model: string, reason: string): UserError;
  signal: AbortSignal;
  progress(message: string): void;
  tools: AgentToolContext;
}

export interface AgentResult {
  status: 'completed' | 'failed' | 'cancelled' | 'budget-exceeded';
  finalMessage: string;
  model: string;
  items: Item[];
  commands: Array<{ command: string; exitCode: number | null }>;
  usage: { inputTokens: number; cachedInputTokens: number; outputTokens: number; reasoningTokens: number };
  turns: number;
  compactions: number;
  /** How the compactions were done: by the API (either way) or by the session engine. */
  compactedBy: { native: number; engine: number };
  /** What this run learned of the endpoint's compaction support. */
  learned: CompactionSupport;
  reads: Array<{ path: string; hash: string }>;
  /** Review mode: the findings the model gave `finish`. */
  findings?: Finding[];
  notes: string[];
}

/** The part of the openai client the loop uses (the real client in production and tests). */
export interface ResponsesClient {
  responses: {
    create(body: Record<string, unknown>, options?: { signal?: AbortSignal }): Promise<AsyncIterable<StreamEvent>>;
    compact(body: Record<string, unknown>, options?: { signal?: AbortSignal }): Promise<{ output: unknown[]; usage?: Usage }>;
  };
}

interface StreamEvent {
  type: string;
  item?: Item;
  delta?: string;
  response?: { usage?: Usage; error?: { message?: string } | null; status?: string };
}

interface Usage {
  input_tokens?: number;
  output_tokens?: number;
  input_tokens_details?: { cached_tokens?: number };
  output_tokens_details?: { reasoning_tokens?: number };
}

const INSTRUCTIONS = [
  'You are a coding agent working in a repository through the tools you are given.',
  'Look before you change: use repo_scan (overview, search, read) to find what matters.',
  'Change files only with apply_patch, in the Codex patch format; run the tests with run_tests when you changed code.',
  'When the task is done (or cannot be done), call finish with a short report: what you did, what you found, what is left.',
].join('\n');

const REVIEW_INSTRUCTIONS = [
  'You are reviewing a code change another engineer made, read-only, through the tools you are given.',
  'The change is in the first message as a diff. Use repo_scan (read, search) to check the code around it.',
  'Flag only problems the change introduces and its author would want to fix: bugs, broken behaviour, security holes,',
  'data loss, clear performance traps. Each must be discrete and provable from the code, not speculation; skip style and nits.',
  'Finish with finish: a one-paragraph verdict in report, and one finding per problem (path relative to the root, the line',
  'in the new code, severity, a short title, and a body that says why it is wrong and when it shows). No problems: an empty list.',
].join('\n');

/** Share of the context window at which the loop compacts. */
const COMPACT_AT = 0.9;

interface Loop {
  result: AgentResult;
  /** `context_management` goes with every request (until the endpoint refuses it). */
  native: boolean;
  threshold: number;
  /** Of the API's compactions, those done by `responses.compact()` (the rest came with a response). */
  compactCalls: number;
  /** Why the engine compacted instead of the API, for the notes. */
  engineReason?: string;
}

export async function runResponsesAgent(options: AgentOptions): Promise<AgentResult> {
  const loop: Loop = {
    result: {
      status: 'failed',
      finalMessage: '',
      model: options.model,
      items: options.history ? [...options.history, userMessage(options.task)] : [userMessage(options.task)],
      commands: [],
      usage: { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, reasoningTokens: 0 },
      turns: 0,
      compactions: 0,
      compactedBy: { native: 0, engine: 0 },
      learned: {},
      reads: [],
      notes: [],
    },
    native: options.support.contextManagement !== 'unsupported',
    threshold: Math.floor(options.contextWindow * COMPACT_AT),
    compactCalls: 0,
    ...(options.support.contextManagement === 'unsupported' ? { engineReason: 'the endpoint does not support the Responses API compaction (remembered)' } : {}),
  };
  const status = await run(loop, options);
  const result = { ...loop.result, status: status.status, finalMessage: status.finalMessage ?? loop.result.finalMessage };
  result.notes.push(...compactionNotes(loop));
  return result;
}

async function run(loop: Loop, options: AgentOptions): Promise<{ status: AgentResult['status']; finalMessage?: string }> {
  const { result } = loop;
  const mode = options.mode ?? 'task';
  const tools = toolDefinitions(options.sandbox, mode);
  let retriedContext = false;

  while (result.turns < options.maxTurns) {
    if (options.signal.aborted) return { status: 'cancelled' };
    switchModelNearBudget(result, options);
    if (options.budgetTokens && spent(result) >= options.budgetTokens) {
      return { status: 'budget-exceeded', finalMessage: result.finalMessage || `stopped: the budget of ${options.budgetTokens} tokens is spent` };
    }
    result.turns++;
    options.progress(`turn ${result.turns} (${result.model})`);
    // Everything of one turn hangs off a signal of its own: the SDK adds an abort listener to
    // the signal of every request and never removes it, so the job's signal would collect one
    // per request over a long loop.
    const turnSignal = childSignal(options.signal);
    try {
      let turn: { output: Item[]; usage?: Usage; error?: string };
      try {
        turn = await oneTurn(options, loop, tools, turnSignal.signal);
      } catch (error) {
        if (options.signal.aborted) return { status: 'cancelled' };
        if (loop.native && refusesContextManagement(error)) {
          // An OpenAI-compatible gateway without the API's compaction: the same turn again, without it.
          loop.native = false;
          result.learned.contextManagement = 'unsupported';
          loop.engineReason = `${options.endpoint} refused context_management (${apiReason(error)}); remembered for this endpoint`;
          result.turns--;
          continue;
        }
        if (isModelNotFound(error)) throw options.modelNotFound(result.model, apiReason(error));
        if (isContextLengthError(error) && !retriedContext) {
          // The window is full after all: compact now and try the same turn again.
          retriedContext = true;
          result.turns--;
          await compact(loop, options, 'overflow', turnSignal.signal);
          continue;
        }
        return { status: 'failed', finalMessage: `the model endpoint failed: ${(error as Error).message}` };
      }
      retriedContext = false;
      addUsage(result, turn.usage);
      if (turn.error) return { status: 'failed', finalMessage: turn.error };

      const compacted = turn.output.filter((item) => item.type === 'compaction').length;
      if (compacted) {
        result.compactions += compacted;
        result.compactedBy.native += compacted;
        result.learned.contextManagement = 'supported';
        options.progress(`the API compacted the context (${result.compactions})`);
      }
      const calls = turn.output.filter((item) => item.type === 'function_call');
      result.items.push(...turn.output.filter((item) => item.type !== 'reasoning'));
      // The latest compaction item carries everything before it.
      if (compacted) result.items = result.items.slice(result.items.findLastIndex((item) => item.type === 'compaction'));
      const text = turn.output
        .filter((item) => item.type === 'message')
        .map(messageText)
        .join('\n')
        .trim();
      if (text) result.finalMessage = text;
      if (!calls.length) return { status: 'completed' };

      const runs = await runCalls(calls, options, mode, turnSignal.signal);
      for (const [i, call] of calls.entries()) {
        const run = runs[i]!;
        result.items.push({ type: 'function_call_output', call_id: call.call_id, output: run.output });
        if (run.command) result.commands.push(run.command);
        if (run.read) result.reads.push(run.read);
        if (run.finish !== undefined) {
          if (run.findings) result.findings = run.findings;
          return { status: 'completed', finalMessage: run.finish };
        }
      }
      // With context_management the API compacts once the input reaches the threshold; an
      // input past it with no compaction item means the endpoint took the parameter and ignored it.
      if ((turn.usage?.input_tokens ?? 0) >= loop.threshold && !compacted) await compact(loop, options, 'full', turnSignal.signal);
    } finally {
      turnSignal.dispose();
    }
  }
  result.notes.push(`stopped after maxTurns (${options.maxTurns})`);
  return { status: 'budget-exceeded', finalMessage: result.finalMessage || `stopped after ${options.maxTurns} turns` };
}

function userMessage(text: string): Item {
  return { role: 'user', content: text };
}

function messageText(item: Item): string {
  const content = item.content as Array<{ type: string; text?: string }> | undefined;
  return (content ?? []).map((part) => part.text ?? '').join('');
}

function spent(result: AgentResult): number {
  return result.usage.inputTokens + result.usage.outputTokens;
}

function switchModelNearBudget(result: AgentResult, options: AgentOptions): void {
  if (!options.budgetTokens || result.model === options.smallModel) return;
  if (spent(result) >= options.budgetTokens * 0.9) {
    result.notes.push(`switched to ${options.smallModel} after 90 % of budgetTokens`);
    result.model = options.smallModel;
  }
}

function addUsage(result: AgentResult, usage: Usage | undefined): void {
  if (!usage) return;
  result.usage.inputTokens += usage.input_tokens ?? 0;
  result.usage.cachedInputTokens += usage.input_tokens_details?.cached_tokens ?? 0;
  result.usage.outputTokens += usage.output_tokens ?? 0;
  result.usage.reasoningTokens += usage.output_tokens_details?.reasoning_tokens ?? 0;
}

/** One streamed request; a stream that ends without completing is an error, not an answer. */
async function oneTurn(options: AgentOptions, loop: Loop, tools: unknown[], signal: AbortSignal): Promise<{ output: Item[]; usage?: Usage; error?: string }> {
  const { result } = loop;
  const stream = await options.client.responses.create(
    {
      model: result.model,
      instructions: options.mode === 'review' ? REVIEW_INSTRUCTIONS : INSTRUCTIONS,
      input: result.items,
      tools,
      reasoning: { effort: options.effort },
      ...(loop.native ? { context_management: [{ type: 'compaction', compact_threshold: loop.threshold }] } : {}),
      stream: true,
      store: false,
    },
    { signal },
  );
  const output: Item[] = [];
  let streamed = 0;
  for await (const event of stream) {
    if (event.type === 'response.output_item.done' && event.item) output.push(event.item);
    else if (event.type === 'response.output_text.delta') {
      const length = event.delta?.length ?? 0;
      streamed += length;
      // About every 400 characters written.
      if (length > 0 && streamed % 400 < length) options.progress(`turn ${result.turns}: writing (${streamed} characters)`);
    } else if (event.type === 'response.completed') return { output, ...(event.response?.usage ? { usage: event.response.usage } : {}) };
    else if (event.type === 'response.failed' || event.type === 'error') {
      return { output, error: `the model failed: ${event.response?.error?.message ?? 'unknown error'}` };
    }
  }
  if (signal.aborted) throw new Error('cancelled');
  throw new Error('the response stream ended before the response completed');
}

/** Read-only calls of one turn run together; anything that writes runs alone, in order. */
async function runCalls(calls: Item[], options: AgentOptions, mode: AgentMode, signal: AbortSignal): Promise<ToolRun[]> {
  const runs: ToolRun[] = new Array(calls.length);
  const run = async (index: number): Promise<void> => {
    const call = calls[index]!;
    options.progress(`tool ${String(call.name)}`);
    runs[index] = await runAgentTool(String(call.name), String(call.arguments ?? ''), options.sandbox, { ...options.tools, signal }, mode);
  };
  const readOnly = calls.map((call, i) => (isReadOnlyTool(String(call.name)) ? i : -1)).filter((i) => i >= 0);
  await Promise.all(readOnly.map(run));
  for (let i = 0; i < calls.length; i++) if (!readOnly.includes(i)) await run(i);
  return runs;
}

// ---------------------------------------------------------------------------------------------
// Compaction

/**
 * Compacts now: `full` when the input passed the threshold and the API did not compact on its
 * own, `overflow` when the API refused the input as too long. The API's `responses.compact()`
 * first where the endpoint has it, else (or when it fails) the session engine.
 */
async function compact(loop: Loop, options: AgentOptions, why: 'full' | 'overflow', signal: AbortSignal): Promise<void> {
  const { result } = loop;
  if (loop.native && options.support.compactEndpoint !== 'unsupported' && result.learned.compactEndpoint !== 'unsupported') {
    try {
      const compacted = await options.client.responses.compact(
        { model: result.model, instructions: options.mode === 'review' ? REVIEW_INSTRUCTIONS : INSTRUCTIONS, input: result.items },
        { signal },
      );
      // Kept as the API returns them: the user messages, then the compaction item.
      result.items = compacted.output as Item[];
      addUsage(result, compacted.usage);
      result.compactions++;
      result.compactedBy.native++;
      loop.compactCalls++;
      result.learned.compactEndpoint = 'supported';
      options.progress(`compacted the context with responses.compact (${result.compactions})`);
      return;
    } catch (error) {
      if (options.signal.aborted) throw error;
      if (isModelNotFound(error)) throw options.modelNotFound(result.model, apiReason(error));
      if (hasNoRoute(error)) {
        result.learned.compactEndpoint = 'unsupported';
        if (why === 'full') {
          // It took context_management without compacting, and has no compact endpoint: no API compaction here.
          loop.native = false;
          result.learned.contextManagement = 'unsupported';
          loop.engineReason = `${options.endpoint} took context_management without compacting and has no /responses/compact; remembered for this endpoint`;
        } else loop.engineReason = `${options.endpoint} has no /responses/compact; remembered for this endpoint`;
      } else loop.engineReason = `responses.compact failed (${apiReason(error)})`;
    }
  }
  await compactWithEngine(result, options, why === 'overflow' ? 0.3 : 0.5, signal);
}

/** Groups the history into turns, so a function call is never separated from its output. */
function turnsOf(items: readonly Item[]): Item[][] {
  const groups: Item[][] = [];
  for (const item of items) {
    const startsTurn = item.role === 'user' || (item.type !== 'function_call_output' && groups.at(-1)?.some((i) => i.type === 'function_call_output'));
    if (startsTurn || !groups.length) groups.push([item]);
    else groups.at(-1)!.push(item);
  }
  return groups;
}

function renderItem(item: Item): string {
  if (item.role === 'user') return `user: ${String(item.content).slice(0, 2000)}`;
  if (item.type === 'function_call') return `call ${String(item.name)} ${String(item.arguments).slice(0, 500)}`;
  if (item.type === 'function_call_output') return `→ ${String(item.output).slice(0, 1500)}`;
  if (item.type === 'message') return `assistant: ${messageText(item).slice(0, 2000)}`;
  return JSON.stringify(item).slice(0, 500);
}

/**
 * Replaces older turns by a hand-off summary (the session compaction engine), keeping the
 * task and the most recent turns verbatim.
 */
async function compactWithEngine(result: AgentResult, options: AgentOptions, recentShare: number, signal: AbortSignal): Promise<void> {
  const [task, ...rest] = result.items;
  const groups = turnsOf(rest);
  const engine = {
    budget: Math.floor(options.contextWindow * 0.5),
    recentShare,
    keepAtMost: 2, // the API said the window is nearly full: fold all but the last turns
    render: (group: Item[]) => group.map(renderItem).join('\n'),
    signal,
  };
  let compacted: Awaited<ReturnType<typeof compactItems<Item[]>>>;
  try {
    compacted = await compactItems(groups, { ...engine, summarizer: options.summarizer ?? extractiveSummarizer });
  } catch {
    compacted = await compactItems(groups, { ...engine, summarizer: extractiveSummarizer });
  }
  if (!compacted.folded) return;
  result.items = [task!, userMessage(`Summary of the work so far (the earlier conversation was compacted):\n${compacted.summary}`), ...compacted.kept.flat()];
  result.compactions++;
  result.compactedBy.engine++;
  options.progress(`compacted the history (${result.compactions})`);
}

/** What the caller should know about compaction: which path was taken, and why the engine's. */
function compactionNotes(loop: Loop): string[] {
  const { native, engine } = loop.result.compactedBy;
  const notes: string[] = [];
  if (native) {
    const how = [
      native > loop.compactCalls ? `${native - loop.compactCalls} with a response (context_management at ${loop.threshold} tokens)` : '',
      loop.compactCalls ? `${loop.compactCalls} by responses.compact` : '',
    ];
    notes.push(`compaction: ${native}× by the Responses API: ${how.filter(Boolean).join(', ')}`);
  }
  if (engine) notes.push(`compaction: ${engine}× by Baton's session engine${loop.engineReason ? ` (${loop.engineReason})` : ''}`);
  else if (loop.result.learned.contextManagement === 'unsupported' && loop.engineReason)
    notes.push(`compaction: Baton's session engine will compact here (${loop.engineReason})`);
  return notes;
}

// ---------------------------------------------------------------------------------------------
// Errors of the API

interface ApiError {
  status?: number;
  code?: string | null;
  param?: string | null;
  message?: string;
  error?: { code?: string; message?: string };
}

/** The API's own message, without the SDK's status prefix. */
function apiReason(error: unknown): string {
  const e = error as ApiError;
  const message = e.error?.message ?? e.message ?? String(error);
  return e.status !== undefined ? `HTTP ${e.status}: ${message.replace(new RegExp(`^${e.status}\\s+`), '')}` : message;
}

function refusesContextManagement(error: unknown): boolean {
  const e = error as ApiError;
  if (e.status !== 400 && e.status !== 422) return false;
  return e.param === 'context_management' || /context_management/.test(e.message ?? '');
}

function hasNoRoute(error: unknown): boolean {
  const status = (error as ApiError).status;
  return status === 404 || status === 405 || status === 501;
}

function isModelNotFound(error: unknown): boolean {
  const e = error as ApiError;
  if ((e.code ?? e.error?.code) === 'model_not_found') return true;
  return (
    (e.status === 404 || e.status === 400) &&
    /\bmodel\b.*\b(not found|does not exist|not exist|unknown|not supported)|\b(unknown|invalid|no such) model\b/i.test(e.message ?? '')
  );
}

function isContextLengthError(error: unknown): boolean {
  const code = (error as ApiError)?.code ?? (error as ApiError)?.error?.code;
  return code === 'context_length_exceeded' || /context.length|maximum context/i.test((error as Error)?.message ?? '');
}

/** A signal that follows `parent` and lets go of it when disposed. */
function childSignal(parent: AbortSignal): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const abort = () => controller.abort(parent.reason);
  if (parent.aborted) abort();
  else parent.addEventListener('abort', abort, { once: true });
  return { signal: controller.signal, dispose: () => parent.removeEventListener('abort', abort) };
}
