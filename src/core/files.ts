import { createHash } from 'node:crypto';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import picomatch from 'picomatch';
import { UserError } from './errors.js';
import { diffLinesOf, unifiedDiffOfLines } from './line-diff.js';
import { git, gitDir, isGitRepository } from './git.js';
import { isPathError, pathErrorFrom, quotePath } from './reading.js';
import { KIND_MISSING, STAMP_WIDTH, statAll } from './stat-pass.js';
import { Workspace } from './workspace.js';

/**
 * The files a repository is made of: in a git repository exactly what
 * `git ls-files --cached --others --exclude-standard` lists (tracked plus untracked, never
 * ignored); elsewhere a walk that honours every `.gitignore` on the way down.
 */
export interface FileList {
  /** Root-relative, `/`-separated, sorted. */
  paths: string[];
  git: boolean;
}

export interface FileFilter {
  /** A folder or file, relative to the root. */
  path?: string | undefined;
  /** A glob; without a `/` it matches the file name at any depth (`*.ts`). */
  glob?: string | undefined;
}

export async function listFiles(workspace: Workspace, filter: FileFilter = {}): Promise<FileList & { version: number; changedAt: Promise<number> }> {
  const prefix = await pathPrefix(workspace, filter.path);
  const listing = await currentListing(workspace.root);
  let paths = listing.paths;
  if (prefix) paths = paths.filter((p) => p === prefix || p.startsWith(prefix + '/'));
  if (filter.glob) paths = paths.filter(globMatcher(filter.glob));
  return { paths, git: listing.git, version: listing.version, changedAt: listing.changedAt };
}

/**
 * The root's file list, reused while nothing it depends on changed. A file appears or
 * disappears only by changing its folder's mtime, and what git ignores or tracks only by
 * changing a .gitignore, info/exclude or the index; those are the stamps checked, a few
 * thousand stat calls instead of walking the whole tree. (A new file in a folder that held
 * nothing but ignored files is the one change this can miss, until any stamped change.)
 */
interface Listing {
  paths: string[];
  git: boolean;
  version: number;
  /**
   * Taken on a thread while the caller goes on with the listing; taken after git listed is as
   * good as before, since a stamp newer than the listing's start is distrusted anyway.
   */
  stamps: Promise<Stamps>;
  /**
   * The newest of the stamps (ms since the epoch; Infinity while one is too fresh to trust):
   * no file was added, removed or newly ignored since, so a result computed after it still
   * covers exactly these files.
   */
  changedAt: Promise<number>;
}

/** Absolute paths and their mtimeMs; NaN marks a stamp too fresh to trust, forcing a new listing, -1 a missing path. */
interface Stamps {
  paths: string[];
  mtimes: Float64Array;
}

const listings = new Map<string, Listing>();
let listingVersion = 0;
/** Changes this close to the listing may or may not be in it (mtime granularity, races). */
export const RACY_MS = 2000;

async function currentListing(root: string): Promise<Listing> {
  const cached = listings.get(root);
  if (cached && (await stampsHold(await cached.stamps))) return cached;
  const started = Date.now();
  // git lists the files while it is still asked whether this is a repository: two processes at once, not one after the other.
  const listed = gitFiles(root);
  listed.catch(() => undefined); // outside a repository it fails, and is not used
  const inGit = await isGitRepository(root);
  const paths = (inGit ? await listed : await walkFiles(root)).sort(comparePaths);
  const stamps = stampsFor(root, paths, inGit, started - RACY_MS);
  const changedAt = stamps.then(({ mtimes }) => mtimes.reduce((newest, mtime) => Math.max(newest, Number.isNaN(mtime) ? Infinity : mtime), 0));
  // A failed stamp pass only means the next call lists again.
  const listing = { paths, git: inGit, version: ++listingVersion, stamps: stamps.catch(() => NO_STAMPS), changedAt: changedAt.catch(() => Infinity) };
  listings.set(root, listing);
  return listing;
}

/** Stamps that never hold: the listing they belong to is made again. */
const NO_STAMPS: Stamps = { paths: [''], mtimes: Float64Array.of(Number.NaN) };

