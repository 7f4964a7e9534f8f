import { budgetOf, channelTokens, countTokens, decodeCursorPosition, encodeCursor, fitItems, fitPrefix, fitsBudget, queryKey } from '../../core/budget.js';
import { UserError } from '../../core/errors.js';
import type { ToolContext } from '../../core/context.js';
import { describeEntries, listFiles } from '../../core/files.js';
import { overview } from './overview.js';
import { readLines } from './read.js';
import {
  renderDefinition,
  renderEntry,
  renderFileSymbols,
  renderMatch,
  renderOverview,
  renderReadLine,
  renderSkipped,
  renderSkippedLine,
  renderUse,
  renderUsesHead,
} from './render.js';
import { identifierOf, referenceIndex, usesIn, type Definition, type Reference, type Use } from './references.js';
import { currentGraph } from './map-graph.js';
import { identifiersIn, mapEntries, renderMap, renderMapEntry, type MapEntry } from './repomap.js';
import type { RepoScanInput, RepoScanOutput } from './schema.js';
import { searchFiles, withContext } from './search.js';
import { skippedFields, type Skipped, type SkippedFields } from './skipped.js';
import { TagCache } from './tag-cache.js';
import { tagLanguageFor } from './tags/index.js';

type Services = Pick<ToolContext, 'workspace' | 'state'> & Partial<Pick<ToolContext, 'signal' | 'progress'>>;

/** Tokens kept free for the header line every rendering starts with. */
const HEADER_TOKENS = 60;

/** repo-scan: one capability, six modes; every result fits `maxTokens` and pages with a cursor. */
export async function repoScan(input: RepoScanInput, services: Services): Promise<RepoScanOutput> {
  const budget = budgetOf(input.maxTokens) - HEADER_TOKENS;
  if (budget <= 0) throw new UserError(`maxTokens ${input.maxTokens} is too small`, `Pass at least ${HEADER_TOKENS + 40}`);
  const { cursor, maxTokens, ...query } = input;
  void maxTokens; // the budget may change between pages; the query may not
  // Hashing the query only when paging.
  const position = cursor === undefined ? { offset: 0, within: 0 } : decodeCursorPosition(cursor, queryKey(query));
  const offset = position.offset;
  const base = { mode: input.mode, root: services.workspace.root };
  switch (input.mode) {
    case 'overview':
      return { ...base, ...(await overviewWithin(services, budget)) };
    case 'tree':
      return { ...base, ...(await treePage(input, services, offset, budget)) };
    case 'search':
      return { ...base, ...(await searchPage(input, services, offset, budget)) };
    case 'symbols':
      return { ...base, ...(await symbolsPage(input, services, offset, budget)) };
    case 'map':
      return { ...base, ...(await mapPage(input, services, offset, budget)) };
    case 'references':
      return { ...base, ...(await referencesPage(input, services, offset, budget)) };
    case 'read':
      return { ...base, ...(await readPage(input, services, position, budget)) };
  }
}

type Page = Omit<RepoScanOutput, 'mode' | 'root'>;

function next(input: RepoScanInput, offset: number, within?: number): { nextCursor: string } {
  const { cursor, maxTokens, ...query } = input;
  void cursor;
  void maxTokens;
  return { nextCursor: encodeCursor(queryKey(query), offset, within) };
}

/**
 * The unread files a page names (the first page of a listing) within `allowance` tokens, and
 * what naming them costs: as many as fit, the rest counted.
 */
async function fitSkipped(fields: SkippedFields, allowance: number): Promise<{ fields: SkippedFields; cost: number }> {
  if (!fields.skipped) return { fields, cost: 0 };
  const total = fields.skippedTotal ?? fields.skipped.length;
  for (let shown = fields.skipped.length; shown >= 0; shown--) {
    const skipped = fields.skipped.slice(0, shown);
    const cost = await countTokens(renderSkipped(skipped, total) + '\n');
    if (cost <= allowance || shown === 0) {
      return { fields: { skipped, ...(total > shown ? { skippedTotal: total } : {}) }, cost };
    }
  }
  return { fields: {}, cost: 0 };
}

