import { NAME_PRIVATE, NAME_SPECIFIC, type NameTable } from './name-table.js';
import { MEMBER } from './tag-index.js';
import type { SymbolInfo } from './tags/index.js';

/**
 * An Aider-style repo map: PageRank over who uses whose definitions, personalised towards the
 * files in focus and the identifiers named in the query, says which files (and which of their
 * definitions) matter most for the task at hand.
 *
 * The graph is bipartite, files and names: a file points at each name it uses, weighted by how
 * much the use says, and a name points at the files defining it, which share what reaches it.
 * A name defined in D files and used in U files so costs D + U edges, never the D × U pairs of a
 * graph of files (which is what a walk through the name amounts to).
 * Rank also flows back, less of it, from a file to the files using its definitions: the code
 * around a focus file is what it uses and what uses it.
 *
 * Tests, examples, fixtures, benchmarks and docs (by path) rank below the library code they
 * exercise unless the task is about them (in focus, or named in the query): they use everything
 * and so would otherwise collect rank from the whole tree.
 *
 * The graph depends only on the tags, so it is built once per tag set and reused; a call pays
 * for the personalised PageRank and for ranking the definitions of the files it shows.
 */

export interface RankedFile {
  path: string;
  rank: number;
}

/** What the graph is built from: each file's uses (name id, count pairs) and definitions (name ids). */
export interface GraphFile {
  path: string;
  uses: Uint32Array;
  /** Name ids, MEMBER set for names the file defines only as members. */
  defines: Uint32Array;
}

const NAME_BITS = MEMBER - 1;

export interface GraphInput {
  files: readonly GraphFile[];
  names: Pick<NameTable, 'count' | 'flags' | 'idOf'>;
  symbolsOf(path: string): SymbolInfo[];
}

/** The graph's numbers: what graph-file.ts stores, and all the ranking reads. */
export interface GraphArrays {
  /** 1 for a test, example, fixture, benchmark or doc file (isAuxiliary). */
  auxiliary: Uint8Array;
  /** file -> names it uses (CSR) and the weight of each use. */
  useStart: Uint32Array;
  useName: Uint32Array;
  useWeight: Float32Array;
  /** name -> files using it: the same edges, transposed. */
  userStart: Uint32Array;
  userFile: Uint32Array;
  userWeight: Float32Array;
  /** name -> files defining it, and the share of the name's rank each gets (definerShareOf). */
  definerStart: Uint32Array;
  definerFile: Uint32Array;
  definerShare: Float32Array;
  /** file -> names it defines: the same edges, transposed. */
  defineStart: Uint32Array;
  defineName: Uint32Array;
  /** Per name: the sum of its definers' shares (auxiliary files take less), and of the weights of its uses by files that define something. */
  definerTotal: Float64Array;
  useTotal: Float64Array;
  /**
   * Per file: the weight of its uses, and of the uses of its definitions by files that define
   * something (rank flows back to those, not to scripts or barrels that only re-export).
   */
  outWeight: Float64Array;
  backWeight: Float64Array;
  definesSomething: Uint8Array;
  /** Per store name id: its graph name's number, or -1. */
  nameIndex: Int32Array;
  /** The uses each file kept, when the graph had to be limited (0: not limited). */
  usesPerFile: number;
}

export interface MapGraph extends GraphArrays {
  paths: readonly string[];
  index: Map<string, number>;
  /** A graph name's number, from its text. */
  nameOf(name: string): number | undefined;
  /** The files defining a name, whether or not another file uses it. */
  definersOf(name: string): readonly number[];
  symbolsOf(file: number): SymbolInfo[];
  /** Edges: uses plus definitions. */
  edges: number;
  /** Said in the result when the graph had to leave something out. */
  note?: string;
}

const DAMPING = 0.85;
const MAX_ITERATIONS = 100;
/**
 * L1 change per iteration and file below which the ranking is settled (ranks sum to 1), as
 * networkx's pagerank decides it: the order of the files that matter is settled long before the
 * tail's ranks are.
 */
