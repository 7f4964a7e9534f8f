import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/**
 * The stamps (kind, size, mtime) of many paths at once: for the map's check of what changed
 * since the tags were stored (on a large tree after a restart, tens of thousands of lstat calls
 * are most of the first map's time, and on a busy disk each waits on the kernel), and for the
 * folders a listing depends on. Past PARALLEL_FROM paths they run on a few threads at once; the
 * threads only stat (no file is opened; links followed only when asked), and a path that is
 * not a plain file or folder is left to the caller to look at through the workspace.
 *
 * The thread runs stampPaths's source text (as search-thread.ts does with its worker), so the
 * same code runs from the TypeScript sources and from the bundle.
 */

export const KIND_MISSING = 0;
export const KIND_FILE = 1;
export const KIND_FOLDER = 2;
export const KIND_OTHER = 3;
/** Numbers per path in the result: kind, size, mtimeMs. */
export const STAMP_WIDTH = 3;

const PARALLEL_FROM = 8_000;
const MAX_THREADS = 4;
/** A thread costs about as much to start as this many lstat calls. */
const MIN_PER_THREAD = 1_000;

export interface StatOptions {
  /** stat rather than lstat: a symlink's stamps are its target's. */
  follow?: boolean;
  /** From this many paths on the pass runs on threads (default PARALLEL_FROM). */
  threadsFrom?: number;
  /** Cores this thread keeps busy meanwhile: the pass takes that many fewer threads (at least one). */
  busyCores?: number;
}

/** The stamps of `paths` (relative to `root`; absolute when `root` is ''), STAMP_WIDTH numbers each. */
export async function statAll(root: string, paths: readonly string[], options: StatOptions = {}): Promise<Float64Array> {
  const follow = options.follow ?? false;
  if (paths.length < (options.threadsFrom ?? PARALLEL_FROM)) return stampPaths(root, paths, follow);
  const cores = Math.max(1, availableParallelism() - (options.busyCores ?? 0));
  const threads = Math.min(MAX_THREADS, options.busyCores ? cores : Math.max(2, cores), Math.ceil(paths.length / MIN_PER_THREAD));
  const size = Math.ceil(paths.length / threads);
  const parts = await Promise.all(
    Array.from({ length: threads }, (_, t) =>
      inThread(root, paths.slice(t * size, (t + 1) * size), follow).catch(() => stampPaths(root, paths.slice(t * size, (t + 1) * size), follow)),
    ),
  );
  const stamps = new Float64Array(paths.length * STAMP_WIDTH);
  parts.forEach((part, t) => {
    stamps.set(part, t * size * STAMP_WIDTH);
  });
  return stamps;
}

/** A stat pass started before the paths to check were known: over `paths` under `root`. */
export interface EarlyStamps {
  root: string;
  paths: readonly string[];
  stamps: Promise<Float64Array>;
}

/** The stamps of `paths`, taken from `early` where it has them; only the others are statted now. */
export async function statAllReusing(root: string, paths: readonly string[], early: EarlyStamps): Promise<Float64Array> {
  const taken = await early.stamps.catch(() => undefined);
  if (!taken) return statAll(root, paths);
  const at = new Map(early.paths.map((path, i) => [path, i]));
  const stamps = new Float64Array(paths.length * STAMP_WIDTH);
  const rest: number[] = [];
  for (let i = 0; i < paths.length; i++) {
    const j = at.get(paths[i]!);
    if (j === undefined) rest.push(i);
    else stamps.set(taken.subarray(j * STAMP_WIDTH, (j + 1) * STAMP_WIDTH), i * STAMP_WIDTH);
  }
  if (rest.length) {
    const more = await statAll(
      root,
      rest.map((i) => paths[i]!),
    );
    rest.forEach((i, k) => {
      stamps.set(more.subarray(k * STAMP_WIDTH, (k + 1) * STAMP_WIDTH), i * STAMP_WIDTH);
    });
  }
  return stamps;
}

function inThread(root: string, paths: readonly string[], follow: boolean): Promise<Float64Array> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(THREAD_SOURCE, { eval: true, workerData: { root, paths, follow }, stdout: true });
    worker.stdout.pipe(process.stderr, { end: false }); // stdout belongs to the MCP transport
    worker.once('message', (stamps: Float64Array) => {
      resolve(stamps);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the stat thread exited with code ${code}`)));
  });
}

/**
 * The pass itself, here or in a thread. A thread runs it from its source text, so it uses
 * nothing but its arguments and globals (process.getBuiltinModule, literal kinds: KIND_*).
 */
function stampPaths(root: string, paths: readonly string[], follow: boolean): Float64Array {
  const fs = process.getBuiltinModule('node:fs');
  const look = follow ? fs.statSync : fs.lstatSync;
  const stamps = new Float64Array(paths.length * 3);
  for (let i = 0; i < paths.length; i++) {
    const info = look(root ? `${root}/${paths[i]}` : paths[i]!, { throwIfNoEntry: false });
    stamps[i * 3] = !info ? 0 : info.isFile() ? 1 : info.isDirectory() ? 2 : 3;
    stamps[i * 3 + 1] = info?.size ?? 0;
    stamps[i * 3 + 2] = info?.mtimeMs ?? 0;
  }
  return stamps;
}

const THREAD_SOURCE = `
  const { parentPort, workerData } = process.getBuiltinModule('node:worker_threads');
  const stamps = (${stampPaths.toString()})(workerData.root, workerData.paths, workerData.follow);
  parentPort.postMessage(stamps, [stamps.buffer]);
`;
