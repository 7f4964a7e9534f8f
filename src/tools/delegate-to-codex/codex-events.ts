/**
 * The JSONL events of `codex exec --json`, one per stdout line, as codex-cli 0.169.0 prints them
 * (checked against the real binary). Everything is parsed leniently: the format is young and
 * grows new event types, item types and fields from release to release, so anything unknown or
 * malformed is skipped instead of failing the delegation.
 */
import { z } from 'zod';

// ---------------------------------------------------------------------------------------------
// Items: what the agent did (said, thought, ran, changed) inside a turn.

const agentMessageItem = z.looseObject({ id: z.string(), type: z.literal('agent_message'), text: z.string() });
const reasoningItem = z.looseObject({ id: z.string(), type: z.literal('reasoning'), text: z.string() });

const commandExecutionItem = z.looseObject({
  id: z.string(),
  type: z.literal('command_execution'),
  /** As Codex ran it, usually wrapped in a shell: `/bin/bash -lc 'npm test'`. */
  command: z.string(),
  aggregated_output: z.string().default(''),
  /** null while running, and for commands that were declined or killed. */
  exit_code: z.number().int().nullable().optional(),
  /** in_progress | completed | failed | declined; a string so new states parse too. */
  status: z.string(),
});

const fileChangeItem = z.looseObject({
  id: z.string(),
  type: z.literal('file_change'),
  /** Paths are absolute (under the thread's cwd) in 0.169.0. */
  changes: z.array(z.looseObject({ path: z.string(), kind: z.string() })),
  /** in_progress | completed | failed. */
  status: z.string(),
});

const mcpToolCallItem = z.looseObject({
  id: z.string(),
  type: z.literal('mcp_tool_call'),
  server: z.string(),
  tool: z.string(),
  status: z.string(),
  error: z.looseObject({ message: z.string() }).nullable().optional(),
});

const webSearchItem = z.looseObject({ id: z.string(), type: z.literal('web_search'), query: z.string() });

const todoListItem = z.looseObject({
  id: z.string(),
  type: z.literal('todo_list'),
  items: z.array(z.looseObject({ text: z.string(), completed: z.boolean() })),
});

/** A non-fatal problem Codex reports as an item (e.g. "Model metadata for `x` not found"). */
const errorItem = z.looseObject({ id: z.string(), type: z.literal('error'), message: z.string() });

export const codexItemSchema = z.discriminatedUnion('type', [
  agentMessageItem,
  reasoningItem,
  commandExecutionItem,
  fileChangeItem,
  mcpToolCallItem,
  webSearchItem,
  todoListItem,
  errorItem,
]);
export type CodexItem = z.infer<typeof codexItemSchema>;
export type TodoListItem = z.infer<typeof todoListItem>;

// ---------------------------------------------------------------------------------------------
// Events: the thread and turn lifecycle around the items.

const usageSchema = z.looseObject({
  input_tokens: z.number().default(0),
  cached_input_tokens: z.number().default(0),
  output_tokens: z.number().default(0),
  /** Not in every version's output; 0.169.0 has it. */
  reasoning_output_tokens: z.number().optional(),
});
export type CodexUsage = z.infer<typeof usageSchema>;

/** Item events carry any item; `parseCodexItem` then picks out the kinds Baton understands. */
const looseItem = z.looseObject({ id: z.string().optional(), type: z.string() });

export const codexEventSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('thread.started'), thread_id: z.string() }),
  z.looseObject({ type: z.literal('turn.started') }),
  z.looseObject({ type: z.literal('turn.completed'), usage: usageSchema.optional() }),
  z.looseObject({ type: z.literal('turn.failed'), error: z.looseObject({ message: z.string() }) }),
  z.looseObject({ type: z.literal('item.started'), item: looseItem }),
  z.looseObject({ type: z.literal('item.updated'), item: looseItem }),
  z.looseObject({ type: z.literal('item.completed'), item: looseItem }),
  /** A stream-level error; the turn usually fails right after it. */
  z.looseObject({ type: z.literal('error'), message: z.string() }),
]);
export type CodexEvent = z.infer<typeof codexEventSchema>;

/** One stdout line as an event, or undefined for blank lines, non-JSON, unknown or malformed events. */
export function parseCodexEvent(line: string): CodexEvent | undefined {
  const text = line.trim();
  if (!text.startsWith('{')) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = codexEventSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

/** An item of a kind Baton understands, or undefined (unknown kinds such as `collab_tool_call`). */
export function parseCodexItem(item: unknown): CodexItem | undefined {
  const parsed = codexItemSchema.safeParse(item);
  return parsed.success ? parsed.data : undefined;
}
