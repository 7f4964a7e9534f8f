import { createHash } from 'node:crypto';
import { readStateFile, writeFileAtomic } from '../../core/state.js';
import { decodeSections, encodeSections } from './binary-file.js';
import type { GraphArrays } from './repomap.js';

/**
 * The map's graph, and its ranking without focus or query, kept in the state dir so that the
 * first map of a restarted server reads them instead of building the graph and iterating
 * PageRank over the whole tree. Valid for one set of files at one revision of their tags
 * (tag-cache.ts): anything else and the graph is built again.
 */

const FORMAT = 'baton-map-graph';
const VERSION = 1;

export interface GraphKey {
  /** The tag store's revision the graph was built from. */
  revision: string;
  /** sha1 of the mapped paths, in order. */
  paths: string;
}

export interface BaseRanking {
  rank: Float64Array;
  nameRank: Float64Array;
}

export function graphKey(revision: string, paths: readonly string[]): GraphKey {
  return { revision, paths: createHash('sha1').update(paths.join('\0')).digest('hex') };
}

const ARRAYS = {
  auxiliary: Uint8Array,
  useStart: Uint32Array,
  useName: Uint32Array,
  useWeight: Float32Array,
  userStart: Uint32Array,
  userFile: Uint32Array,
  userWeight: Float32Array,
  definerStart: Uint32Array,
  definerFile: Uint32Array,
  definerShare: Float32Array,
  defineStart: Uint32Array,
  defineName: Uint32Array,
  definerTotal: Float64Array,
  useTotal: Float64Array,
  outWeight: Float64Array,
  backWeight: Float64Array,
  definesSomething: Uint8Array,
  nameIndex: Int32Array,
} as const;
type ArrayName = keyof typeof ARRAYS;

export async function writeGraph(file: string, key: GraphKey, graph: GraphArrays, base: BaseRanking): Promise<void> {
  const sections: Record<string, Uint8Array | Uint32Array | Int32Array | Float32Array | Float64Array> = { rank: base.rank, nameRank: base.nameRank };
  for (const name of Object.keys(ARRAYS) as ArrayName[]) sections[name] = graph[name];
  await writeFileAtomic(file, encodeSections({ format: FORMAT, version: VERSION, key, usesPerFile: graph.usesPerFile }, sections));
}

/** The graph stored for `key`, or undefined when there is none for it (or it is damaged). */
export async function readGraph(
  file: string,
  key: GraphKey,
  files: number,
  storeNames: number,
): Promise<{ graph: GraphArrays; base: BaseRanking } | undefined> {
  const bytes = readStateFile(file);
  const decoded =
    bytes &&
    decodeSections<{ format: string; version: number; key: GraphKey; usesPerFile: number; sections: Record<string, [number, number]> }>(bytes, FORMAT, VERSION);
  if (!decoded || decoded.header.key?.revision !== key.revision || decoded.header.key.paths !== key.paths) return undefined;
  const arrays: Partial<Record<ArrayName, unknown>> = {};
  for (const [name, Type] of Object.entries(ARRAYS) as Array<[ArrayName, (typeof ARRAYS)[ArrayName]]>) {
    const view = decoded.view(name, Type as never);
    if (!view) return undefined;
    arrays[name] = view;
  }
  const graph = { ...(arrays as Omit<GraphArrays, 'usesPerFile'>), usesPerFile: Number(decoded.header.usesPerFile) || 0 };
  const rank = decoded.view('rank', Float64Array);
  const nameRank = decoded.view('nameRank', Float64Array);
  if (!rank || !nameRank || !consistent(graph, files, storeNames) || rank.length !== files || nameRank.length !== graph.definerTotal.length) return undefined;
  return { graph, base: { rank, nameRank } };
}

/** The arrays fit together and every index in them is in range: a damaged file is never trusted. */
function consistent(graph: GraphArrays, files: number, storeNames: number): boolean {
  const names = graph.definerTotal.length;
  const csr = (start: Uint32Array, rows: number, target: { length: number }): boolean => {
    if (start.length !== rows + 1 || start[0] !== 0 || start[rows] !== target.length) return false;
    for (let i = 1; i <= rows; i++) if (start[i]! < start[i - 1]!) return false;
    return true;
  };
  const below = (values: Uint32Array | Int32Array, limit: number): boolean => {
    for (let i = 0; i < values.length; i++) if (values[i]! >= limit) return false;
    return true;
  };
  return (
    graph.auxiliary.length === files &&
    graph.outWeight.length === files &&
    graph.backWeight.length === files &&
    graph.definesSomething.length === files &&
    graph.useTotal.length === names &&
    graph.nameIndex.length === storeNames &&
    below(graph.nameIndex, names) &&
    csr(graph.useStart, files, graph.useName) &&
    graph.useWeight.length === graph.useName.length &&
    below(graph.useName, names) &&
    csr(graph.userStart, names, graph.userFile) &&
    graph.userWeight.length === graph.userFile.length &&
    below(graph.userFile, files) &&
    csr(graph.definerStart, names, graph.definerFile) &&
    graph.definerShare.length === graph.definerFile.length &&
    below(graph.definerFile, files) &&
    csr(graph.defineStart, files, graph.defineName) &&
    below(graph.defineName, names)
  );
}
