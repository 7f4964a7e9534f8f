import { createHash, randomBytes } from 'node:crypto';
import { constants, readFileSync, writeSync } from 'node:fs';
import { access, chmod, mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UserError } from './errors.js';
import { syncDir } from './workspace.js';

/**
 * The state dir holds everything Baton remembers, one folder per workspace, so nothing is
 * ever written inside the user's repository:
 *
 *   <stateDir>/<name>-<hash of root>/workspace.json   which root this folder belongs to
 *                                    jobs/<id>.json    long calls and their results
 *                                    ...               (sessions, caches: added by their tools)
 *
 * What is kept there can be private (tasks, code, test output): folders are created 0700 and
 * files 0600 (STATE_DIR_MODE, STATE_FILE_MODE), whatever the umask allows beyond that.
 */
export const STATE_DIR_MODE = 0o700;
export const STATE_FILE_MODE = 0o600;

export class WorkspaceState {
  private constructor(
    /** The folder of this workspace inside the state dir. */
    readonly dir: string,
  ) {}

  static async open(stateDir: string, root: string): Promise<WorkspaceState> {
    await ensureWritableDir(stateDir);
    const dir = join(stateDir, workspaceKey(root));
    await mkdir(dir, { recursive: true, mode: STATE_DIR_MODE });
    await chmod(dir, STATE_DIR_MODE); // a folder made by an older Baton may be wider
    const meta = join(dir, 'workspace.json');
    if (!(await exists(meta))) await writeJsonAtomic(meta, { root, createdAt: new Date().toISOString() });
    return new WorkspaceState(dir);
  }

  /** A path inside this workspace's state folder; the folder is created on demand by writers. */
  path(...parts: string[]): string {
    return join(this.dir, ...parts);
  }
}

/** A readable, collision-free folder name for a root: its base name plus a hash of the full path. */
export function workspaceKey(root: string): string {
  const name =
    basename(root)
      .replace(/[^A-Za-z0-9._-]/g, '_')
      .slice(0, 40) || 'root';
  const hash = createHash('sha256').update(root).digest('hex').slice(0, 12);
  return `${name}-${hash}`;
}

/** Creates the dir if needed and proves it can be written, else a UserError saying why. */
export async function ensureWritableDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: STATE_DIR_MODE });
    await access(dir, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new UserError(`state dir ${dir} is not writable (${code})`, 'Pass --state-dir or set BATON_STATE_DIR to a writable folder');
  }
}

/**
 * Appends one record as one line with a single write, then fsyncs. One `write` on an
 * O_APPEND file lands whole, so two processes appending to the same log never interleave.
 */
export async function appendJsonl(file: string, record: unknown): Promise<void> {
  await appendJsonlLines(file, [record]);
}

/** Several records in one write and one sync (whole lines, never interleaved), then closed. */
export async function appendJsonlLines(file: string, records: readonly unknown[]): Promise<void> {
  const appender = new JsonlAppender(file);
  try {
    await appender.append(records);
  } finally {
    await appender.close();
  }
}

/**
 * A JSONL file kept open for appending: a log written on every tool call should cost one
 * write and one fdatasync, not an open, a check and a close each time. The torn-line check
 * runs once, when the file is opened.
 */
export class JsonlAppender {
  private handle: Promise<{ file: import('node:fs/promises').FileHandle; prefix: string }> | undefined;
  private syncing: Promise<void> | undefined;
  private unsynced = false;

  constructor(private readonly file: string) {}

  /** Appends the records and waits until they are on disk. */
  async append(records: readonly unknown[]): Promise<void> {
    await this.write(records);
    await this.sync();
  }

  /**
   * Appends the records with one write(2): once this resolves, a killed process loses none of
   * them (the kernel has them); only a machine crash before the next `sync` could.
   */
  async write(records: readonly unknown[]): Promise<void> {
    if (!records.length) return;
    this.handle ??= this.openForAppend();
    const opened = await this.handle;
    const text = opened.prefix + records.map((record) => JSON.stringify(record) + '\n').join('');
    opened.prefix = '';
    // Synchronous: one small write costs less than a trip through the thread pool, and lines
    // written in call order stay in call order.
    writeSync(opened.file.fd, text);
    this.unsynced = true;
  }

