import type { WorkspaceState } from '../core/state.js';
import { SessionStore } from './store.js';
import type { CallEvent, FileTouched, TestOutcome } from './types.js';

/** How a call ended, with the facts its tool declared (tools/spec.ts). */
export type CallOutcome = { ok: true; text: string; files?: FileTouched[]; tests?: TestOutcome } | { ok: false; error: string };

/**
 * Every tool call lands in the workspace's current session, so the brief knows what happened
 * even when the model never writes a note. Recording happens after the answer is sent and in
 * order per workspace: it never slows a call down, and never fails one.
 */
const queues = new Map<string, Promise<void>>();
/** Events waiting for the next write, per workspace: a burst of calls costs one fsync. */
const pending = new Map<string, CallEvent[]>();

const MAX_ARG_CHARS = 120;

export function recordCall(
  state: WorkspaceState,
  tool: string,
  args: Record<string, unknown>,
  outcome: CallOutcome,
  ms: number,
  onError: (message: string) => void,
): void {
  const batch = pending.get(state.dir);
  if (batch) {
    batch.push(callEvent(tool, args, outcome, ms)); // the write already queued takes it along
    return;
  }
  pending.set(state.dir, [callEvent(tool, args, outcome, ms)]);
  const previous = queues.get(state.dir) ?? Promise.resolve();
  const next = previous
    .then(async () => {
      const events = pending.get(state.dir) ?? [];
      pending.delete(state.dir);
      const store = SessionStore.for(state);
      await store.append(await store.current(), ...events);
    })
    .catch((error: unknown) => onError(`session log: ${(error as Error).message}`));
  queues.set(state.dir, next);
}

/** Resolves when every call recorded so far, in every workspace, is on disk (before exiting). */
export async function allRecorded(): Promise<void> {
  await Promise.all(queues.values());
}

export function callEvent(
  tool: string,
  args: Record<string, unknown>,
  outcome: CallOutcome,
  ms: number,
): CallEvent {
  const base = { type: 'call' as const, at: new Date().toISOString(), tool, args: digestArgs(args), ms: Math.round(ms) };
  if (!outcome.ok) return { ...base, ok: false, result: firstLine(outcome.error) };
  return {
    ...base,
    ok: true,
    result: firstLine(outcome.text),
    ...(outcome.files ? { files: outcome.files } : {}),
    ...(outcome.tests ? { tests: outcome.tests } : {}),
  };
}

function digestArgs(args: Record<string, unknown>): string {
  // Defaults filled in by validation (false, 0, empty) say nothing about what was asked.
  const parts = Object.entries(args)
    .filter(([, value]) => value !== undefined && value !== false && value !== 0 && value !== '' && !(Array.isArray(value) && !value.length))
    .map(([key, value]) => {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      const cut = text.length > MAX_ARG_CHARS ? `${text.slice(0, MAX_ARG_CHARS)}… (${text.length} chars)` : text;
      return `${key}=${cut.replace(/\s+/g, ' ')}`;
    });
  return parts.join(' ');
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
