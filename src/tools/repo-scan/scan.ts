import { budgetOf, countTokens, decodeCursor, encodeCursor, fitItems, fitsBudget, queryKey } from '../../core/budget.js';
import { UserError } from '../../core/errors.js';
import type { WorkspaceServices } from '../../services.js';
import { describeEntries, listFiles } from '../../core/files.js';
import { provenanceOf } from './languages.js';
import { overview } from './overview.js';
import { readLines } from './read.js';
import { renderEntry, renderFileSymbols, renderMatch, renderOverview, renderReadLine } from './render.js';
import { buildGraph, identifiersIn, mapEntries, rankFiles, renderMap, renderMapEntry, type MapEntry, type MapGraph, type Ranking } from './repomap.js';
import type { RepoScanInput, RepoScanOutput } from './schema.js';
import { searchFiles, withContext } from './search.js';
import { TagCache } from './tag-cache.js';
import { tagLanguageFor } from './tags/index.js';

type Services = Pick<WorkspaceServices, 'workspace' | 'state'> & { signal?: AbortSignal };

/** Tokens kept free for the header line every rendering starts with. */
const HEADER_TOKENS = 60;

/** repo-scan: one capability, six modes; every result fits `maxTokens` and pages with a cursor. */
export async function repoScan(input: RepoScanInput, services: Services): Promise<RepoScanOutput> {
  const budget = budgetOf(input.maxTokens) - HEADER_TOKENS;
  if (budget <= 0) throw new UserError(`maxTokens ${input.maxTokens} is too small`, `Pass at least ${HEADER_TOKENS + 40}`);
  const { cursor, maxTokens, ...query } = input;
  void maxTokens; // the budget may change between pages; the query may not
  const offset = cursor === undefined ? 0 : decodeCursor(cursor, queryKey(query)); // hashing the query only when paging
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
    case 'read':
      return { ...base, ...(await readPage(input, services, offset, budget)) };
  }
}

type Page = Omit<RepoScanOutput, 'mode' | 'root'>;