async function overviewWithin(services: Services, budget: number): Promise<Page> {
  const full = await overview(services.workspace);
  // Shrink the parts that can lose detail, least important first, until the rendering fits.
  const shrinkSteps: Array<(o: typeof full) => typeof full> = [
    (o) => ({ ...o, readme: o.readme?.split('\n').slice(0, 10).join('\n') }),
    (o) => ({ ...o, tree: o.tree.split('\n').slice(0, 25).join('\n') }),
    (o) => ({ ...o, languages: o.languages.slice(0, 10), manifests: o.manifests.slice(0, 8) }),
    (o) => ({ ...o, manifests: o.manifests.map((m) => ({ ...m, facts: { ...m.facts, scripts: undefined } })), readme: undefined }),
    (o) => ({ ...o, tree: o.tree.split('\n').slice(0, 8).join('\n'), languages: o.languages.slice(0, 5), manifests: o.manifests.slice(0, 3) }),
    (o) => ({ ...o, tree: '', languages: o.languages.slice(0, 3), manifests: o.manifests.slice(0, 1), testRunners: o.testRunners.slice(0, 2) }),
    (o) => ({ ...o, languages: o.languages.slice(0, 1), manifests: [], testRunners: [] }),
    (o) => ({ ...o, ...fewerSkipped(o, 1) }),
    (o) => ({ ...o, ...fewerSkipped(o, 0) }),
  ];
  let shown = full;
  let truncated = false;
  for (const shrink of shrinkSteps) {
    if (await fitsBudget(renderOverview(shown), budget)) break;
    shown = shrink(shown);
    truncated = true;
  }
  if (!(await fitsBudget(renderOverview(shown), budget))) {
    throw new UserError(`maxTokens ${budget + HEADER_TOKENS} is too small for an overview`, 'Pass maxTokens of 300 or more');
  }
  return { ...shown, truncated };
}

function fewerSkipped(fields: SkippedFields, shown: number): SkippedFields {
  if (!fields.skipped) return fields;
  return { skipped: fields.skipped.slice(0, shown), skippedTotal: fields.skippedTotal ?? fields.skipped.length };
}

async function treePage(input: RepoScanInput, services: Services, offset: number, budget: number): Promise<Page> {
  const { paths } = await listFiles(services.workspace, input);
  const entries = [];
  let position = offset;
  let remaining = budget;
  // Stat only what can be shown: a window at a time, until the budget is spent.
  while (position < paths.length) {
    const window = await describeEntries(services.workspace.root, paths.slice(position, position + Math.max(50, remaining >> 2)));
    const kept = await fitItems(window, renderEntry, remaining);
    entries.push(...window.slice(0, kept));
    position += kept;
    if (kept < window.length || kept === 0) break;
    remaining -= await countTokens(window.map((e) => renderEntry(e) + '\n').join(''));
  }
  const more = position < paths.length;
  return { entries, totalEntries: paths.length, truncated: more, ...(more ? next(input, position) : {}) };
}

/**
 * The fewest tokens a match costs in the structured channel: `{"path":"a","line":1,"column":1,
 * "text":"","before":[],"after":[]}` is 21. A window of budget / this many hits holds more than a page.
 */
const MIN_MATCH_TOKENS = 20;

async function searchPage(input: RepoScanInput, services: Services, offset: number, budget: number): Promise<Page> {
  if (!input.query) throw new UserError('search needs a query', 'Pass query (text, or a regex with regex: true)');
  const query = { query: input.query, regex: input.regex, caseSensitive: input.caseSensitive, path: input.path, glob: input.glob };
  const window = Math.max(20, Math.ceil(budget / MIN_MATCH_TOKENS));
  const { hits, total, ...skipped } = await searchFiles(services.workspace, query, offset, window, {
    ...(services.signal ? { signal: services.signal } : {}),
  });
  const unread = offset === 0 ? await fitSkipped(skipped, budget >> 2) : { fields: {}, cost: 0 }; // named once, on the first page
  const matches = await withContext(services.workspace, hits, input.contextLines);
  // Both channels must fit (DESIGN.md §2), and as JSON a match costs up to twice its text: a page
  // fitted to its text alone came back over budget, and the whole search ran again, smaller.
  const envelope = { mode: input.mode, root: services.workspace.root, matches: [], totalMatches: total, truncated: true, ...unread.fields };
  const jsonRoom = budget + HEADER_TOKENS - (await countTokens(JSON.stringify({ ...envelope, ...next(input, offset + matches.length) })));
  // JSON first: it is usually the smaller page, so the text is counted only for what it kept.
  const jsonKept = await fitItems(matches, (match) => JSON.stringify(match), jsonRoom);
  const kept = await fitItems(matches.slice(0, jsonKept), renderMatch, budget - unread.cost);
  const end = offset + kept;
  const more = end < total;
  return { matches: matches.slice(0, kept), totalMatches: total, ...unread.fields, truncated: more, ...(more ? next(input, end) : {}) };
}