const TOLERANCE_PER_FILE = 1e-6;
const MAX_TOLERANCE = 1e-4;
/** A name defined in more files than this is too generic to say much (`get`, `init`): it weighs COMMON/D. */
const COMMON_DEFINITION_FILES = 5;
const MENTION_FACTOR = 10;
/** The share of a file's rank that flows back to the files using its definitions. */
const BACK_SHARE = 0.3;
/** How much of what reaches a name an auxiliary definer gets, next to a library definer's 1. */
const AUXILIARY_SHARE = 0.1;
/** An auxiliary file's restart weight and final factor, unless the task is about it. */
const AUXILIARY_TELEPORT = 0.1;
/**
 * A method or field name is more often a property access or a local of the same name than a use
 * of that member: a member definer gets this share next to a top-level one, and a name only
 * members define weighs this much.
 */
const MEMBER_SHARE = 0.5;
const MEMBER_NAME_WEIGHT = 0.5;
/** Uses kept in a graph at most; past it each file keeps its most used names (and the result says so). */
export const MAX_GRAPH_USES = 12_000_000;

/** Tests, examples, fixtures, benchmarks and docs, by the paths conventions give them. */
export function isAuxiliary(path: string): boolean {
  return AUXILIARY_FOLDER.test(path) || AUXILIARY_FILE.test(path.slice(path.lastIndexOf('/') + 1));
}
const AUXILIARY_FOLDER =
  /(^|\/)(tests?|__tests__|__mocks__|spec|specs|testdata|test_?data|fixtures?|examples?|samples?|demos?|benchmarks?|bench|benches|docs?)\//i;
const AUXILIARY_FILE = /^(.*[._-](test|spec|bench)\.[^.]+|test_.*\.py|.*_test\.(go|py|rb|rs)|conftest\.py)$/i;

/** What a file defining a name gets of the rank reaching the name, next to a library file's top-level definition. */
function definerShareOf(auxiliary: boolean, member: boolean): number {
  return (auxiliary ? AUXILIARY_SHARE : 1) * (member ? MEMBER_SHARE : 1);
}

function nameWeight(flags: number, definers: number, topLevel: boolean): number {
  let weight = topLevel ? 1 : MEMBER_NAME_WEIGHT;
  if (flags & NAME_PRIVATE) weight *= 0.1;
  if (flags & NAME_SPECIFIC) weight *= 2;
  if (definers > COMMON_DEFINITION_FILES) weight *= COMMON_DEFINITION_FILES / definers;
  return weight;
}

