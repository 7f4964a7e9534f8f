import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { realpathSync } from 'node:fs';
import { lstat, open, realpath, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UserError } from './errors.js';
import { existsSync } from 'node:fs';
import { mkdir, type FileHandle } from 'node:fs/promises';
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
 * Writes inside a root that no folder swapped for a symbolic link can redirect, which a
 * path checked first and written later cannot promise. Every folder on the way is opened
 * without following links and kept open, and files are created, renamed and removed through
 * the open folder (`/proc/self/fd/N/name`: the *at() calls Node lacks), so a swap after the
 * check changes nothing. A link on the way is followed only when it leads to a folder inside
 * the root (and outside `.git/`), which is then opened the same way.
 *
 * Replacing a file is atomic: a temp file beside it (`.<name>.baton-<tag>.tmp`, the tag known
 * to the caller so a crash's leftovers can be found), fsync, rename over. Folders written in
 * are fsynced once, by `sync`, so many files cost one folder sync.
 */
export class RootWriter {
  private readonly dirs = new Map<string, Promise<OpenDir | undefined>>();
  private readonly written = new Set<OpenDir>();

  constructor(
    /** Absolute, symlink-free folder that every write stays inside. */
    private readonly root: string,
    /** Names this writer's temp files; unique per writer unless given. */
    readonly tempTag: string = randomBytes(6).toString('hex'),
  ) {}

  static tempName(name: string, tag: string): string {
    return `.${name}.baton-${tag}.tmp`;
  }

  /**
   * Creates or replaces the file. `mode` sets its mode; without one an existing file keeps
   * its own and a new one gets 0644. `beforeRename` runs when the temp file is complete.
   */
  async write(absolute: string, data: string | Uint8Array, options: { mode?: number; beforeRename?: () => void } = {}): Promise<void> {
    const { dir, name } = (await this.locate(absolute, true))!;
    const target = join(dir.path, name);
    const existing = await lstat(target).catch(() => undefined);
    if (existing?.isDirectory()) throw new UserError(`"${this.show(absolute)}" is a folder`, 'A patch changes files; name a file');
    const mode = options.mode ?? (existing?.isFile() ? existing.mode & 0o7777 : 0o644);
    const temp = join(dir.path, RootWriter.tempName(name, this.tempTag));
    const handle = await createTemp(temp, mode);
    try {
      await handle.writeFile(data);
      await handle.chmod(mode); // the umask may have narrowed the mode given to open()
      await handle.sync();
    } catch (error) {
      await handle.close();
      await unlink(temp).catch(() => {});
      throw error;
    }
    await handle.close();
    options.beforeRename?.();
    try {
      await this.recheck(dir, absolute);
      await rename(temp, target);
    } catch (error) {
      await unlink(temp).catch(() => {});
      throw error;
    }
    this.written.add(dir);
  }

  /** Removes the file; one that is already gone is fine. */
  async remove(absolute: string): Promise<void> {
    const found = await this.locate(absolute, false);
    if (!found) return;
    await this.recheck(found.dir, absolute);
    await unlink(join(found.dir.path, found.name)).catch(ignoreMissing);
    this.written.add(found.dir);
  }

  /** Removes the temp file a writer with `tag` would have left beside the file. */
  async removeTemp(absolute: string, tag: string): Promise<void> {
    const found = await this.locate(absolute, false);
    if (found) await unlink(join(found.dir.path, RootWriter.tempName(found.name, tag))).catch(ignoreMissing);
  }

  /** The file's bytes and mode, undefined when it does not exist; a link there is refused. */
  async read(absolute: string): Promise<{ data: Buffer; mode: number } | undefined> {
    const found = await this.locate(absolute, false);
    if (!found) return undefined;
    const handle = await open(join(found.dir.path, found.name), constants.O_RDONLY | constants.O_NOFOLLOW).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      if (error.code === 'ELOOP') throw new UserError(`"${this.show(absolute)}" is now a symbolic link`);
      throw error;
    });
    if (!handle) return undefined;
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw new UserError(`"${this.show(absolute)}" is not a file`);
      return { data: await handle.readFile(), mode: info.mode & 0o7777 };
    } finally {
      await handle.close();
    }
  }

  /** fsync of every folder written in: makes the renames and removals durable. */
  async sync(): Promise<void> {
    // Some file systems refuse to fsync a folder, which is harmless.
    await Promise.all([...this.written].map((dir) => dir.handle.sync().catch(() => {})));
  }

  async close(): Promise<void> {
    const dirs = await Promise.all([...this.dirs.values()].map((dir) => dir.catch(() => undefined)));
    this.dirs.clear();
    this.written.clear();
    await Promise.all([...new Set(dirs)].map((dir) => dir?.handle.close().catch(() => {})));
  }

  /** The open folder holding the file and the file's name in it; undefined if the folder is missing and `create` is false. */
  private async locate(absolute: string, create: boolean): Promise<{ dir: OpenDir; name: string } | undefined> {
    const rel = relative(this.root, absolute);
    if (!rel || rel.startsWith('..') || isAbsolute(rel)) throw new UserError(`path "${absolute}" is outside the workspace root`);
    const parts = rel.split(sep);
    const name = parts.pop()!;
    const dir = await this.openDir(parts.join('/'), create, 0);
    return dir && { dir, name };
  }

  private async openDir(rel: string, create: boolean, hops: number): Promise<OpenDir | undefined> {
    let pending = this.dirs.get(rel);
    if (!pending) {
      pending = this.openDirUncached(rel, create, hops);
      this.dirs.set(rel, pending);
      // A missing folder is looked up again next time: a later write may create it.
      pending.then(
        (dir) => dir || this.dirs.delete(rel),
        () => this.dirs.delete(rel),
      );
    }
    const dir = await pending;
    return dir || !create ? dir : this.openDir(rel, create, hops);
  }

  private async openDirUncached(rel: string, create: boolean, hops: number): Promise<OpenDir | undefined> {
    if (!rel) {
      const handle = await open(this.root, constants.O_RDONLY | constants.O_DIRECTORY);
      return { handle, path: pinnedPath(handle, this.root), real: this.root };
    }
    const parent = await this.openDir(rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '', create, hops);
    if (!parent) return undefined;
    const path = join(parent.path, rel.slice(rel.lastIndexOf('/') + 1));
    for (let attempt = 0; ; attempt++) {
      try {
        const handle = await open(path, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
        const real = join(parent.real, rel.slice(rel.lastIndexOf('/') + 1));
        return { handle, path: pinnedPath(handle, real), real };
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') {
          if (!create) return undefined;
          if (attempt === 0) {
            await mkdir(path).catch((e: NodeJS.ErrnoException) => {
              if (e.code !== 'EEXIST') throw e;
            });
            continue;
          }
        }
        if (code !== 'ENOTDIR' && code !== 'ELOOP') throw error;
        return this.followLink(path, rel, create, hops);
      }
    }
  }

  /** A link where a folder was expected: followed only to a folder inside the root and outside `.git/`. */
  private async followLink(path: string, rel: string, create: boolean, hops: number): Promise<OpenDir | undefined> {
    const info = await lstat(path).catch(() => undefined);
    if (!info?.isSymbolicLink()) throw new UserError(`"${rel}" is not a folder`, 'A file is in the way of the path; choose another path');
    const target = await realpath(path).catch(() => undefined);
    const targetRel = target === undefined ? undefined : relative(this.root, target);
    if (targetRel === undefined || targetRel.startsWith('..') || isAbsolute(targetRel) || hops >= MAX_LINK_HOPS) {
      throw new UserError(`"${rel}" leads outside the workspace root through a symlink`, 'Use a path whose target is inside the root');
    }
    if (isGitInternal(targetRel)) throw new UserError(`"${rel}" leads into .git/, which Baton never writes`, 'Change files in the work tree instead');
    return this.openDir(toPosix(targetRel), create, hops + 1);
  }

  /** Without /proc the folder is only reached by its path: check that path still leads to it. */
  private async recheck(dir: OpenDir, absolute: string): Promise<void> {
    if (dir.path !== dir.real) return;
    const [now, pinned] = await Promise.all([stat(dir.real).catch(() => undefined), dir.handle.stat()]);
    if (!now || now.ino !== pinned.ino || now.dev !== pinned.dev || (await realpath(dir.real)) !== dir.real) {
      throw new UserError(`the folder of "${this.show(absolute)}" changed while writing`, 'Try again once nothing else moves folders in the workspace');
    }
  }

  private show(absolute: string): string {
    return toPosix(relative(this.root, absolute));
  }
}

