import { lstatSync, type Stats } from 'node:fs';
import { UserError } from '../../core/errors.js';
import type { Workspace } from '../../core/workspace.js';
import { globPathspec, listFiles, pathPrefix, type FileFilter } from '../../core/files.js';
import { git, isGitRepository } from '../../core/git.js';
import { KEEP_BYTES, keepSearch, keptSearch, prepareCheck } from './search-cache.js';
import { RecordRun, RecordStream } from './search-records.js';
import { prepareSearchThread, scanInThread, SLOW_REGEX_HINT } from './search-thread.js';
import { Skips, statThroughWorkspace, type SkippedFields } from './skipped.js';
import { PathError } from '../../core/reading.js';

export interface SearchQuery extends FileFilter {
  query: string;
  regex: boolean;
  /** undefined: smart case (insensitive unless the query has an upper-case letter). */
  caseSensitive?: boolean | undefined;
}

export interface SearchHit {
  path: string;
  line: number;
  column: number;
  text: string;
}

export interface SearchMatch extends SearchHit {
  before: string[];
  after: string[];
}

/** Longest line text returned; minified files would otherwise blow any budget. */
const MAX_LINE_CHARS = 300;

export interface SearchWindow extends SkippedFields {
  /**
   * Matching lines from `offset`, sorted by path and line: `limit` of them, or fewer at the end
   * of the matches or of a kept result (the page after them searches again).
   */
  hits: SearchHit[];
  /** All matching lines. */
  total: number;
}

/** Outside git, files are read whole to be searched; bigger ones are left out. */
const SEARCH_MAX_BYTES = 16 << 20;
/** Context lines come from files up to this size; in bigger ones a match is shown without context. */
const CONTEXT_MAX_BYTES = 16 << 20;

export interface SearchOptions {
  /** The call's cancellation: stops git or the search thread. */
  signal?: AbortSignal;
  /** Outside git: how long one file may keep the regex busy (default REGEX_TIME_LIMIT_MS). */
  timeLimitMs?: number;
}

/**
 * Matching lines, sorted by path and line, of which only one window is parsed: a query that
 * matches a million lines costs a count, not a million objects. In a git repository
 * `git grep` does the scanning (fast, and it sees exactly the files `tree` lists) and its
 * output is streamed; elsewhere the same search runs in a worker thread. Neither runs the
 * regex on the server's thread: one that backtracks badly would stall every other call.
 *
 * A first page (offset 0) always searches. A later page continues the result the earlier
 * pages came from while nothing that result read has changed (search-cache.ts), and searches
 * again otherwise: a page is never older than the files.
 */
export async function searchFiles(workspace: Workspace, query: SearchQuery, offset = 0, limit = Infinity, options: SearchOptions = {}): Promise<SearchWindow> {
  if (!query.query) throw new UserError('query is empty', 'Pass the text or regex to search for');
  const pattern = compilePattern(query);
  const key = JSON.stringify([workspace.root, query.query, query.regex, pattern.flags, query.path ?? '', query.glob ?? '']);
  let search = offset > 0 ? await keptSearch(workspace, query, key, offset, options.signal) : undefined;
  if (!search) {
    const startedAt = Date.now();
    search = { startedAt, ...(await runSearch(workspace, query, pattern, offset, limit, options)) };
    keepSearch(key, search);
  }
  const { run, total, skipped, skippedTotal } = search;
  return {
    hits: offset < total ? run.window(offset, limit) : [],
    total,
    ...(skipped ? { skipped } : {}),
    ...(skippedTotal === undefined ? {} : { skippedTotal }),
  };
}

let searches = 0;

/** For tests: how many searches ran (a page served from a kept result runs none). */
export function searchesRun(): number {
  return searches;
}

/** Every matching line counted, those from `offset` on kept as records. */
async function runSearch(
  workspace: Workspace,
  query: SearchQuery,
  pattern: RegExp,
  offset: number,
  limit: number,
  options: SearchOptions,
): Promise<{ total: number; run: RecordRun } & SkippedFields> {
  searches++;
  if (await isGitRepository(workspace.root)) {
    const result = await gitGrep(workspace, query, pattern, offset, limit, options.signal);
    if (result.total > offset + limit) prepareCheck(workspace, query);
    return result;
  }
  prepareSearchThread(); // starts while the files are listed
  const { paths } = await listFiles(workspace, query);
  // The thread reads files by path: only those the workspace vouches for reach it.
  const skips = new Skips();
  const readable = await readableFiles(workspace, paths, skips);
  const job = { root: workspace.root, paths: readable, source: pattern.source, flags: pattern.flags, offset, limit, keepBytes: KEEP_BYTES };
  const { records, count, total } = await scanInThread(job, options);
  const run = new RecordRun(offset, count, Buffer.from(records.buffer, records.byteOffset, records.byteLength));
  return { total, run, ...skips.fields() };
}

/**
 * The listed files the search thread may read: plain files up to SEARCH_MAX_BYTES. A path that
 * is not a plain file (a symlink, a FIFO) goes through the workspace, which refuses what leads
 * out of the root or is no regular file; what is left out is reported.
 */
