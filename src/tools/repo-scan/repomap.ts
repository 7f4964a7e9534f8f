import type { FileTags, SymbolInfo } from './tags/index.js';

/**
 * An Aider-style repo map: files are nodes, and a file that uses an identifier points at
 * the files that define it. PageRank, personalised towards the files in focus and the
 * identifiers named in the query, says which files (and which of their definitions) matter
 * most for the task at hand.
 *
 * The graph depends only on the tags, so it is built once per tag set and reused; a call
 * pays for the personalised PageRank and for ranking the definitions of the files it shows.
 */

export interface RankedFile {
  path: string;
  rank: number;
}

export interface MapGraph {
  paths: string[];
  tags: FileTags[];
  index: Map<string, number>;
  /** identifier -> files defining it */
  definers: Map<string, number[]>;
  /** identifier -> [file, uses] of files referencing it */
  referrers: Map<string, Array<[number, number]>>;
  /** Edges with every identifier between the same two files folded into one weight. */
  src: Int32Array;
  dst: Int32Array;
  weight: Float64Array;
}

const DAMPING = 0.85;
const MAX_ITERATIONS = 60;
/** L1 change per iteration below which the ranking is settled (ranks sum to 1). */
const TOLERANCE = 1e-7;
/** An identifier defined in more files than this is too generic to say much (`get`, `init`). */
const COMMON_DEFINITION_FILES = 5;
const MENTION_FACTOR = 10;

/** The weight of one identifier as an edge label, before the query's mentions. */
function identifierWeight(name: string, definingFiles: number): number {
  let weight = 1;
  if (name.startsWith('_')) weight *= 0.1; // private by convention
  if (definingFiles > COMMON_DEFINITION_FILES) weight *= 1 / definingFiles; // damp identifiers many files define
  if (name.length >= 8 && /[a-z][A-Z]|_[a-z]/.test(name)) weight *= 2; // specific names carry more meaning
  return weight;
}

export function buildGraph(tagsByPath: ReadonlyMap<string, FileTags>): MapGraph {
  const paths = [...tagsByPath.keys()].sort();
  const tags = paths.map((path) => tagsByPath.get(path)!);
  const index = new Map(paths.map((path, i) => [path, i]));
  const definers = new Map<string, number[]>();
  tags.forEach((fileTags, i) => {
    for (const { name } of fileTags.symbols) {
      const list = definers.get(name);
      if (!list) definers.set(name, [i]);
      else if (list[list.length - 1] !== i) list.push(i);
    }
  });
  const referrers = new Map<string, Array<[number, number]>>();
  const folded = new Map<number, number>(); // src * paths.length + dst -> weight
  tags.forEach((fileTags, src) => {
    for (const name in fileTags.references) {
      const targets = definers.get(name);
      if (!targets) continue;
      const uses = fileTags.references[name]!;
      const list = referrers.get(name);
      if (list) list.push([src, uses]);
      else referrers.set(name, [[src, uses]]);
      const weight = identifierWeight(name, targets.length) * Math.sqrt(uses);
      for (const dst of targets) {
        if (dst === src) continue;
        const key = src * paths.length + dst;
        folded.set(key, (folded.get(key) ?? 0) + weight);
      }
    }
  });
  const src = new Int32Array(folded.size);
  const dst = new Int32Array(folded.size);
  const weight = new Float64Array(folded.size);
  let e = 0;
  for (const [key, w] of folded) {
    src[e] = Math.floor(key / paths.length);
    dst[e] = key % paths.length;
    weight[e++] = w;
  }
  return { paths, tags, index, definers, referrers, src, dst, weight };
}

export interface RankRequest {
  focus: readonly string[];
  /** Identifiers named in the query. */
  mentioned: ReadonlySet<string>;
}

export interface Ranking {
  graph: MapGraph;
  /** Files, best first. */
  files: RankedFile[];
  rank: Float64Array;
  outWeight: Float64Array;
  mentioned: ReadonlySet<string>;
}

export function rankFiles(graph: MapGraph, request: RankRequest): Ranking {
  const size = graph.paths.length;
  // The query's identifiers weigh MENTION_FACTOR times more: extra edges on top of the graph.
  const extra: Array<[number, number, number]> = [];
  for (const name of request.mentioned) {
    const targets = graph.definers.get(name);
    if (!targets) continue;
    for (const [src, uses] of graph.referrers.get(name) ?? []) {
      const weight = (MENTION_FACTOR - 1) * identifierWeight(name, targets.length) * Math.sqrt(uses);
      for (const dst of targets) if (dst !== src) extra.push([src, dst, weight]);
    }
  }
  const outWeight = new Float64Array(size);
  for (let e = 0; e < graph.src.length; e++) outWeight[graph.src[e]!]! += graph.weight[e]!;
  for (const [src, , weight] of extra) outWeight[src]! += weight;

  const personal = personalisation(graph, request);
  const rank = pageRank(graph, extra, outWeight, personal);
  const files = graph.paths.map((path, i) => ({ path, rank: rank[i]! })).sort((a, b) => b.rank - a.rank || (a.path < b.path ? -1 : 1));
  return { graph, files, rank, outWeight, mentioned: request.mentioned };
}

