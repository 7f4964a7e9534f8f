import { UserError } from '../../core/errors.js';
import { listFiles, pathPrefix } from '../../core/files.js';
import type { WorkspaceState } from '../../core/state.js';
import type { Workspace } from '../../core/workspace.js';
import { provenanceOf } from './languages.js';
import { currentGraph, type MapServices } from './map-graph.js';
import { clip } from './search.js';
import type { Skipped } from './skipped.js';
import { MAX_PARSE_BYTES, TagCache } from './tag-cache.js';
import { extractUses, tagLanguageFor, type FileTags, type SymbolInfo } from './tags/index.js';

/**
 * repo-scan `references`: where one identifier is defined and used. Name-based, like the map:
 * a use is an identifier-like leaf of the syntax tree with exactly the name's text, whatever it
 * resolves to; comments and strings are not identifiers, so they never count.
 *
 * The cached tags already count each file's uses of every name, so they say which files to
 * parse, how many uses each holds (the total, and where a page starts, without parsing), and
 * where the name is defined. Only the files a page shows are parsed again, for the positions.
 */

export interface Definition {
  path: string;
  line: number;
  kind: string;
  container?: string;
  signature?: string;
}

export interface Use {
  line: number;
  column: number;
  /** The line, trimmed, cut to a window around the use when long. */
  text: string;
  /** The innermost symbol around the use (`Class.method`), when there is one. */
  container?: string;
}

/** One use as results list it (DESIGN.md §3): where, flat, files in rank order. */
export interface Reference extends Use {
  path: string;
}

export interface ReferenceIndex {
  /** Best file first (the map's rank), then by line. */
  definitions: Definition[];
  /** The files using the name, best first, with their number of uses. */
  files: Array<{ path: string; count: number }>;
  total: number;
  skipped: readonly Skipped[];
  parsed: number;
  cached: number;
}

type Services = MapServices;

const MAX_IDENTIFIER_CHARS = 200;
/** A use's line is cut to this many characters around it: enough to recognise the use. */
const USE_TEXT_CHARS = 160;
/** An identifier in any of the grammars: letters, digits, `_`, `$`; Ruby's `empty?`/`save!` too. */
const IDENTIFIER = /^[\p{L}\p{Nl}_$][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}$]*[?!]?$/u;
const IDENTIFIER_PART = /[\p{L}\p{Nl}_$][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}$]*/gu;

/** The one identifier `query` names, or a UserError saying what to pass instead. */
export function identifierOf(query: string | undefined): string {
  const name = query?.trim() ?? '';
  if (!name)
    throw new UserError('references needs query: the identifier to look up', 'Pass query, e.g. "parseArgs", and path of its definition to pick one of several');
  if (name.length <= MAX_IDENTIFIER_CHARS && IDENTIFIER.test(name)) return name;
  const parts = name.length <= MAX_IDENTIFIER_CHARS ? (name.match(IDENTIFIER_PART) ?? []) : [];
  const shown = name.length > 60 ? `${name.slice(0, 57)}…` : name;
  throw new UserError(
    `query "${shown}" is not one identifier`,
    parts.length
      ? `Pass one name, e.g. "${parts[parts.length - 1]}"; to pick the definition of a member, add path of the file that defines it`
      : 'Pass one name: a function, class, method, type or variable',
  );
}

/**
 * Where `name` is defined and which files use it, from the map's graph over the cached tags of
 * every mapped file (so the two modes share one graph, and its rank orders the files).
 */
export async function referenceIndex(
  services: Services,
  name: string,
  filter: { path?: string | undefined; glob?: string | undefined },
): Promise<ReferenceIndex> {
  const current = await currentGraph(services, { glob: filter.glob });
  const { graph } = current;
  const store = TagCache.for(services.state);

  let definitions: Definition[] = [];
  for (const file of graph.definersOf(name)) {
    const path = graph.paths[file]!;
    for (const symbol of graph.symbolsOf(file)) if (symbol.name === name) definitions.push(definitionOf(path, symbol));
  }
  // The tag records count every use exactly (the graph may keep fewer of a huge file's names).
  const id = store.nameTable.idOf(name);
  const files: Array<{ path: string; count: number }> = [];
  let total = 0;
  if (id !== undefined) {
    for (const path of graph.paths) {
      const uses = store.record(path)?.uses;
      if (!uses) continue;
      for (let i = 0; i < uses.length; i += 2) {
        if (uses[i] !== id) continue;
        files.push({ path, count: uses[i + 1]! });
        total += uses[i + 1]!;
        break;
      }
    }
  }
  if (filter.path !== undefined) definitions = definitionsUnder(definitions, await pathPrefix(services.workspace, filter.path), filter.path, name);

  // In the map's order: the definitions' files (its focus) first, then by tier and rank.
  const { score } = current.ranking({ focus: [...new Set(definitions.map((d) => d.path))], mentioned: new Set([name]) });
  const rankOf = (path: string): number => score[graph.index.get(path) ?? -1] ?? 0;
  const byRank = (a: string, b: string): number => rankOf(b) - rankOf(a) || (a < b ? -1 : a > b ? 1 : 0);
  files.sort((a, b) => byRank(a.path, b.path));
  definitions.sort((a, b) => byRank(a.path, b.path) || a.line - b.line);
  return { definitions, files, total, skipped: current.skipped, parsed: current.parsed, cached: current.cached };
}

