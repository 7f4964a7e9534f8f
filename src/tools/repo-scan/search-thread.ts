import { Worker } from 'node:worker_threads';
import { UserError } from '../../core/errors.js';
import { searchWorker, type ScanJob, type ScanResult } from './search-worker.js';

/**
 * Runs regex scans in worker threads: the server's thread keeps answering other calls while a
 * regex backtracks, and a watchdog ends a scan stuck on one file. Threads start lazily (the
 * first search outside git, not start-up) and one stays for the next search; a search that
 * comes while others run gets a thread of its own rather than waiting behind them.
 */

/** How long one file may keep the regex busy before the search is abandoned. */
export const REGEX_TIME_LIMIT_MS = 5_000;
export const SLOW_REGEX_HINT = 'Simplify it: nested quantifiers such as (a+)+ try exponentially many ways on a long line; or pass regex: false';
/** Searches beyond this many at once wait for a thread. */
const MAX_THREADS = 4;
const WATCH_EVERY_MS = 100;

interface Thread {
  worker: Worker;
  /** Shared with the thread: see searchWorker. */
  progress: Int32Array;
}

const idle: Thread[] = [];
const waiting: Array<() => void> = [];
let busy = 0;
let spawned = 0;

/** For tests: threads started so far, running a scan, and kept for the next one. */
export function searchThreads(): { spawned: number; busy: number; idle: number } {
  return { spawned, busy, idle: idle.length };
}

/** Starts a thread ahead of a scan (while the files are listed), unless one is ready. */
export function prepareSearchThread(): void {
  if (!idle.length && busy < MAX_THREADS) idle.push(park(spawn()));
}

export interface ScanOptions {
  signal?: AbortSignal;
  timeLimitMs?: number;
}

export async function scanInThread(job: ScanJob, options: ScanOptions = {}): Promise<ScanResult> {
  options.signal?.throwIfAborted();
  while (busy >= MAX_THREADS) await new Promise<void>((resolve) => waiting.push(resolve));
  busy++;
  const thread = idle.pop() ?? spawn();
  thread.worker.ref(); // a pending scan keeps the process alive (the CLI waits for it)
  let healthy = false;
  try {
    const result = await run(thread, job, options.timeLimitMs ?? REGEX_TIME_LIMIT_MS, options.signal);
    healthy = true;
    return result;
  } finally {
    busy--;
    // A thread stopped mid-scan may still be inside the regex: only a terminate() ends that.
    if (healthy && !idle.length) idle.push(park(thread));
    else void thread.worker.terminate();
    waiting.shift()?.();
  }
}

function spawn(): Thread {
  const shared = new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT);
  const worker = new Worker(`(${searchWorker.toString()})()`, { eval: true, workerData: shared, stdout: true });
  worker.stdout.pipe(process.stderr, { end: false }); // stdout belongs to the MCP transport
  spawned++;
  return { worker, progress: new Int32Array(shared) };
}

/** An idle thread must not keep the process alive. */
function park(thread: Thread): Thread {
  thread.worker.unref();
  return thread;
}

function run(thread: Thread, job: ScanJob, limitMs: number, signal: AbortSignal | undefined): Promise<ScanResult> {
  const { worker, progress } = thread;
  return new Promise((resolve, reject) => {
    let done = false;
    const settle = (outcome: { result: ScanResult } | { error: unknown }): void => {
      if (done) return;
      done = true;
      clearInterval(watchdog);
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      signal?.removeEventListener('abort', onAbort);
      if ('result' in outcome) resolve(outcome.result);
      else reject(outcome.error);
    };
    const onMessage = (result: ScanResult): void => settle({ result });
    const onError = (error: Error): void => settle({ error });
    const onExit = (code: number): void => settle({ error: new Error(`the search thread exited with code ${code}`) });
    const onAbort = (): void => settle({ error: signal!.reason });

    // The same file seen for limitMs on end: the regex, not the disk (reads show as file 0).
    let seen = -1;
    let since = performance.now();
    const watchdog = setInterval(
      () => {
        const file = Atomics.load(progress, 0);
        const started = Atomics.load(progress, 1);
        if (file === 0 || started !== seen) {
          seen = started;
          since = performance.now();
        } else if (performance.now() - since >= limitMs) {
          settle({ error: new UserError(`the regex took longer than ${limitMs / 1000} s on ${job.paths[file - 1]}`, SLOW_REGEX_HINT) });
        }
      },
      Math.min(WATCH_EVERY_MS, limitMs / 4),
    );

    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.postMessage(job);
  });
}