interface OpenDir {
  handle: FileHandle;
  /** The path that reaches this very folder: through its descriptor when /proc allows it. */
  path: string;
  /** Its real path when it was opened. */
  real: string;
}

/** Folder links followed for one path before giving up (a loop, or a maze). */
const MAX_LINK_HOPS = 40;

let procFd: boolean | undefined;

/** `/proc/self/fd/N` names the open folder itself, whatever happens to its path later (Linux). */
function pinnedPath(handle: FileHandle, real: string): string {
  procFd ??= existsSync(`/proc/self/fd/${handle.fd}`);
  return procFd ? `/proc/self/fd/${handle.fd}` : real;
}

async function createTemp(temp: string, mode: number): Promise<FileHandle> {
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
  try {
    return await open(temp, flags, mode);
  } catch (error) {
    // The tag is this writer's own, so a file of that name is its own leftover (a crash's).
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    await unlink(temp);
    return open(temp, flags, mode);
  }
}

function ignoreMissing(error: NodeJS.ErrnoException): void {
  if (error.code !== 'ENOENT') throw error;
}

/**
 * Writes one file atomically (see RootWriter), its folder being the root: `mode` sets the
 * mode, else an existing file keeps its own and a new one gets 0644.
 */
export async function writeFileAtomic(
  absolute: string,
  data: string | Uint8Array,
  mode?: number,
  /** false when the caller syncs the folder itself once for many files (see syncDir). */
  syncFolder = true,
): Promise<void> {
  const writer = new RootWriter(dirname(absolute));
  try {
    await writer.write(absolute, data, mode === undefined ? {} : { mode });
    if (syncFolder) await writer.sync();
  } finally {
    await writer.close();
  }
}

/** fsync of a folder: makes renames and unlinks in it durable. */
export async function syncDir(dir: string): Promise<void> {
  // Some file systems refuse to fsync a directory, which is harmless.
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
