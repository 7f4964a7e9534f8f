/**
 * The session log: one JSON object per line, appended, never rewritten.
 */

export interface FileTouched {
  path: string;
  action: string;
  additions: number;
  deletions: number;
}

export interface TestOutcome {
  status: string;
  total: number;
  passed: number;
  failed: number;
  skipped: number;
  /** Names of the failing tests (capped). */
  failing: string[];
}

/** A tool call, recorded automatically by the registration helper. */
export interface CallEvent {
  type: 'call';
  at: string;
  tool: string;
  /** A one-line digest of the arguments (long values cut). */
  args: string;
  ok: boolean;
  /** A one-line digest of the result, or the error. */
  result: string;
  files?: FileTouched[];
  tests?: TestOutcome;
  ms: number;
}

/** What the model says it is doing; later checkpoints add to or replace earlier ones. */
export interface CheckpointEvent {
  type: 'checkpoint';
  at: string;
  goal?: string;
  constraints?: string[];
  /** Constraints or decisions that no longer hold. */
  retire?: string[];
  plan?: Array<{ step: string; status: string }>;
  decisions?: string[];
  notes?: string;
  next?: string[];
}

/** A rolling summary of events 0..through (inclusive), written by compaction. */
export interface SummaryEvent {
  type: 'summary';
  at: string;
  through: number;
  text: string;
  by: 'model' | 'extractive';
}

export type SessionEvent = CallEvent | CheckpointEvent | SummaryEvent;
