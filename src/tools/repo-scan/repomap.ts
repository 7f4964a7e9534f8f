import type { FileTags, SymbolInfo } from './tags.js';

/**
 * An Aider-style repo map: files are nodes, and a file that uses an identifier points at
 * the files that define it. PageRank, personalised towards the files in focus and the
 * identifiers named in the query, says which files (and which of their definitions) matter
 * most for the task at hand.
 */

export interface RankInput {
  tags: ReadonlyMap<string, FileTags>;
  focus: readonly string[];
  /** Identifiers named in the query. */
  mentioned: ReadonlySet<string>;
}

export interface RankedFile {
  path: string;
  rank: number;
  /** This file's definitions, most referenced (rank-weighted) first. */
  symbols: Array<SymbolInfo & { rank: number }>;
}

const DAMPING = 0.85;
const MAX_ITERATIONS = 100;
const TOLERANCE = 1e-9;
/** An identifier defined in more files than this is too generic to say much (`get`, `init`). */
const COMMON_DEFINITION_FILES = 5;

/** The weight of one identifier as an edge label. */
function identifierWeight(name: string, definingFiles: number, mentioned: ReadonlySet<string>): number {
  let weight = 1;
  if (mentioned.has(name)) weight *= 10;
  if (name.startsWith('_')) weight *= 0.1; // private by convention
  if (definingFiles > COMMON_DEFINITION_FILES) weight *= 1 / definingFiles; // damp identifiers many files define
  if (name.length >= 8 && /[a-z][A-Z]|_[a-z]/.test(name)) weight *= 2; // specific names carry more meaning
  return weight;
}

export function rankFiles(input: RankInput): RankedFile[] {
  const paths = [...input.tags.keys()].sort();
  const index = new Map(paths.map((path, i) => [path, i]));
  const definers = new Map<string, number[]>();
  paths.forEach((path, i) => {
    for (const name of new Set(input.tags.get(path)!.symbols.map((s) => s.name))) {
      const list = definers.get(name) ?? [];
      list.push(i);
      definers.set(name, list);
    }
  });

  // Edges src -> dst, with the identifier that links them, weighted by sqrt(uses).
  const edges: Array<{ src: number; dst: number; name: string; weight: number }> = [];
  paths.forEach((path, src) => {
    for (const [name, count] of Object.entries(input.tags.get(path)!.references)) {
      const targets = definers.get(name);
      if (!targets) continue;
      const weight = identifierWeight(name, targets.length, input.mentioned) * Math.sqrt(count);
      for (const dst of targets) if (dst !== src) edges.push({ src, dst, name, weight });
    }
  });

  const personal = personalisation(paths, index, input);
  const rank = pageRank(paths.length, edges, personal);

  // A definition's rank: the share of rank that flows to its file through its identifier.
  const outWeight = new Float64Array(paths.length);
  for (const edge of edges) outWeight[edge.src]! += edge.weight;
  const definitionRank = new Map<string, number>(); // `${dst}\0${name}`
  for (const edge of edges) {
    const key = `${edge.dst}\0${edge.name}`;
    definitionRank.set(key, (definitionRank.get(key) ?? 0) + (rank[edge.src]! * edge.weight) / outWeight[edge.src]!);
  }

  return paths
    .map((path, i) => ({
      path,
      rank: rank[i]!,
      symbols: input.tags
        .get(path)!
        .symbols.map((symbol) => ({ ...symbol, rank: definitionRank.get(`${i}\0${symbol.name}`) ?? 0 }))
        .sort((a, b) => b.rank - a.rank || a.line - b.line),
    }))
    .sort((a, b) => b.rank - a.rank || (a.path < b.path ? -1 : 1));
}

/**
 * Where the random surfer restarts: focus files weigh most; files named in the query, or
 * defining an identifier it names, next.
 */
