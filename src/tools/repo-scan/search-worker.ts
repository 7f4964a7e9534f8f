import type { SearchHit } from './search.js';

/** What the search thread is asked to do: match `paths` (sorted) and keep one window of hits. */
export interface ScanJob {
  root: string;
  paths: readonly string[];
  source: string;
  flags: string;
  offset: number;
  limit: number;
}

export interface ScanResult {
  /** Hits `offset` .. `offset + limit`, in path and line order. */
  hits: SearchHit[];
  total: number;
}

/**
 * The body of the search thread: it runs a user's regex over file contents, which may take
 * forever (catastrophic backtracking), so never on the server's own thread.
 *
 * search-thread.ts starts it from this function's source text, not from a file: the same code
 * then runs from the TypeScript sources under vitest and from the esbuild bundle, with no
 * second file to locate next to whichever chunk this lands in. So the body uses nothing from
 * outside itself but globals (no imports, no module constants, `process.getBuiltinModule`
 * instead of `require`); the unit tests run it from the sources and the e2e tests from the bundle.
 *
 * Progress goes to a shared Int32Array the caller's watchdog reads while the regex holds this
 * thread: slot 0 is 1 + the index of the file being matched (0 while reading or idle), slot 1
 * counts the files started, so a watchdog seeing the same count for too long knows the file.
 */
export function searchWorker(): void {
  const { parentPort, workerData } = process.getBuiltinModule('node:worker_threads');
  const { readFileSync } = process.getBuiltinModule('node:fs');
  const { join } = process.getBuiltinModule('node:path');
  const progress = new Int32Array(workerData as SharedArrayBuffer);

  parentPort!.on('message', (job: ScanJob) => {
    const pattern = new RegExp(job.source, job.flags);
    const end = job.offset + job.limit;
    const hits: SearchHit[] = [];
    let total = 0;
    job.paths.forEach((path, index) => {
      Atomics.store(progress, 0, 0); // a slow disk is not the regex's fault
      let content: Buffer;
      try {
        content = readFileSync(join(job.root, path));
      } catch {
        return; // gone or unreadable since it was listed
      }
      if (content.subarray(0, 8000).includes(0)) return; // binary, as git decides it (core/files isBinary)
      Atomics.store(progress, 0, index + 1);
      Atomics.add(progress, 1, 1);
      const lines = content.toString('utf8').split(/\r?\n/);
      for (let line = 0; line < lines.length; line++) {
        const found = pattern.exec(lines[line]!);
        if (!found) continue;
        if (total >= job.offset && total < end) hits.push({ path, line: line + 1, column: found.index + 1, text: lines[line]! });
        total++;
      }
    });
    Atomics.store(progress, 0, 0);
    parentPort!.postMessage({ hits, total } satisfies ScanResult);
  });
}