async function readableFiles(workspace: Workspace, paths: readonly string[], skips: Skips): Promise<string[]> {
  const readable: string[] = [];
  for (const path of paths) {
    let info: Stats | undefined = lstatSync(`${workspace.root}/${path}`, { throwIfNoEntry: false });
    if (!info || info.isDirectory()) continue; // gone, or a submodule
    if (!info.isFile()) info = await skips.read(path, () => statThroughWorkspace(workspace, path));
    if (!info) continue;
    if (info.size > SEARCH_MAX_BYTES) {
      const tooLarge = () => {
        throw new PathError('too-large', `"${path}" is larger than the search reads`);
      };
      await skips.read(path, tooLarge, { 'too-large': `larger than ${SEARCH_MAX_BYTES >> 20} MB, not searched outside git` });
      continue;
    }
    readable.push(path);
  }
  return readable;
}

function compilePattern(query: SearchQuery): RegExp {
  const insensitive = !(query.caseSensitive ?? /[A-Z]/.test(query.query));
  const source = query.regex ? query.query : query.query.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  try {
    return new RegExp(source, insensitive ? 'iu' : 'u');
  } catch (error) {
    throw new UserError(`invalid regex: ${(error as Error).message}`, 'Fix the pattern, or pass regex: false to search for the text literally');
  }
}

/**
 * Streams `git grep`: every record is counted, those from `offset` on are kept (search-records).
 * git walks the tree in sorted path order (read_directory sorts its entries), so its output
 * is already in the order pages are cut from.
 */
async function gitGrep(
  workspace: Workspace,
  query: SearchQuery,
  pattern: RegExp,
  offset: number,
  limit: number,
  signal?: AbortSignal,
): Promise<{ total: number; run: RecordRun }> {
  // Paths in and out are relative to the cwd (the root), also when the root is a sub-folder.
  const args = ['grep', '-n', '--column', '-z', '-I', '--untracked', '--no-color'];
  if (pattern.flags.includes('i')) args.push('-i');
  args.push(query.regex ? '-P' : '-F', '-e', query.query, '--');
  const prefix = await pathPrefix(workspace, query.path);
  if (query.glob) args.push(prefix ? `:(glob)${prefix}/${query.glob.includes('/') ? query.glob : `**/${query.glob}`}` : globPathspec(query.glob));
  else if (prefix) args.push(prefix);

  const output = new RecordStream(offset, offset + limit, KEEP_BYTES);
  try {
    // git grep exits 1 when nothing matched, which is an answer, not a failure.
    await git(workspace.root, args, { okExitCodes: [0, 1], onStdoutBytes: (chunk) => output.push(chunk), env: utf8Locale(), ...(signal ? { signal } : {}) });
  } catch (error) {
    signal?.throwIfAborted();
    // PCRE's own guard against backtracking: "pcre2_jit_match failed with error code -47: match limit exceeded".
    const limitHit = /pcre2?\w*match failed.*?: (.*)$/.exec((error as Error).message);
    if (limitHit) throw new UserError(`the regex backtracks too much for git grep (${limitHit[1]})`, SLOW_REGEX_HINT);
    throw error;
  }
  return output.finish();
}

/**
 * git grep -P matches characters, as the JS regex the query was checked with does, only in a
 * UTF-8 locale; otherwise it matches bytes, and a match can even start inside a character.
 * MCP clients often start servers with no locale at all, so git gets one when the server has none.
 */
function utf8Locale(): Record<string, string> | undefined {
  const current = process.env.LC_ALL || process.env.LC_CTYPE || process.env.LANG || '';
  return /utf-?8/i.test(current) ? undefined : { LC_ALL: 'C.UTF-8' };
}

/** Adds context lines to one page of hits, reading each file once. */
export async function withContext(workspace: Workspace, hits: readonly SearchHit[], contextLines: number): Promise<SearchMatch[]> {
  const linesOf = new Map<string, Promise<string[]>>();
  const load = (path: string): Promise<string[]> => {
    let lines = linesOf.get(path);
    if (!lines) {
      lines = contextLines
        ? workspace.readFile(path, { maxBytes: CONTEXT_MAX_BYTES }).then(
            (content) => content.toString('utf8').split(/\r?\n/),
            () => [], // unreadable now (changed since the search, too big): the match stands without context
          )
        : Promise.resolve([]);
      linesOf.set(path, lines);
    }
    return lines;
  };
  return Promise.all(
    hits.map(async (hit) => {
      const lines = await load(hit.path);
      const start = Math.max(0, hit.line - 1 - contextLines);
      return {
        ...hit,
        text: clip(hit.text, hit.column),
        before: lines.slice(start, hit.line - 1).map((l) => clip(l, 1)),
        after: lines.slice(hit.line, hit.line + contextLines).map((l) => clip(l, 1)),
      };
    }),
  );
}

/** Long lines are cut to a window of `width` characters around the match column. */
export function clip(text: string, column: number, width = MAX_LINE_CHARS): string {
  if (text.length <= width) return text;
  const start = Math.max(0, Math.min(column - 1 - Math.min(80, width >> 1), text.length - width));
  return (start > 0 ? '…' : '') + text.slice(start, start + width) + (start + width < text.length ? '…' : '');
}
