/**
 * What the search thread is asked to do: match `paths` (sorted), count every hit, and send back
 * those from `offset` on, as many as fit in `keepBytes` but never fewer than the window
 * `offset` .. `offset + limit` (the rest serve later pages, see search-cache.ts).
 */
export interface ScanJob {
  root: string;
  paths: readonly string[];
  source: string;
  flags: string;
  offset: number;
  limit: number;
  keepBytes: number;
}

export interface ScanResult {
  /** Hits `offset` .. `offset + count`, in path and line order, as `git grep -z -n --column` records (search-records.ts). */
  records: Uint8Array;
  count: number;
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
    const records: string[] = [];
    let keptBytes = 0;
    let keeping = true;
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
        const text = lines[line]!;
        const found = pattern.exec(text);
        if (!found) continue;
        if (keeping && total >= job.offset) {
          // git's column is a byte offset into the line: the same bytes decode back to found.index.
          const record = `${path}\0${line + 1}\0${Buffer.byteLength(text.slice(0, found.index)) + 1}\0${text}\n`;
          const bytes = Buffer.byteLength(record);
          keeping = total < end || keptBytes + bytes <= job.keepBytes;
          if (keeping) {
            records.push(record);
            keptBytes += bytes;
          }
        }
        total++;
      }
    });
    Atomics.store(progress, 0, 0);
    // Encoded into a buffer of its own, which moves to the caller without a copy.
    const encoded = new TextEncoder().encode(records.join(''));
    parentPort!.postMessage({ records: encoded, count: records.length, total } satisfies ScanResult, [encoded.buffer]);
  });
}
