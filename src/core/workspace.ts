import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { realpathSync } from 'node:fs';
import { lstat, open, realpath, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UserError } from './errors.js';
import { checkSize, openRegularFile, PathError, pathErrorFrom, quotePath, type OpenFile, type ReadOptions } from './reading.js';

/**
 * The workspace root and the only sanctioned way to turn a user's path into a file system
 * path. Every tool resolves through here, so the rules (inside the root, no symlink escape,
 * never write `.git/`) hold everywhere without each tool re-checking them.
 */
export class Workspace {
  private constructor(
    /** Absolute, symlink-free path of the root. */
    readonly root: string,
  ) {}

  static async open(root: string): Promise<Workspace> {
    const absolute = resolve(root);
    let real: string;
    try {
      real = await realpath(absolute);
    } catch {
      throw new UserError(`root ${absolute} does not exist`, 'Pass --root with an existing folder');
    }
    if (!(await stat(real)).isDirectory()) throw new UserError(`root ${absolute} is not a folder`, 'Pass --root with a folder');
    return new Workspace(real);
  }

  /** The workspace of a root that is already a Workspace's `root` (absolute, symlink-free), for code handed only that string. */
  static ofRoot(root: string): Workspace {
    return new Workspace(root);
  }

  /**
   * Resolves a user path (relative to the root, or absolute inside it) to an absolute path,
   * refusing anything that leaves the root lexically or through a symlink. With
   * `forWrite`, paths inside `.git/` are refused too.
   */
  async resolve(userPath: string, options: { forWrite?: boolean } = {}): Promise<string> {
    const { absolute, real } = this.contain(userPath);
    if (options.forWrite && isGitInternal(relative(this.root, real))) {
      throw new PathError('git-internal', `path ${quotePath(userPath)} is inside .git/, which Baton never writes`, 'Change files in the work tree instead');
    }
    return absolute;
  }

  /** The lexical half of `resolve`: no file system access, for paths that need not exist. */
  resolveLexically(userPath: string): string {
    if (userPath.includes('\0')) throw new PathError('outside', `path ${quotePath(userPath)} contains a NUL byte`);
    const absolute = isAbsolute(userPath) ? resolve(userPath) : resolve(this.root, userPath || '.');
    if (!isInside(this.root, absolute)) {
      throw new PathError('outside', `path ${quotePath(userPath)} is outside the workspace root`, `Use a path relative to ${this.root}`);
    }
    return absolute;
  }

  /**
   * Opens a file for reading: the one sanctioned way to read a user's or a listed file. The
   * path must lead, symlinks resolved, to a regular file inside the root; a FIFO, device or
   * socket is refused without being opened for reading. The caller closes the file.
   */
  openFile(userPath: string): OpenFile {
    const { absolute, real } = this.contain(userPath);
    return openRegularFile(real, this.relative(absolute) || '.');
  }

  /** A whole file (or with `head`, its start), through `openFile`; synchronous, for small files on hot paths. */
  readFileSync(userPath: string, options: ReadOptions = {}): Buffer {
    const file = this.openFile(userPath);
    try {
      return file.readHeadSync(checkSize(file, options));
    } finally {
      file.close();
    }
  }

  /** A whole file (or with `head`, its start), through `openFile`, read off the event loop. */
  async readFile(userPath: string, options: ReadOptions = {}): Promise<Buffer> {
    const file = this.openFile(userPath);
    try {
      return await file.readHead(checkSize(file, options));
    } finally {
      file.close();
    }
  }

  /** The path's absolute form and its real path, refused unless both are inside the root. */
  private contain(userPath: string): { absolute: string; real: string } {
    const absolute = this.resolveLexically(userPath);
    const real = realpathOfNearestExisting(absolute, userPath);
    if (!isInside(this.root, real)) {
      throw new PathError(
        'escapes',
        `path ${quotePath(userPath)} leads outside the workspace root through a symlink`,
        'Use a path whose target is inside the root',
        'symlink leads outside the root, not read',
      );
    }
    return { absolute, real };
  }

  /** The root-relative form of an absolute path, with `/` separators ('' for the root itself). */
  relative(absolute: string): string {
    return toPosix(relative(this.root, absolute));
  }
}

export function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

export function isInside(root: string, candidate: string): boolean {
  const rel = relative(root, candidate);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function isGitInternal(relativePath: string): boolean {
  return toPosix(relativePath)
    .split('/')
    .some((segment) => segment.toLowerCase() === '.git');
}

/**
 * realpath of the path, or of its deepest existing ancestor joined with the missing rest.
 * Synchronous on purpose: one native realpath on a local disk takes microseconds, and every
 * call of every tool resolves paths, where a trip through the thread pool costs far more.
 */
function realpathOfNearestExisting(absolute: string, userPath: string): string {
  const missing: string[] = [];
  let current = absolute;
  for (;;) {
    try {
      return join(realpathSync.native(current), ...missing.reverse());
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw pathErrorFrom(error, userPath);
      const parent = dirname(current);
      if (parent === current) return absolute;
      missing.push(basename(current));
      current = parent;
    }
  }
}

/**
 * Writes a file so that readers see either the old or the new content: a temp file beside
 * it, fsync, rename over. An existing file keeps its mode; a new one gets `mode` or 0644.
 */
export async function writeFileAtomic(
  absolute: string,
  data: string | Uint8Array,
  mode?: number,
  /** false when the caller syncs the folder itself once for many files (see syncDir). */
  syncFolder = true,
): Promise<void> {
  const existingMode = await lstat(absolute).then(
    (s) => (s.isFile() ? s.mode & 0o7777 : undefined),
    () => undefined,
  );
  const finalMode = existingMode ?? mode ?? 0o644;
  const temp = join(dirname(absolute), `.${basename(absolute)}.baton-${randomBytes(4).toString('hex')}.tmp`);
  const handle = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, finalMode);
  try {
    await handle.writeFile(data);
    await handle.chmod(finalMode); // the umask may have narrowed the mode given to open()
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temp).catch(() => {});
    throw error;
  }
  await handle.close();
  try {
    await rename(temp, absolute);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
  if (syncFolder) await syncDir(dirname(absolute));
}

/** fsync of a folder: makes renames and unlinks in it durable. */
export async function syncDir(dir: string): Promise<void> {
  // Makes the rename durable; some file systems refuse to fsync a directory, which is harmless.
  const handle = await open(dir, constants.O_RDONLY).catch(() => undefined);
  if (!handle) return;
  await handle.sync().catch(() => {});
  await handle.close();
}

/**
 * Per-path async locks, process wide: two MCP sessions (over HTTP) or two concurrent calls
 * that touch the same file take turns. Paths are locked in sorted order so two callers
 * locking overlapping sets cannot deadlock.
 */
const lockTails = new Map<string, Promise<void>>();

export async function withPathLocks<T>(absolutePaths: readonly string[], work: () => Promise<T>): Promise<T> {
  const paths = [...new Set(absolutePaths)].sort();
  const releases: Array<() => void> = [];
  try {
    for (const path of paths) releases.push(await acquire(path));
    return await work();
  } finally {
    for (const release of releases.reverse()) release();
  }
}

async function acquire(path: string): Promise<() => void> {
  const previous = lockTails.get(path) ?? Promise.resolve();
  let release!: () => void;
  const current = new Promise<void>((done) => (release = done));
  const tail = previous.then(() => current);
  lockTails.set(path, tail);
  await previous;
  return () => {
    release();
    // The last holder cleans up so the map does not grow with every path ever touched.
    if (lockTails.get(path) === tail) lockTails.delete(path);
  };
}