async function symbolsPage(input: RepoScanInput, services: Services, offset: number, budget: number): Promise<Page> {
  const { paths } = await listFiles(services.workspace, input);
  const candidates = paths.filter((path) => tagLanguageFor(path) !== undefined);
  if (input.path && !candidates.length) {
    throw new UserError(
      `no file with symbol support under "${input.path}"`,
      'Symbols cover TypeScript, JavaScript, Python, Go, Rust, Java, C, C++, C#, Ruby and PHP',
    );
  }
  const cache = TagCache.for(services.state);
  const files: NonNullable<Page['files']> = [];
  const skipped: Skipped[] = [];
  let remaining = budget;
  let position = offset;
  let parsed = 0;
  let cached = 0;
  let cutShort = false;
  // Parse only as many files as the page can show: a cold call on a huge tree stays cheap.
  while (position < candidates.length && remaining > 0) {
    const batch = candidates.slice(position, position + 8);
    const result = await cache.tagsFor(services.workspace, batch, services.signal);
    parsed += result.parsed;
    cached += result.cached;
    let consumed = 0;
    for (const path of batch) {
      // A file left unread takes its place in the page as a note, so the notes page like files.
      const unread = result.skipped.find((s) => s.path === path);
      if (unread) {
        const cost = (await countTokens(renderSkippedLine(unread) + '\n')) + (skipped.length ? 0 : await countTokens('skipped:\n'));
        if (cost > remaining && (files.length || skipped.length)) {
          remaining = 0;
          break;
        }
        skipped.push(unread);
        remaining -= cost;
        consumed++;
        continue;
      }
      const tags = result.tags.get(path);
      const file = { path, language: tags?.language ?? tagLanguageFor(path)!, symbols: tags?.symbols ?? [] };
      const cost = await countTokens(renderFileSymbols(file) + '\n');
      if (cost > remaining) {
        if (!files.length && !skipped.length) {
          // A single file bigger than the budget: show as many of its symbols as fit.
          const kept = await fitItems(file.symbols, (s) => renderFileSymbols({ ...file, symbols: [s] }), remaining);
          files.push({ ...file, symbols: file.symbols.slice(0, kept) });
          consumed++;
          cutShort = kept < file.symbols.length;
        }
        remaining = 0;
        break;
      }
      files.push(file);
      remaining -= cost;
      consumed++;
    }
    position += consumed;
  }
  const more = position < candidates.length;
  return {
    files,
    ...(skipped.length ? { skipped } : {}),
    truncated: more || cutShort,
    parsedFiles: parsed,
    cachedFiles: cached,
    ...(more ? next(input, position) : {}),
  };
}

/** No page shows more files than this; definitions are ranked only for these. */
const MAP_FILE_LIMIT = 600;

