import { randomBytes } from 'node:crypto';
import { closeSync, lstatSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { contentHash } from '../../core/files.js';
import { listStateDir, readStateFile, removeStateFile, writeFileAtomic, type WorkspaceState } from '../../core/state.js';
import type { Workspace } from '../../core/workspace.js';
import { throttled } from '../../core/progress.js';
import { NameTable } from './name-table.js';
import type { ParsedFile } from './parse-file.js';
import { ParsePool } from './parse-pool.js';
import { Skips, statThroughWorkspace, type Skipped } from './skipped.js';
import { KIND_FILE, KIND_FOLDER, KIND_MISSING, KIND_OTHER, STAMP_WIDTH, statAll, statAllReusing, type EarlyStamps } from '../../core/stat-pass.js';
import { TreeWatch } from './tree-watch.js';
import { decodeIndex, encodeIndex, indexPaths, MEMBER, type BlobRef, type FileRecord } from './tag-index.js';
import type { FileTags, SymbolInfo } from './tags/index.js';

/** Files above this size are not parsed: they are data or generated, not code to map. */
export const MAX_PARSE_BYTES = 1 << 20;

const INDEX_FILE = 'tag-index.bin';
/** What older versions kept: one JSON file of every file's tags, removed once the index replaces it. */
const LEGACY_FILE = 'tags.json';
const SEGMENT = /^symbols-[0-9a-f]+\.bin$/;
/** Files sent to a parse thread at once: enough to make a message worth its cost. */
const BATCH_FILES = 32;
/** Past this many symbol segments, or when less than half their bytes are still used, they are merged into one. */
const MAX_SEGMENTS = 8;
/** A segment no index names may belong to another server writing its index right now; older ones are litter. */
const ORPHAN_SEGMENT_AGE_MS = 10 * 60_000;

/** What the store compares to tell a changed file: its size and mtime. */
type Stamp = { size: number; mtimeMs: number };

export interface RefreshOptions {
  signal?: AbortSignal | undefined;
  /** Told how a long parse is going, at most once a second. */
  progress?: ((message: string) => void) | undefined;
  /** `paths` are all the files the caller maps: what the store holds for others is forgotten. */
  complete?: boolean;
  /**
   * Watch the folders of `paths` (tree-watch.ts), and on the next call with the same `paths`
   * array check only the files reported changed. For one caller per store: the map.
   */
  watch?: boolean;
}

export interface RefreshResult {
  /** The paths asked about that have tags, in the order asked. */
  present: string[];
  /** Changes whenever any file's tags change: equal generations mean equal tags. */
  generation: number;
  /** Files parsed by this call (0 on a warm call over an unchanged tree). */
  parsed: number;
  /** Files whose tags came from the store. */
  cached: number;
  /** Files left unread that the caller should report (a symlink out of the root, a FIFO). */
  skipped: readonly Skipped[];
  /** Files whose stamps this call looked at (all of them, or those a watch reported). */
  checked: number;
}

export interface TagsResult extends Omit<RefreshResult, 'present'> {
  tags: Map<string, FileTags>;
}

/**
 * Tags per file, kept by content: a file whose size and mtime are unchanged is not even read;
 * one that changed is hashed, and parsed only when its content really differs. Many files to
 * parse are parsed on threads (parse-pool.ts); the server's thread reads them, through the
 * workspace, and merges the results.
 *
 * The store lives in memory and in the state dir (tag-index.ts for the names each file defines
 * and uses, symbol segments for what a page shows), so a restarted server starts warm: it reads
 * one index file, and the symbols of the files it shows.
 */
export class TagCache {
  private static readonly byStateDir = new Map<string, TagCache>();
  private names = new NameTable();
  private files = new Map<string, FileRecord>();
  /** Symbol segments this store wrote or read, and their sizes in bytes. */
  private readonly segments = new Map<string, number>();
  private loading: Promise<void> | undefined;
  /** Refreshes run one at a time: two at once would read and parse the same files twice. */
  private lock: Promise<void> = Promise.resolve();
  private dirty = false;
  private generation = 0;
  /** Names the tags' content across restarts: new whenever a file's tags change (stored in the index). */
  private currentRevision = newRevision();
  /** What the last watching refresh found, for the next one over the same paths. */
  private lastLook:
    | { paths: readonly string[]; vouched: Uint8Array; present: string[]; skipped: Skipped[]; generation: number; index?: Map<string, number> }
    | undefined;

  /** Stamps of the stored files, taken while the index loads for the first full check (prepare()). */
  private early: EarlyStamps | undefined;
  private stampRoot: string | undefined;

  private constructor(private readonly dir: string) {}

  static for(state: WorkspaceState): TagCache {
    const dir = state.path('repo-scan');
    let cache = TagCache.byStateDir.get(dir);
    if (!cache) {
      cache = new TagCache(dir);
      TagCache.byStateDir.set(dir, cache);
    }
    return cache;
  }

  get nameTable(): NameTable {
    return this.names;
  }

  get revision(): string {
    return this.currentRevision;
  }

  /** What the store holds for a path that a refresh vouched for. */
  record(path: string): FileRecord | undefined {
    return this.files.get(path);
  }

  /** A file's symbols, read from its segment when stored; none when they were lost (then it is parsed again). */
  symbolsOf(path: string): SymbolInfo[] {
    const record = this.files.get(path);
    if (!record?.symbols) return [];
    const json = typeof record.symbols === 'string' ? record.symbols : this.readBlob(record.symbols);
    try {
      if (json !== undefined) return JSON.parse(json) as SymbolInfo[];
    } catch {
      // damaged: as if lost
    }
    record.stale = true;
    this.dirty = true;
    return [];
  }

  /** Brings the tags of `paths` up to date. */
  async refresh(workspace: Workspace, paths: readonly string[], options: RefreshOptions = {}): Promise<RefreshResult> {
    const previous = this.lock;
    let release!: () => void;
    this.lock = new Promise((resolve) => (release = resolve));
    try {
      await untilAborted(previous, options.signal);
      return await this.refreshNow(workspace, paths, options);
    } finally {
      release();
    }
  }

  /** The tags of `paths`, as objects: for a page of files, not a whole tree. */
  async tagsFor(workspace: Workspace, paths: readonly string[], signal?: AbortSignal): Promise<TagsResult> {
    const { present, ...result } = await this.refresh(workspace, paths, { signal });
    const tags = new Map<string, FileTags>();
    for (const path of present) {
      const record = this.files.get(path)!;
      const references: Record<string, number> = {};
      for (let i = 0; i < record.uses.length; i += 2) references[this.names.name(record.uses[i]!)] = record.uses[i + 1]!;
      tags.set(path, { language: record.language!, symbols: this.symbolsOf(path), references });
    }
    return { tags, ...result };
  }

  private async refreshNow(workspace: Workspace, paths: readonly string[], options: RefreshOptions): Promise<RefreshResult> {
    const { signal } = options;
    await this.load();
    const early = this.early;
    this.early = undefined;
    const tree = options.watch ? TreeWatch.for(workspace.root) : undefined;
    const changed = await tree?.take();
    const last = this.lastLook?.paths === paths ? this.lastLook : undefined;
    const skips = new Skips();
    /** 1 where the file was checked this call (unchanged, or read), or unchanged since it last was. */
    const vouched = last && changed ? Uint8Array.from(last.vouched) : new Uint8Array(paths.length);
    /** Files to read: their index in `paths` and what lstat said before the read. */
    const stale: Array<[number, Stamp]> = [];
    let checked = 0;
    // A listed path that is not a plain file (a symlink, a FIFO) goes through the workspace,
    // which refuses what leads outside the root or is no regular file.
    const compare = (i: number, info: Stamp | undefined): void => {
      if (!info || info.size > MAX_PARSE_BYTES) return;
      const record = this.files.get(paths[i]!);
      if (record && record.size === info.size && record.mtimeMs === info.mtimeMs && !record.stale) vouched[i] = 1;
      else stale.push([i, info]);
    };
    // Synchronous for plain files (nearly all of them): a pass over a large tree awaits only the odd ones.
    const judge = (i: number, kind: number, size: number, mtimeMs: number): Promise<void> | undefined => {
      checked++;
      if (kind === KIND_MISSING || kind === KIND_FOLDER) return undefined; // gone, or a submodule
      if (kind === KIND_FILE) {
        compare(i, { size, mtimeMs });
        return undefined;
      }
      const path = paths[i]!;
      return skips.read(path, () => statThroughWorkspace(workspace, path)).then((info) => compare(i, info));
    };
    let skipped: Skipped[] = [];
    if (last && changed) {
      // Only what the watch reported; the files left unread last time stay so unless reported.
      last.index ??= new Map(paths.map((path, i) => [path, i]));
      for (const path of changed) {
        const i = last.index.get(path);
        if (i === undefined) continue;
        vouched[i] = 0;
        const info = lstatSync(`${workspace.root}/${path}`, { throwIfNoEntry: false });
        await judge(i, !info ? KIND_MISSING : info.isFile() ? KIND_FILE : info.isDirectory() ? KIND_FOLDER : KIND_OTHER, info?.size ?? 0, info?.mtimeMs ?? 0);
      }
      skipped = last.skipped.filter((entry) => !changed.has(entry.path));
    } else {
      const stamps = early?.root === workspace.root ? await statAllReusing(workspace.root, paths, early) : await statAll(workspace.root, paths);
      for (let i = 0; i < paths.length; i++) {
        if ((i & 1023) === 0) signal?.throwIfAborted();
        const judged = judge(i, stamps[i * STAMP_WIDTH]!, stamps[i * STAMP_WIDTH + 1]!, stamps[i * STAMP_WIDTH + 2]!);
        if (judged) await judged;
      }
    }
    let parsed = 0;
    let cached = 0;
    if (stale.length) {
      const counts = await this.parseStale(workspace, paths, stale, vouched, skips, options);
      parsed = counts.parsed;
    }
    for (const flag of vouched) cached += flag;
    cached -= parsed;
    if (options.complete && this.files.size > paths.length) this.forgetAllBut(paths);
    await this.save();
    skipped.push(...skips.all);
    const unchanged = last && changed && !stale.length && !skips.all.length && last.generation === this.generation;
    const present = unchanged ? last.present : paths.filter((path, i) => vouched[i] && this.files.get(path)?.language !== undefined);
    if (tree) {
      this.lastLook = { paths, vouched, present, skipped, generation: this.generation, ...(last?.index ? { index: last.index } : {}) };
      tree.follow(paths);
    }
    return { present, parsed, cached, generation: this.generation, skipped, checked };
  }

  /**
   * Reads the files that changed, on this thread and through the workspace, and parses those
   * whose content did, on the pool's threads; the results are merged here as they come.
   */
  private async parseStale(
    workspace: Workspace,
    paths: readonly string[],
    stale: ReadonlyArray<[number, Stamp]>,
    vouched: Uint8Array,
    skips: Skips,
    options: RefreshOptions,
  ): Promise<{ parsed: number; cached: number }> {
    const pool = ParsePool.start(stale.length, options.signal);
    const report = options.progress && throttled(options.progress);
    const threads = pool.threadCount ? ` on ${pool.threadCount} threads` : '';
    let parsed = 0;
    let cached = 0;
    const inFlight = new Set<Promise<void>>();
    let failure: { error: unknown } | undefined;
    type Pending = { index: number; info: Stamp; hash: string };
    const submit = (files: Array<{ path: string; source: string }>, pending: Pending[]): void => {
      const work: Promise<void> = pool
        .parse(files)
        .then((results) => {
          results.forEach((result, j) => {
            this.store(paths[pending[j]!.index]!, pending[j]!, result);
          });
          for (const { index } of pending) vouched[index] = 1;
          parsed += pending.length;
          report?.(`map: parsed ${parsed} of ${stale.length} files${threads}`);
        })
        .catch((error: unknown) => {
          failure ??= { error };
        })
        .finally(() => inFlight.delete(work));
      inFlight.add(work);
    };
    try {
      let files: Array<{ path: string; source: string }> = [];
      let pending: Pending[] = [];
      for (let n = 0; n < stale.length; n++) {
        if ((n & 63) === 0) options.signal?.throwIfAborted();
        const [index, info] = stale[n]!;
        const path = paths[index]!;
        const content = await skips.read(path, () => workspace.readFileSync(path, { maxBytes: MAX_PARSE_BYTES }));
        if (!content) continue;
        const hash = contentHash(content);
        const record = this.files.get(path);
        if (record && !record.stale && record.hash === hash) {
          record.size = info.size;
          record.mtimeMs = info.mtimeMs;
          this.dirty = true;
          vouched[index] = 1;
          cached++;
          continue;
        }
        files.push({ path, source: content.toString('utf8') });
        pending.push({ index, info, hash });
        if (files.length >= BATCH_FILES) {
          submit(files, pending);
          files = [];
          pending = [];
          while (inFlight.size >= pool.window) await Promise.race(inFlight);
        }
        if (failure) throw failure.error;
      }
      if (files.length) submit(files, pending);
      while (inFlight.size) await Promise.race(inFlight);
      if (failure) throw failure.error;
    } finally {
      pool.close(options.signal?.reason);
      await Promise.allSettled(inFlight);
    }
    return { parsed, cached };
  }

  /** One parsed file into the store, its names numbered. */
  private store(path: string, { info, hash }: { info: Stamp; hash: string }, result: ParsedFile | null): void {
    const uses: number[] = [];
    const defines: number[] = [];
    if (result) {
      result.uses.forEach((name, i) => {
        const id = this.names.intern(name);
        if (id !== undefined) uses.push(id, result.counts[i]!);
      });
      for (const name of result.defines) {
        const id = this.names.intern(name);
        if (id !== undefined) defines.push(id);
      }
      for (const name of result.members) {
        const id = this.names.intern(name);
        if (id !== undefined) defines.push((id | MEMBER) >>> 0);
      }
    }
    this.files.set(path, {
      size: info.size,
      mtimeMs: info.mtimeMs,
      hash,
      language: result?.language,
      uses: Uint32Array.from(uses),
      defines: Uint32Array.from(defines),
      symbols: result?.symbols,
    });
    this.dirty = true;
    this.generation++;
    this.currentRevision = newRevision();
  }

  private forgetAllBut(paths: readonly string[]): void {
    const kept = new Set(paths);
    for (const path of this.files.keys()) {
      if (!kept.has(path)) {
        this.files.delete(path);
        this.dirty = true;
        this.generation++;
        this.currentRevision = newRevision();
      }
    }
  }

  /**
   * Reads the stored index, and on the first load starts the stat pass over the files it holds,
   * both while the caller lists the tree: after a restart, listing, index and stat pass are most
   * of the first map's time, and none of them needs the others. The next full check takes these
   * stamps and stats only files the index did not hold.
   */
  async prepare(root: string): Promise<void> {
    if (!this.loading) this.stampRoot = root;
    await this.load();
  }

  private async load(): Promise<void> {
    this.loading ??= (async () => {
      const bytes = readStateFile(`${this.dir}/${INDEX_FILE}`);
      // The stored files are statted on threads while this thread decodes the rest of the index.
      let stored: ReturnType<typeof decodeIndex>;
      try {
        // The stored files are statted on threads while this thread decodes the rest of the index.
        const paths = bytes && indexPaths(bytes);
        if (paths?.length && this.stampRoot !== undefined && !this.lastLook)
          this.early = { root: this.stampRoot, paths, stamps: statAll(this.stampRoot, paths, { busyCores: 1 }) };
        stored = bytes && decodeIndex(bytes, paths);
      } catch {
        stored = undefined; // a missing or damaged index is rebuilt, never fatal
      }
      if (stored) {
        this.names = stored.names;
        this.files = stored.files;
        this.currentRevision = stored.header.revision;
        for (const segment of stored.header.segments) {
          const size = statSync(`${this.dir}/${segment}`, { throwIfNoEntry: false })?.size;
          if (size !== undefined) this.segments.set(segment, size);
        }
        for (const record of this.files.values()) {
          if (typeof record.symbols === 'object' && !this.segments.has(record.symbols.segment)) record.stale = true; // its symbols are gone
        }
      }
      await removeStateFile(`${this.dir}/${LEGACY_FILE}`).catch(() => {});
      await this.removeOrphans();
    })();
    await this.loading;
  }

  private async save(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    try {
      const unstored = [...this.files.values()].filter((record) => typeof record.symbols === 'string');
      if (unstored.length) await this.writeSegment(unstored, (record) => Buffer.from(record.symbols as string));
      if (this.fragmented()) await this.compact();
      await writeFileAtomic(`${this.dir}/${INDEX_FILE}`, encodeIndex(this.names, this.files, this.currentRevision));
      const used = new Set<string>();
      for (const record of this.files.values()) if (typeof record.symbols === 'object') used.add(record.symbols.segment);
      for (const segment of [...this.segments.keys()]) {
        if (used.has(segment)) continue;
        this.segments.delete(segment);
        await removeStateFile(`${this.dir}/${segment}`);
      }
    } catch {
      this.dirty = true; // try again next call; the store in memory still serves
    }
  }

  /** Writes the records' symbols into a new segment and points the records at it. */
  private async writeSegment(records: readonly FileRecord[], bytesOf: (record: FileRecord) => Buffer): Promise<void> {
    const segment = `symbols-${randomBytes(8).toString('hex')}.bin`;
    const parts = records.map(bytesOf);
    await writeFileAtomic(`${this.dir}/${segment}`, parts);
    let offset = 0;
    records.forEach((record, i) => {
      record.symbols = { segment, offset, length: parts[i]!.length };
      offset += parts[i]!.length;
    });
    this.segments.set(segment, offset);
  }

  private fragmented(): boolean {
    if (this.segments.size > MAX_SEGMENTS) return true;
    let live = 0;
    let total = 0;
    for (const size of this.segments.values()) total += size;
    for (const record of this.files.values()) if (typeof record.symbols === 'object') live += record.symbols.length;
    return total > 1 << 20 && live < total / 2;
  }

  /** Every stored symbol list into one new segment. */
  private async compact(): Promise<void> {
    const contents = new Map<string, Buffer>();
    const stored = [...this.files.values()].filter((record) => typeof record.symbols === 'object');
    await this.writeSegment(stored, (record) => {
      const ref = record.symbols as BlobRef;
      let segment = contents.get(ref.segment);
      if (!segment) {
        segment = readFileSync(`${this.dir}/${ref.segment}`);
        contents.set(ref.segment, segment);
      }
      return segment.subarray(ref.offset, ref.offset + ref.length);
    });
  }

  private readBlob(ref: BlobRef): string | undefined {
    let fd: number | undefined;
    try {
      fd = openSync(`${this.dir}/${ref.segment}`, 'r');
      const buffer = Buffer.allocUnsafe(ref.length);
      if (readSync(fd, buffer, 0, ref.length, ref.offset) !== ref.length) return undefined;
      return buffer.toString('utf8');
    } catch {
      return undefined;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  /** Segments left by a server that stopped between writing one and the index naming it. */
  private async removeOrphans(): Promise<void> {
    const now = Date.now();
    for (const name of await listStateDir(this.dir).catch(() => [])) {
      if (!SEGMENT.test(name) || this.segments.has(name)) continue;
      const modified = statSync(`${this.dir}/${name}`, { throwIfNoEntry: false })?.mtimeMs ?? now;
      if (now - modified > ORPHAN_SEGMENT_AGE_MS) await removeStateFile(`${this.dir}/${name}`).catch(() => {});
    }
  }
}

function newRevision(): string {
  return randomBytes(8).toString('hex');
}

/** Waits for `promise`, or throws as soon as `signal` aborts. */
async function untilAborted(promise: Promise<unknown>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return void (await promise);
  signal.throwIfAborted();
  let onAbort!: () => void;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([promise, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