function definitionOf(path: string, symbol: SymbolInfo): Definition {
  return {
    path,
    line: symbol.line,
    kind: symbol.kind,
    ...(symbol.container ? { container: symbol.container } : {}),
    ...(symbol.signature ? { signature: symbol.signature } : {}),
  };
}

/** The definitions in the file or folder `prefix`; none there is the caller's mistake, said with where they are. */
function definitionsUnder(definitions: Definition[], prefix: string, given: string, name: string): Definition[] {
  const kept = definitions.filter((d) => !prefix || d.path === prefix || d.path.startsWith(`${prefix}/`));
  if (kept.length || !prefix) return kept;
  const definers = [...new Set(definitions.map((d) => d.path))];
  if (!definers.length) throw new UserError(`"${given}" does not define ${name}, and no mapped file does`, 'Omit path to list its uses anyway');
  const named = definers.slice(0, 10).join(', ') + (definers.length > 10 ? ` and ${definers.length - 10} more` : '');
  throw new UserError(`"${given}" does not define ${name}; ${named} ${definers.length === 1 ? 'does' : 'do'}`, 'Pass one of those as path, or omit path');
}

/**
 * The uses of `name` in one file, in order: the `max` from the `skip`th on, each with its line,
 * column (1-based, UTF-16), line text and the innermost symbol around it; and how many the file
 * holds. Only the uses returned are described, so a minified file with thousands of uses on one
 * line costs one parse. A file unreadable now (gone since it was listed) has none.
 */
export async function usesIn(workspace: Workspace, path: string, name: string, skip = 0, max = Infinity): Promise<{ uses: Use[]; total: number }> {
  let source: string;
  try {
    source = (await workspace.readFile(path, { maxBytes: MAX_PARSE_BYTES })).toString('utf8');
  } catch {
    return { uses: [], total: 0 };
  }
  const found = await extractUses(path, source, name);
  if (!found) return { uses: [], total: 0 };
  const { symbols } = found.tags;
  const uses: Use[] = [];
  let line = 1;
  let lineStart = 0;
  let lineEnd = lineEndFrom(source, 0);
  for (const offset of found.uses.slice(skip, skip + max)) {
    while (offset > lineEnd) {
      lineStart = lineEnd + 1;
      lineEnd = lineEndFrom(source, lineStart);
      line++;
    }
    const column = offset - lineStart + 1;
    const container = containerAt(symbols, line);
    uses.push({ line, column, text: textAround(source, lineStart, lineEnd, offset), ...(container ? { container } : {}) });
  }
  return { uses, total: found.uses.length };
}

function lineEndFrom(source: string, from: number): number {
  const end = source.indexOf('\n', from);
  return end === -1 ? source.length : end;
}

/**
 * The line of a use, trimmed and cut to USE_TEXT_CHARS around it. Only a window around the use
 * is read, so a line of a megabyte costs what a short one does.
 */
function textAround(source: string, lineStart: number, lineEnd: number, offset: number): string {
  const from = Math.max(lineStart, offset - USE_TEXT_CHARS);
  const to = Math.min(lineEnd, offset + USE_TEXT_CHARS);
  let window = source.slice(from, to);
  if (to === lineEnd) window = window.replace(/\r$/, '');
  const lead = window.length - window.trimStart().length;
  let text = clip(window.trim(), offset - from - lead + 1, USE_TEXT_CHARS);
  if (from > lineStart && !text.startsWith('…')) text = `…${text}`;
  if (to < lineEnd && !text.endsWith('…')) text = `${text}…`;
  return text;
}

/**
 * The innermost symbol whose lines hold `line`: the one starting last, and of two starting on the
 * same line the shorter, then the one inside the other (it has a container). Symbols carry lines,
 * not columns: of two declarations side by side on one line, the first is named. An alias
 * (`export { a as b }`) holds no code, so a use beside it in an export list has no container.
 */
function containerAt(symbols: readonly SymbolInfo[], line: number): string | undefined {
  let best: SymbolInfo | undefined;
  for (const symbol of symbols) {
    if (symbol.line > line) break; // sorted by line
    if (symbol.endLine < line || symbol.kind === 'alias') continue;
    if (
      !best ||
      symbol.line > best.line ||
      (symbol.line === best.line && (symbol.endLine < best.endLine || (symbol.endLine === best.endLine && symbol.container === best.name)))
    ) {
      best = symbol;
    }
  }
  if (!best) return undefined;
  return best.container ? `${best.container}.${best.name}` : best.name;
}
