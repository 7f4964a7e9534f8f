import { randomBytes } from 'node:crypto';
import { describeError, isUserError, LoggedBug, UserError } from './errors.js';
import { readableStack } from './stack.js';
import { readJson, writeJsonAtomic } from './state.js';

/**
 * Long calls (DESIGN.md §2): work runs as a job that outlives the request that started it.
 * A call waits up to `waitSec`; if the job is not done it answers `running` with the job id,
 * and a later call with `{jobId}` waits again. Results are persisted in the state dir, so a
 * client that disconnects, or a server that restarts, loses nothing that finished.
 */

export const DEFAULT_WAIT_SEC = 50;
/** Progress goes out at least this often while a caller waits. */
export const HEARTBEAT_MS = 5000;

export interface ProgressUpdate {
  message: string;
}

export interface JobContext {
  jobId: string;
  signal: AbortSignal;
  /** Reports a step; waiting callers see it as a progress notification. */
  progress(message: string): void;
}

type JobStatus = 'running' | 'done' | 'failed' | 'cancelled';

/** How a job failed: a mistake the caller can fix (with its hint), or a bug in Baton. */
type JobError = { kind: 'user'; message: string; hint?: string } | { kind: 'bug'; message: string };

/** What the tool that started a job says about it while it runs (runner, command, model, …). */
export type JobMeta = Record<string, unknown>;

interface JobRecord {
  id: string;
  tool: string;
  status: JobStatus;
  pid: number;
  startedAt: string;
  finishedAt?: string;
  meta?: JobMeta;
  result?: unknown;
  error?: JobError;
}

export interface StartOptions {
  meta?: JobMeta;
  /** Where a bug in the work is logged, with its stack, when it happens. */
  log?: { error(message: string): void };
}

/** A job that is still running when the wait ends, as the caller's "running" answer needs it. */
export interface RunningJob {
  jobId: string;
  lastMessage: string;
  meta: JobMeta;
  elapsedMs: number;
}

interface LiveJob {
  record: JobRecord;
  controller: AbortController;
  promise: Promise<void>;
  lastMessage: string;
  listeners: Set<(update: ProgressUpdate) => void>;
}

export type WaitOutcome<T> = { done: true; result: T } | ({ done: false } & RunningJob);

export interface WaitOptions {
  waitSec?: number | undefined;
  /** The waiting request's own signal: when the client cancels the request, the job is cancelled. */
  signal?: AbortSignal;
  onProgress?: (update: ProgressUpdate) => void;
}

export class JobManager {
  private readonly live = new Map<string, LiveJob>();

  constructor(
    /** Folder for job records, inside the workspace's state dir. */
    private readonly dir: string,
  ) {}

  /** Starts `work` as a job and returns its id at once. */
  start<T>(tool: string, work: (context: JobContext) => Promise<T>, options: StartOptions = {}): string {
    const id = `${tool}-${randomBytes(6).toString('hex')}`;
    const controller = new AbortController();
    const record: JobRecord = {
      id,
      tool,
      status: 'running',
      pid: process.pid,
      startedAt: new Date().toISOString(),
      ...(options.meta ? { meta: options.meta } : {}),
    };
    const job: LiveJob = { record, controller, lastMessage: 'started', listeners: new Set(), promise: Promise.resolve() };
    const context: JobContext = {
      jobId: id,
      signal: controller.signal,
      progress: (message) => {
        job.lastMessage = message;
        for (const listener of job.listeners) listener({ message });
      },
    };
    this.live.set(id, job);
    // The work starts at once; the record of it being under way is written meanwhile, and the
    // final record strictly after it, so a reader never sees "running" overwrite a result.
    const started = this.persist(record).catch(() => {});
    job.promise = Promise.resolve()
      .then(() => work(context))
      .then(
        (result) => Object.assign(record, { status: controller.signal.aborted ? 'cancelled' : 'done', result }),
        (error: unknown) => {
          if (!isUserError(error) && !controller.signal.aborted) {
            options.log?.error(`${tool} (job ${id}): ${readableStack(error)}`);
          }
          Object.assign(record, { status: controller.signal.aborted ? 'cancelled' : 'failed', error: jobError(error) });
        },
      )
      .then(async () => {
        record.finishedAt = new Date().toISOString();
        await started;
        await this.persist(record);
      })
      .catch(() => {
        // Persisting failed (disk full, state dir removed): the in-memory result still serves.
      });
    return id;
  }

