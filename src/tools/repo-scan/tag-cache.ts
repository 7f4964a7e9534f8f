import { lstatSync, type Stats } from 'node:fs';
import { contentHash } from '../../core/files.js';
import { readJson, writeJsonAtomic, type WorkspaceState } from '../../core/state.js';
import type { Workspace } from '../../core/workspace.js';
import { Skips, statThroughWorkspace, type Skipped } from './skipped.js';
import { extractTags, type FileTags } from './tags/index.js';

/** Files above this size are not parsed: they are data or generated, not code to map. */
export const MAX_PARSE_BYTES = 1 << 20;
const CACHE_VERSION = 1;

interface Entry {
  size: number;
  mtimeMs: number;
  /** sha1 of the content the tags were extracted from. */
  hash: string;
  tags: FileTags | null;
}

export interface TagsResult {
  tags: Map<string, FileTags>;
  /** Changes whenever any cached entry changes: equal generations mean equal tags. */
  generation: number;
  /** Files parsed by this call (0 on a warm call over an unchanged tree). */
  parsed: number;
  /** Files whose tags came from the cache. */
  cached: number;
  /** Files left unread that the caller should report (a symlink out of the root, a FIFO). */
  skipped: readonly Skipped[];
}

/**
 * Tags per file, cached by content: a file whose size and mtime are unchanged is not even
 * read; one that changed is hashed, and parsed only when its content really differs. The
 * cache lives in memory and in the state dir, so a restarted server starts warm too.
 */
export class TagCache {
  private static readonly byStateDir = new Map<string, TagCache>();
  private entries: Map<string, Entry> | undefined;
  private loading: Promise<Map<string, Entry>> | undefined;
  private dirty = false;
  private generation = 0;

  private constructor(private readonly file: string) {}

  static for(state: WorkspaceState): TagCache {
    const file = state.path('repo-scan', 'tags.json');
    let cache = TagCache.byStateDir.get(file);
    if (!cache) {
      cache = new TagCache(file);
      TagCache.byStateDir.set(file, cache);
    }
    return cache;
  }

  async tagsFor(workspace: Workspace, paths: readonly string[], signal?: AbortSignal): Promise<TagsResult> {
    const entries = await this.load();
    const tags = new Map<string, FileTags>();
    const skips = new Skips();
    let parsed = 0;
    let cached = 0;
    for (const path of paths) {
      signal?.throwIfAborted();
      // Synchronous on purpose: on a warm call this loop is the whole cost, and lstatSync is
      // several times faster than awaiting one promise per file. A listed path that is not a
      // plain file (a symlink, a FIFO) goes through the workspace, which refuses what leads
      // outside the root or is no regular file.
      let info: Stats | undefined = lstatSync(`${workspace.root}/${path}`, { throwIfNoEntry: false });
      if (!info || info.isDirectory()) continue; // gone, or a submodule
      if (!info.isFile()) info = await skips.read(path, () => statThroughWorkspace(workspace, path));
      if (!info || info.size > MAX_PARSE_BYTES) continue;
      let entry = entries.get(path);
      if (!entry || entry.size !== info.size || entry.mtimeMs !== info.mtimeMs) {
        const content = await skips.read(path, () => workspace.readFile(path, { maxBytes: MAX_PARSE_BYTES }));
        if (!content) continue;
        const hash = contentHash(content);
        if (entry?.hash !== hash) {
          entry = { size: info.size, mtimeMs: info.mtimeMs, hash, tags: (await extractTags(path, content.toString('utf8'))) ?? null };
          parsed++;
        } else {
          entry = { ...entry, size: info.size, mtimeMs: info.mtimeMs };
          cached++;
        }
        entries.set(path, entry);
        this.dirty = true;
        this.generation++;
      } else {
        cached++;
      }
      if (entry.tags) tags.set(path, entry.tags);
    }
    await this.save();
    return { tags, parsed, cached, generation: this.generation, skipped: skips.all };
  }

  private async load(): Promise<Map<string, Entry>> {
    if (this.entries) return this.entries;
    this.loading ??= readJson<{ version: number; entries: Record<string, Entry> }>(this.file)
      .catch(() => undefined) // a damaged cache is rebuilt, never fatal
      .then((stored) => new Map(stored?.version === CACHE_VERSION ? Object.entries(stored.entries) : []));
    this.entries = await this.loading;
    return this.entries;
  }

  private async save(): Promise<void> {
    if (!this.dirty || !this.entries) return;
    this.dirty = false;
    await writeJsonAtomic(this.file, { version: CACHE_VERSION, entries: Object.fromEntries(this.entries) }).catch(() => {
      this.dirty = true; // try again next call; the in-memory cache still serves
    });
  }
}
