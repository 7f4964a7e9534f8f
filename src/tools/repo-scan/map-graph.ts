import type { ToolContext } from '../../core/context.js';
import { comparePaths, listFiles } from '../../core/files.js';
import { provenanceOf } from './languages.js';
import { graphKey, readGraph, writeGraph, type GraphKey } from './graph-file.js';
import { buildGraph, graphOver, isAuxiliary, rankFiles, type GraphFile, type GraphInput, type MapGraph, type Ranking, type RankRequest } from './repomap.js';
import type { Skipped } from './skipped.js';
import { TagCache } from './tag-cache.js';
import { tagLanguageFor } from './tags/index.js';

export type MapServices = Pick<ToolContext, 'workspace' | 'state'> & Partial<Pick<ToolContext, 'signal' | 'progress'>>;

export interface CurrentGraph {
  graph: MapGraph;
  /** Files parsed for this call, and found unchanged. */
  parsed: number;
  cached: number;
  /** Listed files left unread (a symlink out of the root, a FIFO). */
  skipped: readonly Skipped[];
  /** What the map leaves out, when it has to. */
  note?: string;
  /** The graph ranked for a task; the last few rankings are kept. */
  ranking(request: RankRequest): Ranking;
}

/** Past this many files a map covers those nearest the root, library code first (and says so). */
export const MAX_MAP_FILES = 100_000;
const KEPT_RANKINGS = 16;

interface Candidates {
  key: string;
  paths: string[];
  note?: string;
}
interface Built {
  key: string;
  graph: MapGraph;
  rankings: Map<string, Ranking>;
}
/** The last candidate list and graph per workspace: a repeated or re-paged map costs only the stat pass. */
const candidateMemo = new Map<string, Candidates>();
const graphMemo = new Map<string, Built>();

/**
 * The map's graph over the files under `path`/`glob` as they are now: the tags brought up to date
 * (parsed on threads when many changed, with progress), then the graph, rebuilt only when a tag
 * or the set of files changed.
 */
export async function currentGraph(services: MapServices, filter: { path?: string | undefined; glob?: string | undefined }): Promise<CurrentGraph> {
  const store = TagCache.for(services.state);
  // The stored tags load while git lists the tree: after a restart both take a while. git is
  // started first: the index then decodes on this thread while git works.
  const listed = listFiles(services.workspace, filter);
  await new Promise((resolve) => setImmediate(resolve));
  const [listing] = await Promise.all([listed, store.prepare(services.workspace.root)]);
  const filterKey = `${listing.version}|${filter.path ?? ''}|${filter.glob ?? ''}`;
  let candidates = candidateMemo.get(services.state.dir);
  if (candidates?.key !== filterKey) {
    candidates = mapCandidates(filterKey, listing.paths);
    candidateMemo.set(services.state.dir, candidates);
  }
  const refreshed = await store.refresh(services.workspace, candidates.paths, {
    signal: services.signal,
    progress: services.progress,
    complete: !filter.path && !filter.glob && !candidates.note,
    watch: true,
  });
  const memoKey = `${filterKey}|${refreshed.generation}|${refreshed.present.length}`;
  let built = graphMemo.get(services.state.dir);
  if (built?.key !== memoKey) {
    graphMemo.delete(services.state.dir); // the old graph may go before the new one is built
    built = { key: memoKey, ...(await graphFor(services, store, refreshed.present)) };
    graphMemo.set(services.state.dir, built);
  }
  const { graph, rankings } = built;
  const notes = [candidates.note, graph.note].filter(Boolean);
  return {
    graph,
    parsed: refreshed.parsed,
    cached: refreshed.cached,
    skipped: refreshed.skipped,
    ...(notes.length ? { note: notes.join('; ') } : {}),
    ranking(request) {
      const key = requestKey(request);
      let ranking = rankings.get(key);
      if (!ranking) {
        ranking = rankFiles(graph, request);
        if (rankings.size >= KEPT_RANKINGS) rankings.clear();
        rankings.set(key, ranking);
      }
      return ranking;
    },
  };
}

/** The graph over `present` as stored for the store's revision, or built (and then stored, after the call). */
async function graphFor(services: MapServices, store: TagCache, present: readonly string[]): Promise<Omit<Built, 'key'>> {
  const input: GraphInput = {
    files: present.map((path) => new StoredFile(path, store)),
    names: store.nameTable,
    symbolsOf: (path) => store.symbolsOf(path),
  };
  const file = services.state.path('repo-scan', GRAPH_FILE);
  const key = graphKey(store.revision, present);
  const stored = await readGraph(file, key, present.length, store.nameTable.count);
  if (stored) {
    const graph = graphOver(stored.graph, input);
    return { graph, rankings: new Map([[PLAIN, rankFiles(graph, { focus: [], mentioned: new Set() }, stored.base)]]) };
  }
  const graph = buildGraph(input);
  const rankings = new Map<string, Ranking>();
  storeLater(file, key, graph, rankings);
  return { graph, rankings };
}

/** A file as the graph reads it; its arrays are views made when first used (a stored graph needs few of them). */
class StoredFile implements GraphFile {
  constructor(
    readonly path: string,
    private readonly store: TagCache,
  ) {}

  get uses(): Uint32Array {
    return this.store.record(this.path)!.uses;
  }

  get defines(): Uint32Array {
    return this.store.record(this.path)!.defines;
  }
}

/**
 * Writes the graph and its plain ranking after the current call (computing that ranking if the
 * call did not), one graph at a time, the newest: a save is worth it only for the next restart.
 */
function storeLater(file: string, key: GraphKey, graph: MapGraph, rankings: Map<string, Ranking>): void {
  const run = async (): Promise<void> => {
    const plain = rankings.get(PLAIN) ?? rankFiles(graph, { focus: [], mentioned: new Set() });
    rankings.set(PLAIN, plain);
    await writeGraph(file, key, graph, plain).catch(() => {}); // a cache: the next restart builds the graph instead
  };
  pendingSave = { file, run };
  if (saving) return;
  saving = (async () => {
    await new Promise((resolve) => setTimeout(resolve, SAVE_DELAY_MS).unref());
    while (pendingSave) {
      const next = pendingSave;
      pendingSave = undefined;
      await next.run();
    }
    saving = undefined;
  })();
}
let pendingSave: { file: string; run: () => Promise<void> } | undefined;
let saving: Promise<void> | undefined;
/** The graph is stored this long after it was built: a burst of edits writes it once. */
const SAVE_DELAY_MS = 500;
const GRAPH_FILE = 'map-graph.bin';
const PLAIN = requestKey({ focus: [], mentioned: new Set() });

function requestKey(request: RankRequest): string {
  return JSON.stringify([request.focus, [...request.mentioned]]);
}

/** The listed files a map parses: those with a grammar, not vendored or generated; at most MAX_MAP_FILES. */
function mapCandidates(key: string, listed: readonly string[]): Candidates {
  const paths = listed.filter((path) => tagLanguageFor(path) !== undefined && !provenanceOf(path));
  if (paths.length <= MAX_MAP_FILES) return { key, paths };
  const depth = (path: string): number => path.split('/').length;
  const kept = [...paths]
    .sort((a, b) => Number(isAuxiliary(a)) - Number(isAuxiliary(b)) || depth(a) - depth(b) || comparePaths(a, b))
    .slice(0, MAX_MAP_FILES)
    .sort(comparePaths);
  return {
    key,
    paths: kept,
    note: `the map covers ${MAX_MAP_FILES} of ${paths.length} source files (library code nearest the root first); pass path or glob to map a part`,
  };
}