async function stampsHold({ paths, mtimes }: Stamps): Promise<boolean> {
  const now = await statAll('', paths, { follow: true });
  for (let i = 0; i < paths.length; i++) {
    const kind = now[i * STAMP_WIDTH]!;
    if ((kind === KIND_MISSING ? -1 : now[i * STAMP_WIDTH + 2]!) !== mtimes[i]) return false;
  }
  return true;
}

/** Lists past this many folders stamp them on a thread: the caller has other things to do meanwhile. */
const STAMP_THREADS_FROM = 2_000;

async function stampsFor(root: string, paths: readonly string[], inGit: boolean, racyAfter: number): Promise<Stamps> {
  const watched = new Set<string>([root]);
  let lastFolder = '';
  for (const path of paths) {
    if (path.endsWith('.gitignore') && (path === '.gitignore' || path.endsWith('/.gitignore'))) watched.add(`${root}/${path}`);
    // Sorted paths come folder by folder: only a new folder is worth looking at.
    const end = path.lastIndexOf('/');
    if (end <= 0 || (end === lastFolder.length && path.startsWith(lastFolder))) continue;
    lastFolder = path.slice(0, end);
    for (let slash = end; slash > 0; slash = path.lastIndexOf('/', slash - 1)) {
      const folder = `${root}/${path.slice(0, slash)}`;
      if (watched.has(folder)) break; // its ancestors are in already
      watched.add(folder);
    }
  }
  if (inGit) {
    const folder = await gitDir(root);
    watched.add(join(folder, 'index')).add(join(folder, 'info', 'exclude'));
  }
  const stamped = [...watched];
  const stamps = await statAll('', stamped, { follow: true, threadsFrom: STAMP_THREADS_FROM });
  const mtimes = new Float64Array(stamped.length);
  for (let i = 0; i < stamped.length; i++) {
    const mtime = stamps[i * STAMP_WIDTH + 2]!;
    mtimes[i] = stamps[i * STAMP_WIDTH] === KIND_MISSING ? -1 : mtime > racyAfter ? Number.NaN : mtime;
  }
  return { paths: stamped, mtimes };
}

