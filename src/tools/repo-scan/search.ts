import { UserError } from '../../core/errors.js';
import type { Workspace } from '../../core/workspace.js';
import { comparePaths, globPathspec, isBinary, listFiles, mapLimit, pathPrefix, type FileFilter } from '../../core/files.js';
import { git, isGitRepository } from '../../core/git.js';
import { Skips, type Skipped } from './skipped.js';

export interface SearchQuery extends FileFilter {
  query: string;
  regex: boolean;
  /** undefined: smart case (insensitive unless the query has an upper-case letter). */
  caseSensitive?: boolean;
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

export interface SearchWindow {
  /** Matching lines `offset` .. `offset + limit`, sorted by path and line. */
  hits: SearchHit[];
  /** All matching lines. */
  total: number;
  /** Files left unread outside git (a symlink out of the root, a FIFO); git grep reads none of those. */
  skipped?: Skipped[];
  skippedTotal?: number;
}

/** Outside git, files are read whole to be searched; bigger ones are left out. */
const SEARCH_MAX_BYTES = 16 << 20;
/** Context lines come from files up to this size; in bigger ones a match is shown without context. */
const CONTEXT_MAX_BYTES = 16 << 20;

/**
 * Matching lines, sorted by path and line, of which only one window is kept: a query that
 * matches a million lines costs a count, not a million objects. In a git repository
 * `git grep` does the scanning (fast, and it sees exactly the files `tree` lists) and its
 * output is streamed; elsewhere the same search runs in-process. Columns come from the JS
 * regex in both cases, so they agree.
 */
export async function searchFiles(workspace: Workspace, query: SearchQuery, offset = 0, limit = Infinity): Promise<SearchWindow> {
  if (!query.query) throw new UserError('query is empty', 'Pass the text or regex to search for');
  const pattern = compilePattern(query);
  if (await isGitRepository(workspace.root)) return gitGrep(workspace, query, pattern, offset, limit);
  const skips = new Skips();
  const hits = (await scanFiles(workspace, (await listFiles(workspace, query)).paths, pattern, skips)).sort(compareHits);
  return { hits: hits.slice(offset, offset + limit), total: hits.length, ...skips.fields() };
}

function compareHits(a: SearchHit, b: SearchHit): number {
  return comparePaths(a.path, b.path) || a.line - b.line;
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
 * already in the order pages are cut from.
 */
async function gitGrep(workspace: Workspace, query: SearchQuery, pattern: RegExp, offset: number, limit: number): Promise<SearchWindow> {
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
  let pending = '';
  const onRecord = (record: string): void => {
    if (total >= offset && total < end) {
      const pathEnd = record.indexOf('\0');
      const lineEnd = record.indexOf('\0', pathEnd + 1);
      const columnEnd = record.indexOf('\0', lineEnd + 1);
      const text = record.slice(columnEnd + 1).replace(/\r$/, '');
      const jsColumn = pattern.exec(text)?.index;
      hits.push({
        path: record.slice(0, pathEnd),
        line: Number(record.slice(pathEnd + 1, lineEnd)),
        column: jsColumn === undefined ? Number(record.slice(lineEnd + 1, columnEnd)) : jsColumn + 1,
        text,
      });
    }
    total++;
  };
  const onStdout = (chunk: string): void => {
    if (total >= end) {
      // Past the window: count records, parse nothing. A partial record held over from the
      // previous chunk ends at this chunk's first newline and is counted there.
      pending = '';
      for (let i = chunk.indexOf('\n'); i !== -1; i = chunk.indexOf('\n', i + 1)) total++;
      return;
    }
    const records = (pending + chunk).split('\n');
    pending = records.pop()!;
    for (const record of records) onRecord(record);
  };
  // git grep exits 1 when nothing matched, which is an answer, not a failure.
  await git(workspace.root, args, { okExitCodes: [0, 1], onStdout });
  if (pending) onRecord(pending);
  return { hits, total };
}

async function scanFiles(workspace: Workspace, paths: readonly string[], pattern: RegExp, skips: Skips): Promise<SearchHit[]> {
  const hits: SearchHit[] = [];
  await mapLimit(paths, 8, async (path) => {
    const content = await skips.read(path, () => workspace.readFile(path, { maxBytes: SEARCH_MAX_BYTES }), {
      'too-large': `larger than ${SEARCH_MAX_BYTES >> 20} MB, not searched outside git`,
    });
    if (!content || isBinary(content)) return;
    const lines = content.toString('utf8').split(/\r?\n/);
    lines.forEach((text, index) => {
      const found = pattern.exec(text);
      if (found) hits.push({ path, line: index + 1, column: found.index + 1, text });
    });
  });
  return hits;
}

/** Adds context lines to one page of hits, reading each file once, through the workspace like every read. */
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

/** Long lines are cut to a window around the match column. */
function clip(text: string, column: number): string {
  if (text.length <= MAX_LINE_CHARS) return text;
  const start = Math.max(0, Math.min(column - 1 - 80, text.length - MAX_LINE_CHARS));
  return (start > 0 ? '…' : '') + text.slice(start, start + MAX_LINE_CHARS) + (start + MAX_LINE_CHARS < text.length ? '…' : '');
}