function next(input: RepoScanInput, offset: number): { nextCursor: string } {
  const { cursor, maxTokens, ...query } = input;
  void cursor;
  void maxTokens;
  return { nextCursor: encodeCursor(queryKey(query), offset) };
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

async function searchPage(input: RepoScanInput, services: Services, offset: number, budget: number): Promise<Page> {
  if (!input.query) throw new UserError('search needs a query', 'Pass query (text, or a regex with regex: true)');
  const query = { query: input.query, regex: input.regex, caseSensitive: input.caseSensitive, path: input.path, glob: input.glob };
  // A match renders to at least ~8 tokens, so this window always holds more than a page.
  const { hits, total } = await searchFiles(services.workspace, query, offset, Math.max(20, budget >> 3), { signal: services.signal });
  const matches = await withContext(services.workspace.root, hits, input.contextLines);
  const kept = await fitItems(matches, renderMatch, budget);
  const end = offset + kept;
  const more = end < total;
  return { matches: matches.slice(0, kept), totalMatches: total, truncated: more, ...(more ? next(input, end) : {}) };
}

async function symbolsPage(input: RepoScanInput, services: Services, offset: number, budget: number): Promise<Page> {
  const { paths } = await listFiles(services.workspace, input);
  const candidates = paths.filter((path) => tagLanguageFor(path) !== undefined);
  if (input.path && !candidates.length) {
    throw new UserError(`no file with symbol support under "${input.path}"`, 'Symbols cover TypeScript, JavaScript, Python, Go, Rust, Java, C, C++, C#, Ruby and PHP');
  }
  const cache = TagCache.for(services.state);
  const files: NonNullable<Page['files']> = [];
  let remaining = budget;
  let position = offset;
  let parsed = 0;
  let cached = 0;
  let cutShort = false;
  // Parse only as many files as the page can show: a cold call on a huge tree stays cheap.
  while (position < candidates.length && remaining > 0) {
    const batch = candidates.slice(position, position + 8);
    const result = await cache.tagsFor(services.workspace.root, batch, services.signal);
    parsed += result.parsed;
    cached += result.cached;
    let consumed = 0;
    for (const path of batch) {
      const tags = result.tags.get(path);
      const file = { path, language: tags?.language ?? tagLanguageFor(path)!, symbols: tags?.symbols ?? [] };
      const cost = await countTokens(renderFileSymbols(file) + '\n');
      if (cost > remaining) {
        if (!files.length) {
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
    truncated: more || cutShort,
    parsedFiles: parsed,
    cachedFiles: cached,
    ...(more ? next(input, position) : {}),
  };
}

/** The last graph and rankings per workspace: a repeated or re-paged map costs only the stat pass. */
const mapMemo = new Map<string, { key: string; graph: MapGraph; rankings: Map<string, Ranking> }>();
const candidateMemo = new Map<string, { key: string; paths: string[] }>();
/** No page shows more files than this; definitions are ranked only for these. */
const MAP_FILE_LIMIT = 600;

async function mapPage(input: RepoScanInput, services: Services, offset: number, budget: number): Promise<Page> {
  const listing = await listFiles(services.workspace, input);
  const filterKey = `${listing.version}|${input.path ?? ''}|${input.glob ?? ''}`;
  let candidates = candidateMemo.get(services.state.dir)?.key === filterKey ? candidateMemo.get(services.state.dir)!.paths : undefined;
  if (!candidates) {
    candidates = listing.paths.filter((path) => tagLanguageFor(path) !== undefined && !provenanceOf(path));
    candidateMemo.set(services.state.dir, { key: filterKey, paths: candidates });
  }
  const focus = await Promise.all((input.focus ?? []).map(async (path) => services.workspace.relative(await services.workspace.resolve(path))));
  const { tags, parsed, cached, generation } = await TagCache.for(services.state).tagsFor(services.workspace.root, candidates, services.signal);

  const graphKey = `${filterKey}|${generation}`;
  let memo = mapMemo.get(services.state.dir);
  if (memo?.key !== graphKey) {
    memo = { key: graphKey, graph: buildGraph(tags), rankings: new Map() };
    mapMemo.set(services.state.dir, memo);
  }
  const mentioned = identifiersIn(input.query);
  const requestKey = JSON.stringify([focus, [...mentioned]]);
  let ranking = memo.rankings.get(requestKey);
  if (!ranking) {
    ranking = rankFiles(memo.graph, { focus, mentioned });
    if (memo.rankings.size >= 16) memo.rankings.clear();
    memo.rankings.set(requestKey, ranking);
  }
  // Entries are costed one line at a time as they are generated, so only what the page can
  // show is ranked and rendered; the joined text is checked once at the end.
  const shown: MapEntry[] = [];
  let used = 0;
  let position = 0;
  let more = false;
  for (const entry of mapEntries(ranking, MAP_FILE_LIMIT)) {
    if (position++ < offset) continue;
    const cost = await countTokens(renderMapEntry(entry) + '\n');
    if (used + cost > budget) {
      more = true;
      break;
    }
    used += cost;
    shown.push(entry);
  }
  while (shown.length && !(await fitsBudget(renderMap(shown), budget))) {
    shown.pop();
    more = true;
  }
  const low = shown.length;
  const shownPaths = new Set(shown.map((entry) => entry.path));
  return {
    map: renderMap(shown),
    files: ranking.files.filter((file) => shownPaths.has(file.path)).map((file) => ({ path: file.path, rank: Number(file.rank.toPrecision(4)) })),
    truncated: more,
    parsedFiles: parsed,
    cachedFiles: cached,
    ...(more ? next(input, offset + low) : {}),
  };
}

async function readPage(input: RepoScanInput, services: Services, offset: number, budget: number): Promise<Page> {
  if (!input.path) throw new UserError('read needs a path', 'Pass the file to read, relative to the root');
  const first = offset || input.startLine || 1;
  const file = await readLines(services.workspace, input.path, first, input.endLine);
  if (first > Math.max(1, file.totalLines)) {
    throw new UserError(`startLine ${first} is past the end of "${file.path}" (${file.totalLines} lines)`, `Pass a startLine from 1 to ${file.totalLines}`);
  }
  const numbered = file.lines.map((text, i) => ({ number: first + i, text }));
  const kept = await fitItems(numbered, renderReadLine, budget);
  const last = first + kept - 1;
  const requestedEnd = Math.min(input.endLine ?? file.totalLines, file.totalLines);
  const more = last < requestedEnd;
  return {
    path: file.path,
    startLine: first,
    endLine: Math.max(first, last),
    totalLines: file.totalLines,
    text: file.lines.slice(0, kept).join('\n'),
    truncated: more,
    ...(more ? next(input, last + 1) : {}),
  };
}