/** Plain code-unit order: stable, and the order `git` itself uses. */
export function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The root-relative form of a `path` filter, checked to exist inside the root ('' = root). */
export async function pathPrefix(workspace: Workspace, path: string | undefined): Promise<string> {
  if (path === undefined || path === '' || path === '.') return '';
  const absolute = await workspace.resolve(path);
  try {
    await lstat(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR')
      throw new UserError(`path ${quotePath(path)} does not exist`, 'Pass a file or folder relative to the root, or omit path');
    throw pathErrorFrom(error, path);
  }
  return workspace.relative(absolute);
}

export function globMatcher(glob: string): (path: string) => boolean {
  try {
    const matches = picomatch(glob, { dot: true, basename: !glob.includes('/') });
    return (path) => matches(path); // one argument: picomatch's second one changes what it returns
  } catch (error) {
    throw new UserError(`invalid glob "${glob}": ${(error as Error).message}`, 'Use a glob such as "*.ts" or "src/**/*.py"');
  }
}

/** A pathspec meaning the same as `globMatcher(glob)`, for git commands. */
export function globPathspec(glob: string): string {
  return glob.includes('/') ? `:(glob)${glob}` : `:(glob)**/${glob}`;
}

async function gitFiles(root: string): Promise<string[]> {
  const { stdout } = await git(root, ['ls-files', '-z', '--cached', '--others', '--exclude-standard']);
  const paths = stdout.split('\0');
  paths.pop(); // the trailing NUL
  // A file both staged-for-deletion and present, or listed once per conflict stage, appears twice.
  paths.sort(comparePaths);
  let kept = 0;
  for (const path of paths) if (kept === 0 || paths[kept - 1] !== path) paths[kept++] = path;
  paths.length = kept;
  return paths;
}

/** Walks a plain folder, honouring .gitignore files at every level and skipping .git. */
async function walkFiles(root: string): Promise<string[]> {
  const { default: ignore } = await import('ignore');
  type Rules = { prefix: string; matcher: ReturnType<typeof ignore> };
  const out: string[] = [];

  const workspace = Workspace.ofRoot(root);
  const walk = async (dir: string, rel: string, inherited: Rules[]): Promise<void> => {
    const rules = [...inherited];
    const gitignore = await workspace.readFile(rel ? `${rel}/.gitignore` : '.gitignore', { maxBytes: 1 << 20 }).catch(() => undefined);
    if (gitignore !== undefined) rules.push({ prefix: rel, matcher: ignore().add(gitignore.toString('utf8')) });
    const ignored = (path: string, isDir: boolean): boolean =>
      rules.some(({ prefix, matcher }) => {
        const local = prefix ? path.slice(prefix.length + 1) : path;
        return matcher.ignores(isDir ? `${local}/` : local);
      });

    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    await Promise.all(
      entries.map(async (entry) => {
        if (entry.name === '.git') return;
        const path = rel ? `${rel}/${entry.name}` : entry.name;
        if (entry.isDirectory()) {
          if (!ignored(path, true)) await walk(join(dir, entry.name), path, rules);
        } else if (!ignored(path, false)) {
          out.push(path);
        }
      }),
    );
  };
  await walk(root, '', []);
  return out;
}

export interface EntryInfo {
  path: string;
  type: 'file' | 'symlink' | 'dir' | 'missing';
  size: number;
}

/** Type and size of the given files: called for one page of results, not for the whole repo. */
export async function describeEntries(root: string, paths: readonly string[]): Promise<EntryInfo[]> {
  return Promise.all(
    paths.map(async (path) => {
      try {
        const stat = await lstat(join(root, path));
        const type = stat.isSymbolicLink() ? 'symlink' : stat.isDirectory() ? 'dir' : 'file';
        return { path, type, size: stat.size };
      } catch {
        return { path, type: 'missing' as const, size: 0 }; // deleted but still in the index
      }
    }),
  );
}

/** Binary content, as git decides it: a NUL byte in the first 8000 bytes. */
export function isBinary(content: Buffer): boolean {
  return content.subarray(0, 8000).includes(0);
}

/** The sha1 of some content, hex: the cache key for file contents across Baton. */
export function contentHash(content: string | Uint8Array): string {
  return createHash('sha1').update(content).digest('hex');
}

/**
 * `contentHash` of a file's content, streamed so a file of any size costs little memory; a
 * file Baton does not read (gone, a symlink out of the root, a FIFO) hashes to a marker saying
 * so, which no content hashes to.
 */
export async function fileHash(workspace: Workspace, path: string): Promise<string> {
  const hash = createHash('sha1');
  try {
    const file = workspace.openFile(path);
    try {
      for await (const chunk of file.chunks()) hash.update(chunk);
    } finally {
      file.close();
    }
  } catch (error) {
    if (isPathError(error)) return `unread:${error.problem}`;
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === 'string') return `unread:${code}`;
    throw error;
  }
  return hash.digest('hex');
}

/**
 * Lines in a text file (null for a binary one), counted like `splitLines` would: streamed,
 * so memory stays bounded whatever the file.
 */
export async function countFileLines(workspace: Workspace, path: string): Promise<number | null> {
  const file = workspace.openFile(path);
  try {
    let lines = 0;
    let last = -1;
    let start = true;
    for await (const chunk of file.chunks()) {
      if (start && isBinary(chunk)) return null;
      start = false;
      for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) lines++;
      last = chunk[chunk.length - 1]!;
    }
    return last !== -1 && last !== 10 ? lines + 1 : lines;
  } finally {
    file.close();
  }
}

/** Runs `work` over `items`, at most `limit` at a time: many files, a few open at once. */
export async function mapLimit<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * A unified diff of one file's change, git style: `a/`/`b/` names, `/dev/null` for a side that
 * does not exist, three lines of context, no `Index:`/`===` preamble.
 */
export function unifiedDiff(path: { before?: string | undefined; after?: string | undefined }, before: string, after: string): string {
  return unifiedDiffOfLines(path, diffLinesOf(before), diffLinesOf(after));
}
