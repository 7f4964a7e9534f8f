import { lstatSync, type Stats } from 'node:fs';
import { UserError } from '../../core/errors.js';
import type { Workspace } from '../../core/workspace.js';
import { globPathspec, listFiles, pathPrefix, type FileFilter } from '../../core/files.js';
import { git, isGitRepository } from '../../core/git.js';
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
  /** Matching lines `offset` .. `offset + limit`, sorted by path and line. */
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
 * Matching lines, sorted by path and line, of which only one window is kept: a query that
 * matches a million lines costs a count, not a million objects. In a git repository
 * `git grep` does the scanning (fast, and it sees exactly the files `tree` lists) and its
 * output is streamed; elsewhere the same search runs in a worker thread. Neither runs the
 * regex on the server's thread: one that backtracks badly would stall every other call.
 */
export async function searchFiles(workspace: Workspace, query: SearchQuery, offset = 0, limit = Infinity, options: SearchOptions = {}): Promise<SearchWindow> {
  if (!query.query) throw new UserError('query is empty', 'Pass the text or regex to search for');
  const pattern = compilePattern(query);
  if (await isGitRepository(workspace.root)) return gitGrep(workspace, query, pattern, offset, limit, options.signal);
  prepareSearchThread(); // starts while the files are listed
  const { paths } = await listFiles(workspace, query);
  // The thread reads files by path: only those the workspace vouches for reach it.
  const skips = new Skips();
  const readable = await readableFiles(workspace, paths, skips);
  const job = { root: workspace.root, paths: readable, source: pattern.source, flags: pattern.flags, offset, limit };
  return { ...(await scanInThread(job, options)), ...skips.fields() };
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
 * Streams `git grep`, parsing only the window and merely counting the lines after it. git
 * walks the tree in sorted path order (read_directory sorts its entries), so its output is
 * already in the order pages are cut from. The column is git's own: a byte offset, turned
 * into the UTF-16 column the JS regex gives outside git.
 */
async function gitGrep(workspace: Workspace, query: SearchQuery, pattern: RegExp, offset: number, limit: number, signal?: AbortSignal): Promise<SearchWindow> {
  // Paths in and out are relative to the cwd (the root), also when the root is a sub-folder.
  const args = ['grep', '-n', '--column', '-z', '-I', '--untracked', '--no-color'];
  if (pattern.flags.includes('i')) args.push('-i');
  args.push(query.regex ? '-P' : '-F', '-e', query.query, '--');
  const prefix = await pathPrefix(workspace, query.path);
  if (query.glob) args.push(prefix ? `:(glob)${prefix}/${query.glob.includes('/') ? query.glob : `**/${query.glob}`}` : globPathspec(query.glob));
  else if (prefix) args.push(prefix);

  const hits: SearchHit[] = [];
  const end = offset + limit;
  let total = 0;
  let pending: Buffer | undefined;
  const onRecord = (record: Buffer): void => {
    if (total >= offset && total < end) hits.push(parseRecord(record));
    total++;
  };
  const onStdoutBytes = (chunk: Buffer): void => {
    let from = 0;
    if (pending) {
      const newline = chunk.indexOf(NEWLINE);
      if (newline === -1) {
        pending = Buffer.concat([pending, chunk]);
        return;
      }
      onRecord(Buffer.concat([pending, chunk.subarray(0, newline)]));
      pending = undefined;
      from = newline + 1;
    }
    for (let newline = chunk.indexOf(NEWLINE, from); total < end && newline !== -1; newline = chunk.indexOf(NEWLINE, from)) {
      onRecord(chunk.subarray(from, newline));
      from = newline + 1;
    }
    if (total < end) {
      if (from < chunk.length) pending = chunk.subarray(from);
      return;
    }
    // Past the window: count records, parse nothing. A partial record at the end of this chunk
    // ends at the next chunk's first newline and is counted there.
    for (let newline = chunk.indexOf(NEWLINE, from); newline !== -1; newline = chunk.indexOf(NEWLINE, newline + 1)) total++;
  };
  try {
    // git grep exits 1 when nothing matched, which is an answer, not a failure.
    await git(workspace.root, args, { okExitCodes: [0, 1], onStdoutBytes, env: utf8Locale(), ...(signal ? { signal } : {}) });
  } catch (error) {
    signal?.throwIfAborted();
    // PCRE's own guard against backtracking: "pcre2_jit_match failed with error code -47: match limit exceeded".
    const limitHit = /pcre2?\w*match failed.*?: (.*)$/.exec((error as Error).message);
    if (limitHit) throw new UserError(`the regex backtracks too much for git grep (${limitHit[1]})`, SLOW_REGEX_HINT);
    throw error;
  }
  if (pending) onRecord(pending);
  return { hits, total };
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/** One `path NUL line NUL byte-column NUL text` record of `git grep -z -n --column`. */
function parseRecord(record: Buffer): SearchHit {
  const pathEnd = record.indexOf(0);
  const lineEnd = record.indexOf(0, pathEnd + 1);
  const columnEnd = record.indexOf(0, lineEnd + 1);
  const textStart = columnEnd + 1;
  const textEnd = record[record.length - 1] === CARRIAGE_RETURN ? record.length - 1 : record.length;
  const byteColumn = Number(record.toString('latin1', lineEnd + 1, columnEnd));
  return {
    path: record.toString('utf8', 0, pathEnd),
    line: Number(record.toString('latin1', pathEnd + 1, lineEnd)),
    // The bytes before the match decode to as many UTF-16 units as they do within the whole
    // line (one U+FFFD per invalid sequence), so this is the JS regex's index + 1.
    column: record.toString('utf8', textStart, Math.min(textStart + byteColumn - 1, textEnd)).length + 1,
    text: record.toString('utf8', textStart, textEnd),
  };
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