export function buildGraph(input: GraphInput, options: { maxUses?: number } = {}): MapGraph {
  const maxUses = options.maxUses ?? MAX_GRAPH_USES;
  const files = input.files;
  const fileCount = files.length;
  const nameCount = input.names.count;
  const flags = input.names.flags;
  const auxiliary = Uint8Array.from(files, (file) => (isAuxiliary(file.path) ? 1 : 0));

  // Which uses link files: of a name some file defines, and not the using file itself (a name a
  // file defines means that definition there, whoever else defines it too).
  const definedBy = new Uint32Array(nameCount);
  for (const file of files) for (const entry of file.defines) definedBy[entry & NAME_BITS]!++;
  const ownedBy = new Int32Array(nameCount);
  const own = (f: number): void => {
    for (const entry of files[f]!.defines) ownedBy[entry & NAME_BITS] = f + 1;
  };
  const linking = (id: number, f: number): boolean => definedBy[id]! > 0 && ownedBy[id] !== f + 1;
  const useCounts = new Uint32Array(fileCount);
  let uses = 0;
  files.forEach((file, f) => {
    own(f);
    for (let i = 0; i < file.uses.length; i += 2) if (linking(file.uses[i]!, f)) useCounts[f]!++;
    uses += useCounts[f]!;
  });
  const perFile = uses > maxUses ? usesPerFileWithin(useCounts, maxUses) : Number.POSITIVE_INFINITY;

  const nameIndex = new Int32Array(nameCount).fill(-1);
  let graphNames = 0;
  const useStart = new Uint32Array(fileCount + 1);
  for (let f = 0; f < fileCount; f++) useStart[f + 1] = useStart[f]! + Math.min(useCounts[f]!, perFile);
  const useName = new Uint32Array(useStart[fileCount]!);
  const useCount = new Float64Array(useName.length);
  const addUse = (id: number, count: number, e: number): void => {
    if (nameIndex[id] === -1) nameIndex[id] = graphNames++;
    useName[e] = nameIndex[id]!;
    useCount[e] = count;
  };
  files.forEach((file, f) => {
    own(f);
    let e = useStart[f]!;
    if (useCounts[f]! <= perFile) {
      for (let i = 0; i < file.uses.length; i += 2) if (linking(file.uses[i]!, f)) addUse(file.uses[i]!, file.uses[i + 1]!, e++);
    } else {
      for (const [id, count] of mostUsed(file.uses, (id) => linking(id, f), perFile)) addUse(id, count, e++);
    }
  });

  // name -> definers, and file -> the graph names it defines.
  const definerStart = new Uint32Array(graphNames + 1);
  const defineStart = new Uint32Array(fileCount + 1);
  files.forEach((file, f) => {
    defineStart[f + 1] = defineStart[f]!;
    for (const entry of file.defines) {
      if (nameIndex[entry & NAME_BITS]! < 0) continue;
      definerStart[nameIndex[entry & NAME_BITS]! + 1]!++;
      defineStart[f + 1]!++;
    }
  });
  for (let n = 0; n < graphNames; n++) definerStart[n + 1]! += definerStart[n]!;
  const definerFile = new Uint32Array(definerStart[graphNames]!);
  const definerShare = new Float32Array(definerFile.length);
  const defineName = new Uint32Array(defineStart[fileCount]!);
  const definerFill = definerStart.slice(0, graphNames);
  const definerTotal = new Float64Array(graphNames);
  /** Per name: 1 when some file defines it at the top level, not only as a member. */
  const topLevel = new Uint8Array(graphNames);
  files.forEach((file, f) => {
    let e = defineStart[f]!;
    for (const entry of file.defines) {
      const n = nameIndex[entry & NAME_BITS]!;
      if (n < 0) continue;
      const member = entry >= MEMBER;
      const share = definerShareOf(auxiliary[f] === 1, member);
      definerShare[definerFill[n]!] = share;
      definerFile[definerFill[n]!++] = f;
      defineName[e++] = n;
      definerTotal[n]! += share;
      if (!member) topLevel[n] = 1;
    }
  });

  // Weights, now that each name's number of definers is known; then the uses transposed.
  const storeId = new Uint32Array(graphNames);
  for (let id = 0; id < nameCount; id++) if (nameIndex[id]! >= 0) storeId[nameIndex[id]!] = id;
  const useWeight = new Float32Array(useName.length);
  const outWeight = new Float64Array(fileCount);
  const useTotal = new Float64Array(graphNames);
  const userStart = new Uint32Array(graphNames + 1);
  for (let f = 0; f < fileCount; f++) {
    for (let e = useStart[f]!; e < useStart[f + 1]!; e++) {
      const n = useName[e]!;
      const weight = nameWeight(flags[storeId[n]!]!, definerStart[n + 1]! - definerStart[n]!, topLevel[n] === 1) * Math.sqrt(useCount[e]!);
      useWeight[e] = weight;
      outWeight[f]! += useWeight[e]!; // as stored, so a file's shares add up to 1
      if (files[f]!.defines.length) useTotal[n]! += useWeight[e]!;
      userStart[n + 1]!++;
    }
  }
  for (let n = 0; n < graphNames; n++) userStart[n + 1]! += userStart[n]!;
  const userFile = new Uint32Array(useName.length);
  const userWeight = new Float32Array(useName.length);
  const userFill = userStart.slice(0, graphNames);
  for (let f = 0; f < fileCount; f++) {
    for (let e = useStart[f]!; e < useStart[f + 1]!; e++) {
      const slot = userFill[useName[e]!]!++;
      userFile[slot] = f;
      userWeight[slot] = useWeight[e]!;
    }
  }
  const backWeight = new Float64Array(fileCount);
  for (let f = 0; f < fileCount; f++) for (let e = defineStart[f]!; e < defineStart[f + 1]!; e++) backWeight[f]! += useTotal[defineName[e]!]!;

  const arrays: GraphArrays = {
    auxiliary,
    useStart,
    useName,
    useWeight,
    userStart,
    userFile,
    userWeight,
    definerStart,
    definerFile,
    definerShare,
    defineStart,
    defineName,
    definerTotal,
    useTotal,
    outWeight,
    backWeight,
    definesSomething: Uint8Array.from(files, (file) => (file.defines.length ? 1 : 0)),
    nameIndex,
    usesPerFile: Number.isFinite(perFile) ? perFile : 0,
  };
  return graphOver(arrays, input, maxUses);
}

