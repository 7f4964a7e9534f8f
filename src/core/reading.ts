import { closeSync, constants, fstatSync, openSync, read, readSync, statSync, type Stats } from 'node:fs';
import { UserError } from './errors.js';

/**
 * The low half of reading a file safely, below the workspace's containment check: refuse
 * anything that is not a regular file before opening it, open without following a last
 * symlink and without blocking, check the opened handle again, and read no more than asked.
 */

/** What went wrong with a path, for callers that skip a file instead of failing. */
export type PathProblem =
  | 'outside' // lexically outside the root
  | 'escapes' // a symlink leads outside the root
  | 'missing'
  | 'folder'
  | 'not-folder' // a file used as a folder on the way
  | 'special' // FIFO, device, socket
  | 'too-large'
  | 'too-long'
  | 'loop'
  | 'denied'
  | 'git-internal';

/** A user error about a path, with what kind it is and, for a file a listing skips, a note saying why. */
export class PathError extends UserError {
  constructor(
    readonly problem: PathProblem,
    message: string,
    hint?: string,
    /** Why a listing mode left the file out ("symlink leads outside the root, not read"); unset when that goes without saying. */
    readonly note?: string,
  ) {
    super(message, hint);
  }
}

export function isPathError(error: unknown): error is PathError {
  return error instanceof PathError;
}

/** A user's path as it may appear in a one-line message: long ones keep their ends. */
export function quotePath(path: string): string {
  const shown = path.length > 120 ? `${path.slice(0, 60)}…${path.slice(-40)} (${path.length} characters)` : path;
  return `"${shown.replace(/\0/g, '\\0')}"`;
}

/** The PathError for an OS error on `userPath`, or the error itself when the user cannot have caused it. */
export function pathErrorFrom(error: unknown, userPath: string): unknown {
  const shown = quotePath(userPath);
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return new PathError('missing', `file ${shown} does not exist`, 'Check the path with mode "tree" or "search"');
    case 'ENOTDIR':
      return new PathError('not-folder', `path ${shown} does not exist: a part of it is a file, not a folder`, 'Check the path with mode "tree"');
    case 'EISDIR':
      return new PathError('folder', `${shown} is a folder`, 'Pass a file');
    case 'ENAMETOOLONG':
      return new PathError('too-long', `path ${shown} is too long for the file system`, 'Use a shorter path');
    case 'ELOOP':
      return new PathError('loop', `path ${shown} runs into a symlink loop`, 'Fix or remove the symlink', 'symlink loop, not read');
    case 'EACCES':
    case 'EPERM':
      return new PathError('denied', `permission denied for ${shown}`, 'Check the file permissions', 'permission denied, not read');
    default:
      return error;
  }
}

function kindOf(info: Stats): string {
  if (info.isFIFO()) return 'FIFO';
  if (info.isCharacterDevice()) return 'character device';
  if (info.isBlockDevice()) return 'block device';
  if (info.isSocket()) return 'socket';
  return 'special file';
}

function refuseIrregular(info: Stats, shown: string): void {
  if (info.isFile()) return;
  if (info.isDirectory()) throw new PathError('folder', `${quotePath(shown)} is a folder`, 'Pass a file');
  const kind = kindOf(info);
  throw new PathError(
    'special',
    `${quotePath(shown)} is not a regular file (${kind})`,
    'Baton reads regular files only',
    `not a regular file (${kind}), not read`,
  );
}

// O_NONBLOCK: opening a FIFO that slipped past the stat check must not wait for a writer.
// O_NOFOLLOW: the path is already resolved; a symlink appearing in its place is refused.
const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** An open regular file. Close it (`close`, or read through `readAll`/`chunks`, which do not close). */
export class OpenFile {
  constructor(
    private readonly fd: number,
    /** Size when opened. */
    readonly size: number,
    /** The path as the caller named it (root-relative). */
    readonly path: string,
    readonly stats: Stats,
  ) {}

  readSync(buffer: Uint8Array, position: number): number {
    return readSync(this.fd, buffer, 0, buffer.length, position);
  }

  read(buffer: Uint8Array, position: number): Promise<number> {
    return new Promise((resolve, reject) => read(this.fd, buffer, 0, buffer.length, position, (error, bytes) => (error ? reject(error) : resolve(bytes))));
  }

  /**
   * The file from `position` in chunks of at most `chunkSize`, until its end. Each chunk is a
   * view of one reused buffer, valid until the next one is asked for.
   */
  async *chunks(position = 0, chunkSize = 64 << 10): AsyncGenerator<Buffer> {
    const buffer = Buffer.allocUnsafe(chunkSize);
    for (;;) {
      const bytes = await this.read(buffer, position);
      if (bytes === 0) return;
      position += bytes;
      yield buffer.subarray(0, bytes);
    }
  }

  /** At most `maxBytes` from the start; synchronous, for small files on hot paths. */
  readHeadSync(maxBytes: number): Buffer {
    const buffer = Buffer.allocUnsafe(Math.min(this.size, maxBytes));
    let filled = 0;
    while (filled < buffer.length) {
      const bytes = readSync(this.fd, buffer, filled, buffer.length - filled, filled);
      if (bytes === 0) break; // shrank since fstat
      filled += bytes;
    }
    return buffer.subarray(0, filled);
  }

  async readHead(maxBytes: number): Promise<Buffer> {
    const buffer = Buffer.allocUnsafe(Math.min(this.size, maxBytes));
    let filled = 0;
    while (filled < buffer.length) {
      const bytes = await this.read(buffer.subarray(filled), filled);
      if (bytes === 0) break;
      filled += bytes;
    }
    return buffer.subarray(0, filled);
  }

  close(): void {
    closeSync(this.fd);
  }
}

/**
 * Opens `real` (a path with every symlink already resolved, checked to be inside the root) for
 * reading, as the user's `shown` path. Synchronous: after the stat says "regular file" the
 * open cannot block, and on hot paths the thread pool costs more than the syscalls.
 */
export function openRegularFile(real: string, shown: string): OpenFile {
  let fd: number;
  try {
    refuseIrregular(statSync(real), shown);
    fd = openSync(real, READ_FLAGS);
  } catch (error) {
    throw pathErrorFrom(error, shown);
  }
  try {
    const opened = fstatSync(fd);
    refuseIrregular(opened, shown); // swapped between the stat and the open
    return new OpenFile(fd, opened.size, shown, opened);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

export interface ReadOptions {
  /** Bytes read at most (default 16 MiB). */
  maxBytes?: number;
  /** With `head`, a bigger file gives its first `maxBytes`; without, it is refused. */
  head?: boolean;
}

export const DEFAULT_MAX_READ_BYTES = 16 << 20;

export function checkSize(file: OpenFile, options: ReadOptions): number {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_READ_BYTES;
  if (file.size > maxBytes && !options.head) {
    throw new PathError(
      'too-large',
      `${quotePath(file.path)} is larger than ${formatBytes(maxBytes)} (${formatBytes(file.size)})`,
      'Read a smaller file, or a line range of this one',
    );
  }
  return maxBytes;
}

function formatBytes(bytes: number): string {
  return bytes >= 1 << 20 ? `${Math.round(bytes / (1 << 20))} MB` : `${Math.round(bytes / 1024)} KB`;
}
