import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { parseFile, type ParsedFile } from './parse-file.js';

/**
 * Parses files on worker threads, one per core: a cold map of a large repository is tree-sitter
 * work on every file, which one thread does at a core's speed. The threads get contents, never
 * paths (see parse-worker.ts), live for one refresh of the tag store and end with it, or at once
 * when the call is cancelled.
 *
 * The thread's code is dist/parse-worker.js, an entry of the bundle. Run from the TypeScript
 * sources (the unit tests) there is no such file, and the same parse runs on this thread instead;
 * the e2e tests run the bundle and so the threads.
 */

export interface ParseBatch {
  id: number;
  files: Array<{ path: string; source: string }>;
}

export interface ParsedBatch {
  id: number;
  /** Per file, in order; null when it has no tags (no grammar, or the parse failed). */
  results: Array<ParsedFile | null>;
}

/** Below this many files to parse, threads are not worth starting. */
export const MIN_FILES_FOR_THREADS = 200;
/** More threads than this cost memory (a grammar set each) for little: reading and merging stay on one thread. */
const MAX_THREADS = 8;
/** A thread that ended mid-batch is replaced this many times per pool before the pool gives up on threads. */
const MAX_RESTARTS = 4;

/** The bundled thread entry, next to the chunk this code is in or one folder up. */
function workerFile(): string | undefined {
  for (const relative of ['./parse-worker.js', '../parse-worker.js']) {
    const candidate = new URL(relative, import.meta.url);
    if (candidate.protocol === 'file:' && existsSync(fileURLToPath(candidate))) return fileURLToPath(candidate);
  }
  return undefined;
}

interface Pending {
  batch: ParseBatch;
  resolve: (results: Array<ParsedFile | null>) => void;
  reject: (error: unknown) => void;
  /** Sent to a thread once already, which ended before answering. */
  retried: boolean;
}

interface Thread {
  worker: Worker;
  current: Pending | undefined;
}

export class ParsePool {
  private readonly threads: Thread[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 0;
  private restarts = 0;
  private closed: { reason: unknown } | undefined;
  private readonly onAbort = (): void => this.close(this.signal?.reason ?? new Error('cancelled'));

  /** How many files the pool may hold at once: enough to keep every thread busy, not the whole tree. */
  readonly window: number;

  private constructor(
    private readonly file: string | undefined,
    threadCount: number,
    private readonly signal: AbortSignal | undefined,
  ) {
    for (let i = 0; i < threadCount; i++) this.spawn();
    this.window = Math.max(1, this.threads.length) * 4;
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Threads for a job of `files` files: none for a few (starting one costs more than parsing them here). */
  static start(files: number, signal?: AbortSignal): ParsePool {
    const file = files >= MIN_FILES_FOR_THREADS ? workerFile() : undefined;
    const threads = file ? Math.max(1, Math.min(availableParallelism(), MAX_THREADS, Math.ceil(files / MIN_FILES_FOR_THREADS))) : 0;
    return new ParsePool(file, threads, signal);
  }

  /** Threads parsing (0: parsing on this thread). */
  get threadCount(): number {
    return this.threads.length;
  }

  parse(files: ParseBatch['files']): Promise<Array<ParsedFile | null>> {
    if (this.closed) return Promise.reject(this.closed.reason);
    if (!this.threads.length) return this.parseHere(files);
    return new Promise((resolve, reject) => {
      this.queue.push({ batch: { id: this.nextId++, files }, resolve, reject, retried: false });
      this.dispatch();
    });
  }

  /** Ends the threads; batches not answered yet are rejected with `reason`. */
  close(reason: unknown = new Error('the parse pool was closed')): void {
    if (this.closed) return;
    this.closed = { reason };
    this.signal?.removeEventListener('abort', this.onAbort);
    for (const thread of this.threads.splice(0)) {
      thread.current?.reject(reason);
      void thread.worker.terminate();
    }
    for (const pending of this.queue.splice(0)) pending.reject(reason);
  }

  private spawn(): void {
    if (!this.file) return;
    let worker: Worker;
    try {
      worker = new Worker(this.file, { stdout: true });
    } catch {
      return; // no thread to be had (resources): the batches run on this thread instead
    }
    worker.stdout.pipe(process.stderr, { end: false }); // stdout belongs to the MCP transport
    const thread: Thread = { worker, current: undefined };
    worker.on('message', (answer: ParsedBatch) => {
      const pending = thread.current;
      thread.current = undefined;
      if (pending?.batch.id === answer.id) pending.resolve(answer.results);
      this.dispatch();
    });
    // A thread that dies (out of memory, a crash inside a grammar) is replaced, and its batch
    // tried once more; a batch that ends a second thread too gets no tags.
    const lost = (): void => {
      const index = this.threads.indexOf(thread);
      if (index === -1) return; // closed, or already handled
      this.threads.splice(index, 1);
      void worker.terminate();
      const pending = thread.current;
      thread.current = undefined;
      if (pending && !pending.retried) this.queue.unshift({ ...pending, retried: true });
      else pending?.resolve(pending.batch.files.map(() => null));
      if (!this.closed && this.restarts++ < MAX_RESTARTS) this.spawn();
      this.dispatch();
    };
    worker.on('error', lost).on('exit', lost);
    this.threads.push(thread);
  }

  private dispatch(): void {
    if (this.closed) return;
    if (!this.threads.length) {
      // Every thread is gone: what is left is parsed here.
      for (const pending of this.queue.splice(0)) this.parseHere(pending.batch.files).then(pending.resolve, pending.reject);
      return;
    }
    for (const thread of this.threads) {
      if (thread.current || !this.queue.length) continue;
      thread.current = this.queue.shift()!;
      thread.worker.postMessage(thread.current.batch);
    }
  }

  /** The same parse on this thread, yielding between files so the server keeps answering. */
  private async parseHere(files: ParseBatch['files']): Promise<Array<ParsedFile | null>> {
    const results: Array<ParsedFile | null> = [];
    for (const file of files) {
      if (this.closed) throw this.closed.reason;
      results.push((await parseFile(file.path, file.source).catch(() => undefined)) ?? null);
      await new Promise((resolve) => setImmediate(resolve));
    }
    return results;
  }
}