/** The graph of `arrays` (built, or read back from the state dir) over the files of `input`. */
export function graphOver(arrays: GraphArrays, input: GraphInput, maxUses = MAX_GRAPH_USES): MapGraph {
  const { files, names } = input;
  const { nameIndex, definerFile, definerStart } = arrays;
  const paths = files.map((file) => file.path);
  return {
    ...arrays,
    paths,
    index: new Map(paths.map((path, i) => [path, i])),
    nameOf: (name) => {
      const id = names.idOf(name);
      const n = id === undefined ? -1 : nameIndex[id]!;
      return n >= 0 ? n : undefined;
    },
    definersOf: (name) => {
      const id = names.idOf(name);
      if (id === undefined) return [];
      if (nameIndex[id]! >= 0) return Array.from(definerFile.subarray(definerStart[nameIndex[id]!]!, definerStart[nameIndex[id]! + 1]!));
      const found: number[] = [];
      files.forEach((file, f) => {
        if (file.defines.includes(id) || file.defines.includes((id | MEMBER) >>> 0)) found.push(f);
      });
      return found;
    },
    symbolsOf: (file) => input.symbolsOf(paths[file]!),
    edges: arrays.useName.length + definerFile.length,
    ...(arrays.usesPerFile
      ? {
          note: `the map's graph is limited to ${maxUses} name uses: each file counts its ${arrays.usesPerFile} most used names; pass path or glob to map a part in full`,
        }
      : {}),
  };
}

/** The largest k such that keeping at most k uses per file keeps at most `limit` in all. */
function usesPerFileWithin(counts: Uint32Array, limit: number): number {
  let low = 0;
  let high = counts.reduce((max, count) => Math.max(max, count), 0);
  while (low < high) {
    const k = Math.ceil((low + high) / 2);
    let total = 0;
    for (const count of counts) total += Math.min(count, k);
    if (total <= limit) low = k;
    else high = k - 1;
  }
  return low;
}

/** A file's `limit` most used linking names, as [name id, count]. */
function mostUsed(uses: Uint32Array, linking: (id: number) => boolean, limit: number): Array<[number, number]> {
  const kept: Array<[number, number]> = [];
  for (let i = 0; i < uses.length; i += 2) if (linking(uses[i]!)) kept.push([uses[i]!, uses[i + 1]!]);
  return kept.sort((a, b) => b[1] - a[1]).slice(0, limit);
}

export interface RankRequest {
  focus: readonly string[];
  /** Identifiers named in the query. */
  mentioned: ReadonlySet<string>;
}

export interface Ranking {
  graph: MapGraph;
  /** All files, best first (sorted on first use). */
  readonly files: RankedFile[];
  /** The `count` best files, best first: what a page needs, without sorting the whole tree. */
  top(count: number): RankedFile[];
  /** Per file, its PageRank. */
  rank: Float64Array;
  /** Per file, where the map puts it (higher first): its tier (focus, named, library, auxiliary) plus its rank. */
  score: Float64Array;
  /** Per graph name, the rank that reached it: what its definitions are worth. */
  nameRank: Float64Array;
}