  /** Resolves once everything written so far is on disk; concurrent callers share one fdatasync. */
  sync(): Promise<void> {
    if (!this.unsynced && !this.syncing) return Promise.resolve();
    this.syncing ??= (async () => {
      try {
        const { file } = await this.handle!;
        while (this.unsynced) {
          this.unsynced = false;
          await file.datasync();
        }
      } finally {
        this.syncing = undefined;
      }
    })();
    return this.syncing;
  }

  private async openForAppend(): Promise<{ file: import('node:fs/promises').FileHandle; prefix: string }> {
    await mkdir(dirname(this.file), { recursive: true, mode: STATE_DIR_MODE });
    const file = await open(this.file, 'a+', STATE_FILE_MODE);
    // After a crash mid-write the file ends in a torn line; start on a fresh line so the next
    // record is not glued to it (the torn line alone is skipped by readers).
    const { size } = await file.stat();
    const last = Buffer.alloc(1);
    const torn = size > 0 && (await file.read(last, 0, 1, size - 1)).bytesRead === 1 && last[0] !== 0x0a;
    return { file, prefix: torn ? '\n' : '' };
  }

  async close(): Promise<void> {
    await this.sync();
    const opened = await this.handle;
    this.handle = undefined;
    await opened?.file.close();
  }
}

export interface JsonlContents<T> {
  records: T[];
  /** Lines that did not parse: a torn last line after a crash, or damage. They are skipped. */
  skipped: number;
}

/** Reads a JSONL file; a missing file is empty, and a line that does not parse is skipped. */
export async function readJsonl<T = unknown>(file: string): Promise<JsonlContents<T>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], skipped: 0 };
    throw error;
  }
  return parseJsonl<T>(text);
}

export function parseJsonl<T = unknown>(text: string): JsonlContents<T> {
  const records: T[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      records.push(JSON.parse(line) as T);
    } catch {
      skipped++;
    }
  }
  return { records, skipped };
}

/** Writes JSON through a temp file, fsync and rename: a reader sees the old file or the new one. */
export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, [JSON.stringify(value)]);
}

/**
 * A state file's bytes, read at once, or undefined when it is missing or unreadable. Synchronous
 * on purpose: fs/promises reads a large file in 512 KiB steps, each a trip through the thread
 * pool that other work is queued in, and the stores read this way (tens of MB) then take many
 * times longer to arrive than one read takes.
 */
export function readStateFile(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Writes the parts, one after the other, through a temp file, fsync and rename, like writeJsonAtomic. */
export async function writeFileAtomic(file: string, parts: ReadonlyArray<string | Uint8Array>): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: STATE_DIR_MODE });
  const temp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const handle = await open(temp, 'w', STATE_FILE_MODE);
    try {
      for (const part of parts) await handle.writeFile(part); // whole, from where the last part ended
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
}

/** writeJsonAtomic, then the folder synced: once this returns the file survives a power cut. */
export async function writeJsonDurable(file: string, value: unknown): Promise<void> {
  await writeJsonAtomic(file, value);
  await syncDir(dirname(file));
}

/** Removes a state file (one already gone is fine), the removal synced with `durable`. */
export async function removeStateFile(file: string, durable = false): Promise<void> {
  await unlink(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  if (durable) await syncDir(dirname(file));
}

/** The names in a state folder; none when it does not exist. */
export async function listStateDir(dir: string): Promise<string[]> {
  return readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
}

/** Reads a JSON file and removes it, claimed by a rename first so two readers never both get it. */
export async function takeJson<T>(file: string): Promise<T | undefined> {
  const claimed = `${file}.${randomBytes(4).toString('hex')}.taken`;
  try {
    await rename(file, claimed);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return await readJson<T>(claimed);
  } finally {
    await unlink(claimed).catch(() => {});
  }
}

export async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as T;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
