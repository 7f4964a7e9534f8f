import { compactItems } from '../../core/compaction/engine.js';
import { extractiveSummarizer } from '../../core/compaction/extractive.js';
import type { Summarizer } from '../../core/compaction/summarizer.js';
import { isReadOnlyTool, runAgentTool, toolDefinitions, type AgentToolContext, type ToolRun } from './agent-tools.js';
import type { Effort } from '../../config.js';

/**
 * The agent loop Baton runs itself against the Responses API: the model works with Baton's
 * capabilities as function tools until it finishes, runs out of turns or budget, or is
 * cancelled. When the input nears the model's context window it compacts its history with
 * the session engine and goes on, as Codex-Max does.
 */

/** One item of the conversation sent back to the API each turn. */
export type Item = Record<string, unknown> & { type?: string; role?: string };

export interface AgentOptions {
  client: ResponsesClient;
  task: string;
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
  reads: Array<{ path: string; hash: string }>;
  notes: string[];
}

/** The part of the openai client the loop uses (the real client in production and tests). */
export interface ResponsesClient {
  responses: {
    create(body: Record<string, unknown>, options?: { signal?: AbortSignal }): Promise<AsyncIterable<StreamEvent>>;
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

/** Share of the context window at which the history is compacted. */
const COMPACT_AT = 0.9;

export async function runResponsesAgent(options: AgentOptions): Promise<AgentResult> {
  const result: AgentResult = {
    status: 'failed',
    finalMessage: '',
    model: options.model,
    items: options.history ? [...options.history, userMessage(options.task)] : [userMessage(options.task)],
    commands: [],
    usage: { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, reasoningTokens: 0 },
    turns: 0,
    compactions: 0,
    reads: [],
    notes: [],
  };
  const tools = toolDefinitions(options.sandbox);
  let retriedContext = false;

  while (result.turns < options.maxTurns) {
    if (options.signal.aborted) return { ...result, status: 'cancelled' };
    switchModelNearBudget(result, options);
    if (options.budgetTokens && spent(result) >= options.budgetTokens) {
      return { ...result, status: 'budget-exceeded', finalMessage: result.finalMessage || `stopped: the budget of ${options.budgetTokens} tokens is spent` };
    }
    result.turns++;
    options.progress(`turn ${result.turns} (${result.model})`);
    let turn: { output: Item[]; usage?: Usage; error?: string };
    try {
      turn = await oneTurn(options, result, tools);
    } catch (error) {
      if (options.signal.aborted) return { ...result, status: 'cancelled' };
      if (isContextLengthError(error) && !retriedContext) {
        // The window is full after all: compact harder and try the same turn again.
        retriedContext = true;
        result.turns--;
        await compact(result, options, 0.3);
        continue;
      }
      return { ...result, status: 'failed', finalMessage: `the model endpoint failed: ${(error as Error).message}` };
    }
    retriedContext = false;
    addUsage(result, turn.usage);
    if (turn.error) return { ...result, status: 'failed', finalMessage: turn.error };

    const calls = turn.output.filter((item) => item.type === 'function_call');
    result.items.push(...turn.output.filter((item) => item.type !== 'reasoning'));
    const text = turn.output.filter((item) => item.type === 'message').map(messageText).join('\n').trim();
    if (text) result.finalMessage = text;
    if (!calls.length) return { ...result, status: 'completed' };

    const runs = await runCalls(calls, options);
    for (const [i, call] of calls.entries()) {
      const run = runs[i]!;
      result.items.push({ type: 'function_call_output', call_id: call.call_id, output: run.output });
      if (run.command) result.commands.push(run.command);
      if (run.read) result.reads.push(run.read);
      if (run.finish !== undefined) {
        result.finalMessage = run.finish;
        return { ...result, status: 'completed' };
      }
    }
    if ((turn.usage?.input_tokens ?? 0) >= options.contextWindow * COMPACT_AT) await compact(result, options, 0.5);
  }
  result.notes.push(`stopped after maxTurns (${options.maxTurns})`);
  return { ...result, status: 'budget-exceeded', finalMessage: result.finalMessage || `stopped after ${options.maxTurns} turns` };
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
async function oneTurn(options: AgentOptions, result: AgentResult, tools: unknown[]): Promise<{ output: Item[]; usage?: Usage; error?: string }> {
  const stream = await options.client.responses.create(
    {
      model: result.model,
      instructions: INSTRUCTIONS,
      input: result.items,
      tools,
      reasoning: { effort: options.effort },
      stream: true,
      store: false,
    },
    { signal: options.signal },
  );
  const output: Item[] = [];
  let streamed = 0;
  for await (const event of stream) {
    if (event.type === 'response.output_item.done' && event.item) output.push(event.item);
    else if (event.type === 'response.output_text.delta' && (streamed += event.delta?.length ?? 0) > 0 && streamed % 400 < (event.delta?.length ?? 0)) {
      options.progress(`turn ${result.turns}: writing (${streamed} characters)`);
    } else if (event.type === 'response.completed') return { output, ...(event.response?.usage ? { usage: event.response.usage } : {}) };
    else if (event.type === 'response.failed' || event.type === 'error') {
      return { output, error: `the model failed: ${event.response?.error?.message ?? 'unknown error'}` };
    }
  }
  if (options.signal.aborted) throw new Error('cancelled');
  throw new Error('the response stream ended before the response completed');
}

/** Read-only calls of one turn run together; anything that writes runs alone, in order. */
async function runCalls(calls: Item[], options: AgentOptions): Promise<ToolRun[]> {
  const runs: ToolRun[] = new Array(calls.length);
  const run = async (index: number): Promise<void> => {
    const call = calls[index]!;
    options.progress(`tool ${String(call.name)}`);
    runs[index] = await runAgentTool(String(call.name), String(call.arguments ?? ''), options.sandbox, { ...options.tools, signal: options.signal });
  };
  const readOnly = calls.map((call, i) => (isReadOnlyTool(String(call.name)) ? i : -1)).filter((i) => i >= 0);
  await Promise.all(readOnly.map(run));
  for (let i = 0; i < calls.length; i++) if (!readOnly.includes(i)) await run(i);
  return runs;
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
async function compact(result: AgentResult, options: AgentOptions, recentShare: number): Promise<void> {
  const [task, ...rest] = result.items;
  const groups = turnsOf(rest);
  const engine = {
    budget: Math.floor(options.contextWindow * 0.5),
    recentShare,
    keepAtMost: 2, // the API said the window is nearly full: fold all but the last turns
    render: (group: Item[]) => group.map(renderItem).join('\n'),
    signal: options.signal,
  };
  let compacted;
  try {
    compacted = await compactItems(groups, { ...engine, summarizer: options.summarizer ?? extractiveSummarizer });
  } catch {
    compacted = await compactItems(groups, { ...engine, summarizer: extractiveSummarizer });
  }
  if (!compacted.folded) return;
  result.items = [task!, userMessage(`Summary of the work so far (the earlier conversation was compacted):\n${compacted.summary}`), ...compacted.kept.flat()];
  result.compactions++;
  options.progress(`compacted the history (${result.compactions})`);
}

function isContextLengthError(error: unknown): boolean {
  const code = (error as { code?: string; error?: { code?: string } })?.code ?? (error as { error?: { code?: string } })?.error?.code;
  return code === 'context_length_exceeded' || /context.length|maximum context/i.test((error as Error)?.message ?? '');
}
