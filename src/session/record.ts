import { redactSecrets } from '../core/secrets.js';
import type { WorkspaceState } from '../core/state.js';
import { SessionStore } from './store.js';
import type { CallEvent, FileTouched, TestOutcome } from './types.js';

/** How a call ended, with the facts its tool declared (tools/spec.ts). */
export type CallOutcome = { ok: true; text: string; files?: FileTouched[]; tests?: TestOutcome } | { ok: false; error: string };

/**
 * Every tool call lands in the workspace's current session, so the brief knows what happened
 * even when the model never writes a note. A call's record is written before its answer leaves
 * (one write, so a killed server loses no answered call); the fdatasyncs are shared between
 * calls and not waited for. Recording never fails a call.
 */
const unsynced = new Set<Promise<void>>();

const MAX_ARG_CHARS = 120;

export async function recordCall(
  state: WorkspaceState,
  tool: string,
  args: Record<string, unknown>,
  outcome: CallOutcome,
  ms: number,
  onError: (message: string) => void,
): Promise<void> {
  try {
    const store = SessionStore.for(state);
    const { synced } = await store.write(await store.current(), callEvent(tool, args, outcome, ms));
    const tracked = synced.catch((error: unknown) => onError(`session log: ${(error as Error).message}`)).finally(() => unsynced.delete(tracked));
    unsynced.add(tracked);
  } catch (error) {
    onError(`session log: ${(error as Error).message}`);
  }
}

/** Resolves when every call recorded so far, in every workspace, is on disk (before exiting). */
export async function allRecorded(): Promise<void> {
  await Promise.all(unsynced);
}

export function callEvent(tool: string, args: Record<string, unknown>, outcome: CallOutcome, ms: number): CallEvent {
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
      // Redacted before it is cut: half a key no longer looks like one.
      const text = redactSecrets(typeof value === 'string' ? value : JSON.stringify(value));
      const cut = text.length > MAX_ARG_CHARS ? `${text.slice(0, MAX_ARG_CHARS)}… (${text.length} chars)` : text;
      return `${key}=${cut.replace(/\s+/g, ' ')}`;
    });
  return parts.join(' ');
}

function firstLine(text: string): string {
  const line = redactSecrets(text.split('\n', 1)[0] ?? '');
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