  /** Waits for a job up to `waitSec`, sending a heartbeat at least every 5 s. */
  async wait<T>(jobId: string, options: WaitOptions = {}): Promise<WaitOutcome<T>> {
    const job = this.live.get(jobId);
    if (!job) return this.finishedOnDisk<T>(jobId);

    const waitMs = (options.waitSec ?? DEFAULT_WAIT_SEC) * 1000;
    const started = Date.now();
    let lastSent = 0;
    const send = (update: ProgressUpdate): void => {
      lastSent = Date.now();
      options.onProgress?.(update);
    };
    if (options.onProgress) job.listeners.add(send);
    const heartbeat = options.onProgress
      ? setInterval(() => {
          if (Date.now() - lastSent < HEARTBEAT_MS - 100) return;
          const elapsed = Math.round((Date.now() - Date.parse(job.record.startedAt)) / 1000);
          send({ message: `still running after ${elapsed}s: ${job.lastMessage}` });
        }, 1000)
      : undefined;
    const onCancel = (): void => void this.cancel(jobId);
    options.signal?.addEventListener('abort', onCancel, { once: true });

    try {
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), Math.max(0, waitMs - (Date.now() - started)))));
      const outcome = await Promise.race([job.promise.then(() => 'settled' as const), timedOut]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        return { done: false, jobId, lastMessage: job.lastMessage, meta: job.record.meta ?? {}, elapsedMs: Date.now() - Date.parse(job.record.startedAt) };
      }
      return settledOutcome<T>(job.record);
    } finally {
      job.listeners.delete(send);
      if (heartbeat) clearInterval(heartbeat);
      options.signal?.removeEventListener('abort', onCancel);
    }
  }

  /** Asks a job to stop; its work sees the abort signal and kills its processes. */
  cancel(jobId: string): boolean {
    const job = this.live.get(jobId);
    if (!job || job.record.status !== 'running') return false;
    job.controller.abort(new UserError('cancelled'));
    return true;
  }

  cancelAll(): void {
    for (const id of this.live.keys()) this.cancel(id);
  }

  runningCount(): number {
    let count = 0;
    for (const job of this.live.values()) if (job.record.status === 'running') count++;
    return count;
  }

  /** Resolves when every job has finished and its result is on disk (used before exiting). */
  async settled(): Promise<void> {
    await Promise.all([...this.live.values()].map((job) => job.promise));
  }

  private async finishedOnDisk<T>(jobId: string): Promise<WaitOutcome<T>> {
    if (!/^[\w-]+$/.test(jobId)) throw unknownJob(jobId);
    const record = await readJson<JobRecord>(this.file(jobId));
    if (!record) throw unknownJob(jobId);
    if (record.status === 'running') {
      throw new UserError(`job ${jobId} was interrupted: the server running it stopped before it finished`, 'Start the work again');
    }
    return settledOutcome<T>(record);
  }

  private persist(record: JobRecord): Promise<void> {
    return writeJsonAtomic(this.file(record.id), record);
  }

  private file(jobId: string): string {
    return `${this.dir}/${jobId}.json`;
  }
}

function settledOutcome<T>(record: JobRecord): WaitOutcome<T> {
  if (record.status === 'done' || (record.status === 'cancelled' && record.result !== undefined)) {
    return { done: true, result: record.result as T };
  }
  if (record.status === 'cancelled') throw new UserError(`job ${record.id} was cancelled`);
  const error = record.error ?? { kind: 'bug', message: `job ${record.id} failed without a reason` };
  if (error.kind === 'user') throw new UserError(error.message, error.hint);
  throw new LoggedBug(error.message);
}

function jobError(error: unknown): JobError {
  if (isUserError(error)) return { kind: 'user', message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
  return { kind: 'bug', message: describeError(error) };
}

function unknownJob(jobId: string): UserError {
  return new UserError(`no job ${jobId} in this workspace`, 'Use the jobId returned by an earlier call of the same tool');
}

/** What a job-backed tool call carries: the job inputs, and its own signal and progress sink. */
export interface JobCall {
  waitSec?: number | undefined;
  cancel?: boolean | undefined;
  signal: AbortSignal;
  progress(message: string): void;
}

/**
 * The `{jobId}` / `cancel` / `waitSec` contract for a tool: cancel if asked, wait, and answer
 * the result, or `whileRunning` (the tool's own "running" shape) when the wait runs out.
 */
export async function answerJob<T>(jobs: JobManager, jobId: string, call: JobCall, whileRunning: (job: RunningJob) => T): Promise<T> {
  if (call.cancel) jobs.cancel(jobId);
  const outcome = await jobs.wait<T>(jobId, { waitSec: call.waitSec, signal: call.signal, onProgress: (update) => call.progress(update.message) });
  return outcome.done ? outcome.result : whileRunning(outcome);
}