/**
 * Where the random surfer restarts: focus files weigh most; files named in the query, or
 * defining an identifier it names, next.
 */
function personalisation(graph: MapGraph, request: RankRequest): Float64Array {
  const size = graph.paths.length;
  const weights = new Float64Array(size).fill(1);
  const boost = size || 1;
  for (const path of request.focus) {
    const i = graph.index.get(path);
    if (i !== undefined) weights[i] = boost;
  }
  for (const name of request.mentioned) for (const i of graph.definers.get(name) ?? []) weights[i]! += boost / 2;
  if (request.mentioned.size) {
    graph.paths.forEach((path, i) => {
      const stem = path.slice(path.lastIndexOf('/') + 1).replace(/\..*$/, '');
      if (request.mentioned.has(stem)) weights[i]! += boost / 2;
    });
  }
  let total = 0;
  for (const w of weights) total += w;
  return weights.map((w) => w / total);
}

/** Power iteration; files that point nowhere hand their rank back through the personalisation. */
function pageRank(graph: MapGraph, extra: ReadonlyArray<[number, number, number]>, outWeight: Float64Array, personal: Float64Array): Float64Array {
  const size = graph.paths.length;
  if (size === 0) return new Float64Array(0);
  const share = new Float64Array(graph.src.length);
  for (let e = 0; e < share.length; e++) share[e] = graph.weight[e]! / outWeight[graph.src[e]!]!;
  let rank = Float64Array.from(personal);
  let next = new Float64Array(size);
  for (let iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
    next.fill(0);
    let dangling = 0;
    for (let i = 0; i < size; i++) if (outWeight[i] === 0) dangling += rank[i]!;
    for (let e = 0; e < share.length; e++) next[graph.dst[e]!]! += DAMPING * rank[graph.src[e]!]! * share[e]!;
    for (const [src, dst, weight] of extra) next[dst]! += (DAMPING * rank[src]! * weight) / outWeight[src]!;
    let change = 0;
    for (let i = 0; i < size; i++) {
      next[i]! += (1 - DAMPING + DAMPING * dangling) * personal[i]!;
      change += Math.abs(next[i]! - rank[i]!);
    }
    [rank, next] = [next, rank];
    if (change < TOLERANCE) break;
  }
  return rank;
}

/** A file's definitions, ranked by the share of rank that reaches the file through each one. */
export function rankedSymbols(ranking: Ranking, fileIndex: number): Array<SymbolInfo & { rank: number }> {
  const { graph, rank, outWeight, mentioned } = ranking;
  return graph.tags[fileIndex]!.symbols.map((symbol) => {
    const targets = graph.definers.get(symbol.name)?.length ?? 1;
    const base = identifierWeight(symbol.name, targets) * (mentioned.has(symbol.name) ? MENTION_FACTOR : 1);
    let score = 0;
    for (const [src, uses] of graph.referrers.get(symbol.name) ?? []) {
      if (src !== fileIndex) score += (rank[src]! * base * Math.sqrt(uses)) / outWeight[src]!;
    }
    return { ...symbol, rank: score };
  }).sort((a, b) => b.rank - a.rank || a.line - b.line);
}

/** Identifiers named in a free-text query. */
export function identifiersIn(query: string | undefined): Set<string> {
  return new Set(query?.match(/[A-Za-z_$][\w$]*/g) ?? []);
}

/** At most this many definitions per file: the map shows many files briefly, not a few in full. */
const SYMBOLS_PER_FILE = 8;

export interface MapEntry {
  path: string;
  symbol?: SymbolInfo;
}

/**
 * The map's entries in the order they are given up, lazily: each file (best first) followed
 * by its best definitions. Only the files a page reaches get their definitions ranked.
 */
export function* mapEntries(ranking: Ranking, fileLimit: number): Generator<MapEntry> {
  for (const file of ranking.files.slice(0, fileLimit)) {
    yield { path: file.path };
    const symbols = rankedSymbols(ranking, ranking.graph.index.get(file.path)!).slice(0, SYMBOLS_PER_FILE);
    for (const symbol of symbols) yield { path: file.path, symbol };
  }
}

/** One entry's line in the map. */
export function renderMapEntry(entry: MapEntry): string {
  if (!entry.symbol) return entry.path + ':';
  return `  ${String(entry.symbol.line).padStart(5)}│ ${entry.symbol.signature ?? `${entry.symbol.kind} ${entry.symbol.name}`}`;
}

/** The map text of some entries: grouped by file, each file's definitions in line order. */
export function renderMap(entries: readonly MapEntry[]): string {
  const byFile = new Map<string, MapEntry[]>();
  for (const entry of entries) {
    const list = byFile.get(entry.path) ?? [];
    if (entry.symbol) list.push(entry);
    byFile.set(entry.path, list);
  }
  return [...byFile]
    .map(([path, symbols]) => [renderMapEntry({ path }), ...symbols.sort((a, b) => a.symbol!.line - b.symbol!.line).map(renderMapEntry)].join('\n'))
    .join('\n');
}