async function mapPage(input: RepoScanInput, services: Services, offset: number, budget: number): Promise<Page> {
  const focus = await Promise.all((input.focus ?? []).map(async (path) => services.workspace.relative(await services.workspace.resolve(path))));
  const current = await currentGraph(services, input);
  const unread = offset === 0 ? await fitSkipped(skippedFields(current.skipped), budget >> 2) : { fields: {}, cost: 0 }; // named once, on the first page
  const note = current.note ? { note: current.note } : {};
  budget -= unread.cost + (current.note ? await countTokens(`note: ${current.note}\n`) : 0);
  const ranking = current.ranking({ focus, mentioned: identifiersIn(input.query) });
  const fileOf = (path: string): { path: string; rank: number } => ({ path, rank: Number(ranking.rank[ranking.graph.index.get(path)!]!.toPrecision(4)) });
  const page = (entries: readonly MapEntry[]): { map: string; files: Array<{ path: string; rank: number }> } => ({
    map: renderMap(entries),
    files: [...new Set(entries.map((entry) => entry.path))].map(fileOf),
  });
  // Entries are costed one line at a time as they are generated, so only what the page can
  // show is ranked and rendered; the page is checked once at the end. The structured result
  // carries the map too (each line break escaped) and a {path, rank} per file: the cost of an
  // entry is its cost there, the larger channel.
  const shown: MapEntry[] = [];
  let used = 0;
  let position = 0;
  let more = false;
  for (const entry of mapEntries(ranking, MAP_FILE_LIMIT)) {
    if (position++ < offset) continue;
    const cost = (await countTokens(renderMapEntry(entry) + '\n')) + 1 + (entry.symbol ? 0 : await countTokens(JSON.stringify(fileOf(entry.path)) + ','));
    if (used + cost > budget) {
      more = true;
      break;
    }
    used += cost;
    shown.push(entry);
  }
  while (shown.length && (await channelTokens(page(shown), page(shown).map, budget)) > budget) {
    shown.pop();
    more = true;
  }
  const low = shown.length;
  return {
    ...page(shown),
    ...unread.fields,
    ...note,
    truncated: more,
    parsedFiles: current.parsed,
    cachedFiles: current.cached,
    ...(more ? next(input, offset + low) : {}),
  };
}

/** Kept free in a read page for a line cut across pages: the header's notes and the longer cursor. */
const COLUMN_NOTE_TOKENS = 40;
/**
 * Characters collected per token of budget. Text averages about 4 a token; a page of longer
 * tokens (o200k has runs of up to 128 spaces) ends early, and the next page continues it.
 */
const MAX_CHARS_PER_TOKEN = 32;

async function readPage(input: RepoScanInput, services: Services, position: { offset: number; within: number }, budget: number): Promise<Page> {
  if (!input.path) throw new UserError('read needs a path', 'Pass the file to read, relative to the root');
  const first = position.offset || input.startLine || 1;
  const column = position.offset ? position.within : 0;
  const room = budget - COLUMN_NOTE_TOKENS;
  if (room < 20)
    throw new UserError(`maxTokens ${budgetOf(input.maxTokens)} is too small to read a file`, `Pass at least ${HEADER_TOKENS + COLUMN_NOTE_TOKENS + 20}`);
  const file = await readLines(services.workspace, input.path, {
    startLine: first,
    startColumn: column,
    ...(input.endLine === undefined ? {} : { endLine: input.endLine }),
    maxChars: room * MAX_CHARS_PER_TOKEN,
    ...(services.signal ? { signal: services.signal } : {}),
  });
  if (first > Math.max(1, file.totalLines)) {
    throw new UserError(`startLine ${first} is past the end of "${file.path}" (${file.totalLines} lines)`, `Pass a startLine from 1 to ${file.totalLines}`);
  }
  const numbered = file.lines.map((text, i) => ({ number: first + i, text }));
  let shown = file.lines.slice(0, await fitItems(numbered, renderReadLine, room));
  /** Where the last shown line stops, when it is cut (0-based, from the start of the line). */
  let cutAt: number | undefined;
  if (!shown.length && numbered.length) {
    // The first line alone is over the budget: show its head, and continue inside it next page.
    const prefix = renderReadLine({ number: first, text: '' }).length;
    const fits = (await fitPrefix(renderReadLine(numbered[0]!), room)) - prefix;
    if (fits <= 0) throw new UserError(`maxTokens ${budgetOf(input.maxTokens)} is too small to show line ${first}`, 'Pass a larger maxTokens');
    shown = [file.lines[0]!.slice(0, fits)];
    cutAt = column + fits;
  } else if (file.lastCut && shown.length === file.lines.length) {
    cutAt = (shown.length === 1 ? column : 0) + shown[shown.length - 1]!.length;
  }
  const last = first + shown.length - 1;
  const requestedEnd = Math.min(input.endLine ?? file.totalLines, file.totalLines);
  const more = cutAt !== undefined || last < requestedEnd;
  return {
    path: file.path,
    startLine: first,
    endLine: Math.max(first, last),
    totalLines: file.totalLines,
    text: shown.join('\n'),
    ...(column ? { startColumn: column + 1 } : {}),
    ...(cutAt !== undefined ? { endColumn: cutAt } : {}),
    truncated: more,
    ...(more ? next(input, cutAt === undefined ? last + 1 : last, cutAt) : {}),
  };
}

