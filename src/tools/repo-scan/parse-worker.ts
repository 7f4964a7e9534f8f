import { parentPort } from 'node:worker_threads';
import { parseFile } from './parse-file.js';
import type { ParseBatch, ParsedBatch } from './parse-pool.js';

/**
 * A parse thread: the entry of dist/parse-worker.js (see scripts/build.mjs), started by
 * parse-pool.ts. It gets file contents, never paths to open: the server's thread reads every
 * file through the workspace, so what is parsed is only ever what the workspace let through.
 * A file whose parse fails has no tags; the thread carries on with the next one.
 */
parentPort?.on('message', (batch: ParseBatch) => {
  void (async () => {
    const results: ParsedBatch['results'] = [];
    for (const file of batch.files) results.push((await parseFile(file.path, file.source).catch(() => undefined)) ?? null);
    parentPort!.postMessage({ id: batch.id, results } satisfies ParsedBatch);
  })();
});