function personalisation(paths: readonly string[], index: ReadonlyMap<string, number>, input: RankInput): Float64Array {
  const weights = new Float64Array(paths.length).fill(1);
  const boost = paths.length || 1;
  for (const path of input.focus) {
    const i = index.get(path);
    if (i !== undefined) weights[i] = boost;
  }
  if (input.mentioned.size) {
    paths.forEach((path, i) => {
      const stem = path.slice(path.lastIndexOf('/') + 1).replace(/\..*$/, '');
      const definesMentioned = input.tags.get(path)!.symbols.some((s) => input.mentioned.has(s.name));
      if (input.mentioned.has(stem) || definesMentioned) weights[i]! += boost / 2;
    });
  }
  const total = weights.reduce((sum, w) => sum + w, 0);
  return weights.map((w) => w / total);
}

/** Power iteration; dangling files hand their rank back through the personalisation. */
export function pageRank(
  size: number,
  edges: ReadonlyArray<{ src: number; dst: number; weight: number }>,
  personal: Float64Array,
): Float64Array {
  if (size === 0) return new Float64Array(0);
  const outWeight = new Float64Array(size);
  for (const edge of edges) outWeight[edge.src]! += edge.weight;
  let rank = Float64Array.from(personal);
  for (let iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
    const next = new Float64Array(size);
    let dangling = 0;
    for (let i = 0; i < size; i++) if (outWeight[i] === 0) dangling += rank[i]!;
    for (const edge of edges) next[edge.dst]! += (DAMPING * rank[edge.src]! * edge.weight) / outWeight[edge.src]!;
    let change = 0;
    for (let i = 0; i < size; i++) {
      next[i]! += (1 - DAMPING + DAMPING * dangling) * personal[i]!;
      change += Math.abs(next[i]! - rank[i]!);
    }
    rank = next;
    if (change < TOLERANCE) break;
  }
  return rank;
}

/** Identifiers named in a free-text query. */
export function identifiersIn(query: string | undefined): Set<string> {
  return new Set(query?.match(/[A-Za-z_$][\w$]*/g) ?? []);
}

/**
 * The map text for `count` entries of the ranking from `start`, where an entry is a file
 * header or one definition; definitions are taken in global rank order and shown grouped
 * by file, in file-rank order, each file's definitions in line order.
 */
export function renderMap(ranked: readonly RankedFile[], start: number, count: number): { text: string; files: RankedFile[] } {
  const picks = mapEntries(ranked).slice(start, start + count);
  const chosen = new Map<string, SymbolInfo[]>();
  for (const pick of picks) {
    const list = chosen.get(pick.file.path) ?? [];
    if (pick.symbol) list.push(pick.symbol);
    chosen.set(pick.file.path, list);
  }
  const files = ranked.filter((file) => chosen.has(file.path));
  const text = files
    .map((file) => {
      const symbols = chosen.get(file.path)!.sort((a, b) => a.line - b.line);
      return [file.path + ':', ...symbols.map((s) => `  ${String(s.line).padStart(5)}│ ${s.signature ?? `${s.kind} ${s.name}`}`)].join('\n');
    })
    .join('\n');
  return { text, files };
}

/** Number of entries `renderMap` can take from. */
export function mapEntryCount(ranked: readonly RankedFile[]): number {
  return mapEntries(ranked).length;
}

type Entry = { file: RankedFile; symbol?: SymbolInfo; score: number };
const entryCache = new WeakMap<readonly RankedFile[], Entry[]>();

function mapEntries(ranked: readonly RankedFile[]): Entry[] {
  let entries = entryCache.get(ranked);
  if (!entries) {
    entries = [];
    for (const file of ranked) {
      // The file header scores as its best definition, so it always precedes its definitions.
      const best = file.symbols.reduce((max, s) => Math.max(max, s.rank), file.rank);
      entries.push({ file, score: best + 1e-12 });
      for (const symbol of file.symbols) entries.push({ file, symbol, score: Math.max(symbol.rank, file.rank * 1e-3) });
    }
    entries.sort((a, b) => b.score - a.score || (a.file.path < b.file.path ? -1 : 1) || (a.symbol ? 1 : 0) - (b.symbol ? 1 : 0));
    entryCache.set(ranked, entries);
  }
  return entries;
}
