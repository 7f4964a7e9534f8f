import { lstatSync } from 'node:fs';
import { listFiles, RACY_MS, type FileFilter } from '../../core/files.js';
import type { Workspace } from '../../core/workspace.js';
import type { RecordRun } from './search-records.js';
import type { SkippedFields } from './skipped.js';

/**
 * The results of recent searches, so that following a cursor parses a kept page instead of
 * searching the whole tree again.
 *
 * A kept result is trusted only while nothing the search read can have changed since it
 * started: the listing's own stamps (folders, .gitignore files, the git index: a file added,
 * removed, renamed or newly ignored) and every listed file's change time must all predate the
 * search by RACY_MS. No smaller set of stamps would do: an edit in place changes no folder,
 * and a file without hits may gain one. So the check costs a stat per listed file, a fraction
 * of a search (bench/search.mjs measures both); and it needs no stamps taken by the search
 * itself, so a first page pays nothing for the pages after it. A file changed just before the
 * search (closer than timestamps can tell apart) makes its result unusable: the next page
 * searches again, and that newer result serves the pages after it.
 *
 * Memory: a result keeps its records from the page it was run for on, KEEP_BYTES of them (more
 * only when that page alone is bigger); a page past them searches again and keeps a run from
 * there. All results together keep at most MAX_BYTES; the least recently used leave first.
 */

export const KEEP_BYTES = 4 << 20;
const MAX_BYTES = 32 << 20;
const MAX_ENTRIES = 16;

export interface KeptSearch extends SkippedFields {
  /** Date.now() before the search listed or read anything. */
  startedAt: number;
  total: number;
  run: RecordRun;
}

const kept = new Map<string, KeptSearch>();
let keptBytes = 0;

/** The kept result for `key`, unless it cannot hold `offset` or something changed since. */
export async function keptSearch(workspace: Workspace, filter: FileFilter, key: string, offset: number, signal?: AbortSignal): Promise<KeptSearch | undefined> {
  const search = kept.get(key);
  if (!search || !(offset >= search.total || search.run.covers(offset))) return undefined;
  const unchanged = await unchangedSince(workspace, filter, search.startedAt - RACY_MS, signal);
  if (kept.get(key) === search) forget(key); // a search that ran meanwhile replaced it otherwise
  if (!unchanged) return undefined;
  if (!kept.has(key)) keep(key, search); // back in as the most recently used
  return search;
}

export function keepSearch(key: string, search: KeptSearch): void {
  forget(key);
  if (search.run.size > MAX_BYTES / 2) return;
  keep(key, search);
  for (const oldKey of kept.keys()) {
    if (keptBytes <= MAX_BYTES && kept.size <= MAX_ENTRIES) break;
    forget(oldKey);
  }
}

function keep(key: string, search: KeptSearch): void {
  kept.set(key, search);
  keptBytes += search.run.size;
}

function forget(key: string): void {
  const search = kept.get(key);
  if (!search) return;
  kept.delete(key);
  keptBytes -= search.run.size;
}

/**
 * Lists the files the check of the next page needs, once this page is on its way: `git grep`
 * lists none itself, and listing them cold costs as much again as the check. Failures are
 * left for the check to meet.
 */
export function prepareCheck(workspace: Workspace, filter: FileFilter): void {
  setImmediate(() => void listFiles(workspace, filter).catch(() => undefined));
}

/** Stats between two turns of the event loop: other calls go on while 50k files are checked. */
const STATS_PER_TURN = 4096;

/** Whether the files `filter` covers are the same files, with the same content, as before `time`. */
async function unchangedSince(workspace: Workspace, filter: FileFilter, time: number, signal?: AbortSignal): Promise<boolean> {
  const listing = await listFiles(workspace, filter);
  if (!((await listing.changedAt) < time)) return false;
  const { paths } = listing;
  for (let index = 0; index < paths.length; index++) {
    if (index % STATS_PER_TURN === STATS_PER_TURN - 1) {
      await new Promise(setImmediate);
      signal?.throwIfAborted();
    }
    // Synchronous otherwise, as in TagCache: awaiting a promise per file costs several times more.
    const info = lstatSync(`${workspace.root}/${paths[index]}`, { throwIfNoEntry: false });
    // ctime too: it moves with every write, and no tool sets it back as they do mtime.
    if (!info || !(Math.max(info.ctimeMs, info.mtimeMs) < time)) return false;
  }
  return true;
}
