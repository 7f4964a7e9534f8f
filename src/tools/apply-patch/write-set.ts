import { UserError } from '../../core/errors.js';
import type { RootWriter } from '../../core/workspace.js';

/** One file to write (or, with no `after`, remove), and what to put back if the set fails. */
export interface Write {
  rel: string;
  abs: string;
  after?: Buffer;
  afterMode?: number;
  before?: Buffer;
  beforeMode?: number;
}

/** A write set that failed; `unrestored` lists the files that could not be put back either. */
export class WriteSetError extends UserError {
  constructor(
    readonly failed: string,
    readonly code: string,
    readonly unrestored: readonly string[],
  ) {
    super(
      unrestored.length
        ? `writing "${failed}" failed (${code}), and ${unrestored.length} file(s) already written could not be put back: ${unrestored.slice(0, 5).join(', ')}`
        : `writing "${failed}" failed (${code}); nothing was changed`,
      'Check permissions and free space, then try again',
    );
  }
}

/** Files written at once: each write waits on its own fsyncs, so they overlap well. */
const WRITE_CONCURRENCY = 16;

/**
 * Writes every file; if one write fails, puts back every file already touched. The folders
 * written in are synced once at the end. Across a crash the journal (see journal.ts) keeps
 * the same promise.
 */
export async function writeAllOrNothing(writer: RootWriter, writes: readonly Write[]): Promise<void> {
  const crashAt = testCrashPoint();
  let placed = 0;
  const beforePlacing = crashAt === undefined ? undefined : () => placed >= crashAt && crashNow();
  const touched: Write[] = [];
  let failure: { write: Write; error: unknown } | undefined;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (!failure && next < writes.length) {
      const write = writes[next++]!;
      touched.push(write);
      try {
        await put(writer, write.abs, write.after, write.afterMode, beforePlacing);
        placed++;
      } catch (error) {
        failure ??= { write, error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(WRITE_CONCURRENCY, writes.length) }, worker));
  if (!failure) {
    await writer.sync();
    if (crashAt !== undefined) crashNow();
    return;
  }
  const unrestored: string[] = [];
  for (const write of touched.reverse()) {
    await put(writer, write.abs, write.before, write.beforeMode).catch(() => unrestored.push(write.rel));
  }
  await writer.sync();
  const code = (failure.error as NodeJS.ErrnoException).code ?? (failure.error as Error).message;
  throw new WriteSetError(failure.write.rel, code, unrestored);
}

/** Puts `content` in place (with `mode`, when given), or removes the file when there is none. */
export async function put(writer: RootWriter, abs: string, content: Buffer | undefined, mode: number | undefined, beforePlacing?: () => void): Promise<void> {
  if (content !== undefined)
    return writer.write(abs, content, { ...(mode === undefined ? {} : { mode }), ...(beforePlacing ? { beforeRename: beforePlacing } : {}) });
  beforePlacing?.();
  await writer.remove(abs);
}

/**
 * TESTS ONLY. `BATON_TEST_CRASH_AFTER_WRITES=N` makes the process kill itself with SIGKILL,
 * standing in for `kill -9` or a power cut, once at least N files of a write set are in
 * place: when the next file's temp is complete, just before its rename (so a temp file is
 * left behind), or, when no rename is left to come (a set of N files or fewer, or the last
 * renames already under way), after the last one and before the set is marked done.
 */
function testCrashPoint(): number | undefined {
  const value = process.env.BATON_TEST_CRASH_AFTER_WRITES;
  return value && /^\d+$/.test(value) ? Number(value) : undefined;
}

function crashNow(): void {
  process.kill(process.pid, 'SIGKILL');
}