/** The ranking for `request`; `computed` is its PageRank when known already (the stored one, graph-file.ts). */
export function rankFiles(graph: MapGraph, request: RankRequest, computed?: { rank: Float64Array; nameRank: Float64Array }): Ranking {
  const size = graph.paths.length;
  const mentioned = new Map<number, number>();
  for (const name of request.mentioned) {
    const n = graph.nameOf(name);
    if (n !== undefined) mentioned.set(n, MENTION_FACTOR);
  }
  // The query's names weigh MENTION_FACTOR times more: their users' weights grow by that much.
  let outWeight = graph.outWeight;
  if (mentioned.size) {
    outWeight = Float64Array.from(graph.outWeight);
    for (const [n, factor] of mentioned) {
      for (let e = graph.userStart[n]!; e < graph.userStart[n + 1]!; e++) outWeight[graph.userFile[e]!]! += (factor - 1) * graph.userWeight[e]!;
    }
  }
  const { about, named } = filesAbout(graph, request);
  const personal = personalisation(graph, about);
  const { rank, nameRank } = computed ?? pageRank(graph, outWeight, mentioned, personal);
  // The focus files head the map whatever their rank: the task is about them; then the files the
  // query names precisely; then library code (and the files the task is otherwise about); then
  // tests, examples and the like. Ranks sum to 1, so tier + rank orders by tier first.
  const score = new Float64Array(size);
  for (let i = 0; i < size; i++) score[i] = (named[i] ? 2 : graph.auxiliary[i] && !about[i] ? 0 : 1) + rank[i]!;
  for (const path of request.focus) if (graph.index.has(path)) score[graph.index.get(path)!]! += 3;
  const better = (a: number, b: number): number => score[b]! - score[a]! || a - b; // ties in path order
  const ranked = (indices: ArrayLike<number>): RankedFile[] => Array.from(indices, (i) => ({ path: graph.paths[i]!, rank: rank[i]! }));
  let all: RankedFile[] | undefined;
  return {
    graph,
    rank,
    score,
    nameRank,
    get files() {
      all ??= ranked(Uint32Array.from({ length: size }, (_, i) => i).sort(better));
      return all;
    },
    top(count) {
      if (all || count >= size) return this.files.slice(0, count);
      // The count-th best score, from a native sort of the scores; then only the files at or above it.
      const threshold = Float64Array.from(score).sort()[size - count]!;
      const best: number[] = [];
      for (let i = 0; i < size; i++) if (score[i]! >= threshold) best.push(i);
      return ranked(best.sort(better).slice(0, count));
    },
  };
}

/** A query word names files precisely when at most this many define it, or have it as their name. */
const PRECISE_FILES = 3;

/**
 * The files the task is about, by weight (`about`): focus files the most; files named in the
 * query, or defining a name it mentions, next; 0 for the rest. `named`: the files a query word
 * names precisely (PRECISE_FILES).
 */
function filesAbout(graph: MapGraph, request: RankRequest): { about: Float64Array; named: Uint8Array } {
  const size = graph.paths.length;
  const about = new Float64Array(size);
  const named = new Uint8Array(size);
  const boost = size || 1;
  for (const path of request.focus) {
    const i = graph.index.get(path);
    if (i !== undefined) about[i] = boost;
  }
  const byWord = new Map<string, number[]>();
  for (const name of request.mentioned) byWord.set(name, [...graph.definersOf(name)]);
  if (request.mentioned.size) {
    graph.paths.forEach((path, i) => {
      const stem = path.slice(path.lastIndexOf('/') + 1).replace(/\..*$/, '');
      if (request.mentioned.has(stem)) byWord.get(stem)!.push(i);
    });
  }
  for (const files of byWord.values()) {
    for (const f of files) {
      about[f]! += boost / 2;
      if (files.length <= PRECISE_FILES) named[f] = 1;
    }
  }
  return { about, named };
}

/** Where the random surfer restarts: the files the task is about, then library files, then the rest. */
function personalisation(graph: MapGraph, about: Float64Array): Float64Array {
  const weights = new Float64Array(about.length);
  let total = 0;
  for (let i = 0; i < about.length; i++) {
    weights[i] = about[i]! || (graph.auxiliary[i] ? AUXILIARY_TELEPORT : 1);
    total += weights[i]!;
  }
  for (let i = 0; i < weights.length; i++) weights[i]! /= total;
  return weights;
}