/** The fewest tokens a use costs in JSON: `{"line":1,"column":1,"text":"x"}` and a line break. */
const MIN_USE_TOKENS = 12;

/** What an item costs in the larger of its two channels: its text line or its JSON. */
function costlier(text: string, item: unknown): string {
  const json = JSON.stringify(item);
  return json.length > text.length ? json : text;
}

/**
 * Uses of one identifier, best file first. The cursor's offset counts uses across files; the
 * cached counts say where it falls, so a page parses only the files it shows. Definitions (and
 * unread files) are named once, on the first page.
 */
async function referencesPage(input: RepoScanInput, services: Services, offset: number, budget: number): Promise<Page> {
  const name = identifierOf(input.query);
  const index = await referenceIndex(services, name, input);
  const first = input.cursor === undefined;
  const unread = first ? await fitSkipped(skippedFields(index.skipped), budget >> 2) : { fields: {}, cost: 0 };
  // The fields around the lists, in JSON, are more than the header reserve covers.
  const envelope = {
    mode: input.mode,
    root: services.workspace.root,
    definitions: [],
    totalDefinitions: index.definitions.length,
    references: [],
    totalReferences: index.total,
    truncated: true,
    parsedFiles: index.parsed,
    cachedFiles: index.cached,
    ...next(input, index.total),
  };
  let remaining = budget - unread.cost - Math.max(0, (await countTokens(JSON.stringify(envelope))) - HEADER_TOKENS);
  let definitions: Definition[] | undefined;
  if (first) {
    const kept = await fitItems(index.definitions, (d) => costlier(renderDefinition(d), d), remaining >> 1);
    definitions = index.definitions.slice(0, kept);
    remaining -= await countTokens(definitions.map((d) => costlier(renderDefinition(d), d) + '\n').join(''));
  }

  const references: Reference[] = [];
  let position = 0; // uses before the current file
  let end = offset; // uses shown or passed
  for (const file of index.files) {
    if (position + file.count <= offset) {
      position += file.count;
      continue;
    }
    services.signal?.throwIfAborted();
    const head = await countTokens(renderUsesHead(file.path) + '\n'); // the text's line naming the file
    const costOfUse = (use: Use): string => costlier(renderUse(use), { path: file.path, ...use });
    if (head >= remaining) break;
    const skip = Math.max(0, offset - position);
    // No use costs less than MIN_USE_TOKENS: more than this many could never fit.
    const { uses, total } = await usesIn(services.workspace, file.path, name, skip, Math.ceil((remaining - head) / MIN_USE_TOKENS));
    const kept = await fitItems(uses, costOfUse, remaining - head);
    if (kept) {
      for (const use of uses.slice(0, kept)) references.push({ path: file.path, ...use });
      remaining -= head + (await countTokens(uses.slice(0, kept).map(costOfUse).join('\n')));
    }
    // A file holding fewer uses than counted (changed since its tags) ends where it ends.
    const finished = skip + kept >= total;
    end = finished ? position + file.count : end + kept;
    position += file.count;
    if (!finished) break;
  }
  const more = end < index.total;
  if (more && !references.length && !definitions?.length) {
    throw new UserError(`maxTokens ${budgetOf(input.maxTokens)} is too small to show a use`, 'Pass a larger maxTokens');
  }
  return {
    ...(definitions ? { definitions } : {}),
    ...(definitions && definitions.length < index.definitions.length ? { totalDefinitions: index.definitions.length } : {}),
    references,
    totalReferences: index.total,
    ...unread.fields,
    truncated: more,
    parsedFiles: index.parsed,
    cachedFiles: index.cached,
    ...(more ? next(input, end) : {}),
  };
}