/**
 * Power iteration over the bipartite graph, each step passing through the names: files hand rank
 * to the names they use, names to their definers; and, BACK_SHARE of it, files to the names they
 * define and names to their users. Files with neither hand their rank back through the
 * personalisation.
 */
function pageRank(
  graph: MapGraph,
  outWeight: Float64Array,
  mentioned: ReadonlyMap<number, number>,
  personal: Float64Array,
): { rank: Float64Array; nameRank: Float64Array } {
  const size = graph.paths.length;
  const names = graph.definerTotal.length;
  const {
    useStart,
    useName,
    useWeight,
    userStart,
    userFile,
    userWeight,
    definerStart,
    definerFile,
    definerShare,
    defineStart,
    defineName,
    definerTotal,
    backWeight,
    definesSomething,
  } = graph;
  const factor = new Float64Array(names).fill(1);
  for (const [n, f] of mentioned) factor[n] = f;
  let rank = Float64Array.from(personal);
  let next = new Float64Array(size);
  const forward = new Float64Array(names);
  const back = new Float64Array(names);
  for (let iteration = 0; iteration < MAX_ITERATIONS && size; iteration++) {
    forward.fill(0);
    back.fill(0);
    next.fill(0);
    let dangling = 0;
    for (let f = 0; f < size; f++) {
      const r = rank[f]!;
      const out = outWeight[f]!;
      const backOut = backWeight[f]!;
      if (out === 0 && backOut === 0) {
        dangling += r;
        continue;
      }
      const forwardShare = out === 0 ? 0 : backOut === 0 ? 1 : 1 - BACK_SHARE;
      if (forwardShare) {
        const s = (r * forwardShare) / out;
        for (let e = useStart[f]!; e < useStart[f + 1]!; e++) forward[useName[e]!]! += s * useWeight[e]! * factor[useName[e]!]!;
      }
      if (forwardShare < 1) {
        const s = (r * (1 - forwardShare)) / backOut;
        for (let e = defineStart[f]!; e < defineStart[f + 1]!; e++) back[defineName[e]!]! += s;
      }
    }
    for (let n = 0; n < names; n++) {
      const reached = forward[n]!;
      if (reached) {
        const share = reached / definerTotal[n]!;
        for (let e = definerStart[n]!; e < definerStart[n + 1]!; e++) next[definerFile[e]!]! += share * definerShare[e]!;
      }
      const returned = back[n]!;
      if (returned) {
        for (let e = userStart[n]!; e < userStart[n + 1]!; e++) if (definesSomething[userFile[e]!]) next[userFile[e]!]! += returned * userWeight[e]!;
      }
    }
    let change = 0;
    const restart = 1 - DAMPING + DAMPING * dangling;
    for (let i = 0; i < size; i++) {
      next[i] = DAMPING * next[i]! + restart * personal[i]!;
      change += Math.abs(next[i]! - rank[i]!);
    }
    [rank, next] = [next, rank];
    if (change < Math.min(TOLERANCE_PER_FILE * size, MAX_TOLERANCE)) break;
  }
  return { rank, nameRank: forward };
}

/** A file's definitions, ranked by the share of rank that reaches the file through each one. */
export function rankedSymbols(ranking: Ranking, fileIndex: number): Array<SymbolInfo & { rank: number }> {
  const { graph, nameRank } = ranking;
  return graph
    .symbolsOf(fileIndex)
    .map((symbol) => {
      const n = graph.nameOf(symbol.name);
      const share = definerShareOf(graph.auxiliary[fileIndex] === 1, symbol.container !== undefined);
      return { ...symbol, rank: n === undefined ? 0 : (nameRank[n]! * share) / graph.definerTotal[n]! };
    })
    .sort((a, b) => b.rank - a.rank || a.line - b.line);
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
 * by its best definitions. Only the files a page reaches get their definitions read and ranked.
 */
export function* mapEntries(ranking: Ranking, fileLimit: number): Generator<MapEntry> {
  for (const file of ranking.top(fileLimit)) {
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
