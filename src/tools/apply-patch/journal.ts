import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { UserError, describeError } from '../../core/errors.js';
import { listStateDir, readJson, removeStateFile, takeJson, writeJsonDurable, type WorkspaceState } from '../../core/state.js';
import { RootWriter, withPathLocks, type Workspace } from '../../core/workspace.js';
import { markUndone, readCheckpoint, type PreImage } from './checkpoints.js';
import { describeRecovery } from './render.js';
import { put } from './write-set.js';
import type { RecoveredApply } from './schema.js';

/**
 * The journal makes all-or-nothing hold across a crash. Before the first file of a set is
 * written, `<state>/apply-journal/<checkpoint>.<kind>.json` records which files, what each
 * is to become and the tag of the temp files, and is synced (the pre-images are already in
 * the checkpoint); after the last file it is removed. A journal left behind by a process
 * that is gone means that process stopped mid-set: at start-up an apply is rolled back to
 * its checkpoint, an undo is finished (its target is the checkpoint), temp files are
 * removed, and what was done is told in the log and in the next apply-patch result.
 */

const JOURNAL_DIR = 'apply-journal';
const RECOVERED_NOTE = 'apply-recovered.json';
const RESTORE_CONCURRENCY = 16;
/** Paths named per recovered set in a result; the count says how many there were. */
const SHOWN_FILES = 20;

export interface JournalEntry {
  kind: 'apply' | 'undo';
  checkpoint: string;
  /** Temp files of the set are `.<name>.baton-<tag>.tmp` beside each file. */
  tag: string;
  /** Root-relative paths; for an apply, the sha256 of what each becomes (null: removed). */
  files: Array<{ path: string; after?: string | null }>;
}

interface StoredJournal extends JournalEntry {
  version: 1;
  owner: Owner;
  startedAt: string;
}

/** Which process wrote a journal, so a live one's is never taken for a crashed one's. */
interface Owner {
  pid: number;
  host: string;
  /** The process's start time (Linux), which tells a reused pid from the owner. */
  started?: string;
}

/** One repaired set, as the result's `recovered` reports it. */
export type { RecoveredApply };

export interface RecoveryLog {
  warn(message: string): void;
}

/** Journals of this process's sets in flight: never recovered from under them. */
const live = new Set<string>();

export function contentHash(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/** Records the set durably; `done` removes the record once every file is in place. */
export async function beginJournal(state: WorkspaceState, entry: JournalEntry): Promise<{ done: () => Promise<void> }> {
  const file = state.path(JOURNAL_DIR, `${entry.checkpoint}.${entry.kind}.json`);
  live.add(file);
  try {
    await writeJsonDurable(file, { version: 1, ...entry, owner: self(), startedAt: new Date().toISOString() } satisfies StoredJournal);
  } catch (error) {
    live.delete(file);
    throw error;
  }
  return {
    done: async () => {
      await removeStateFile(file, true);
      live.delete(file);
    },
  };
}

/**
 * Finishes what a crashed process left: call it when a workspace is opened, before any tool
 * runs in it. Never throws: what cannot be repaired now is logged and left for the next start.
 */
export async function recoverUnfinishedApplies(state: WorkspaceState, workspace: Workspace, log?: RecoveryLog): Promise<RecoveredApply[]> {
  const dir = state.path(JOURNAL_DIR);
  const recovered: RecoveredApply[] = [];
  try {
    for (const name of await listStateDir(dir)) {
      const file = join(dir, name);
      if (!name.endsWith('.json') || live.has(file)) continue;
      try {
        const entry = await readJson<StoredJournal>(file);
        if (!entry || !ownerGone(entry.owner)) continue;
        const result = await recoverOne(state, workspace, entry);
        await removeStateFile(file, true);
        if (!result) continue;
        recovered.push(result);
        log?.warn(`apply-patch: ${describeRecovery(result)}`);
      } catch (error) {
        log?.warn(`apply-patch: could not recover the interrupted set in ${file} (${describeError(error)}); it is tried again at the next start`);
      }
    }
    if (recovered.length) {
      const earlier = (await readJson<RecoveredApply[]>(state.path(RECOVERED_NOTE)).catch(() => undefined)) ?? [];
      await writeJsonDurable(state.path(RECOVERED_NOTE), [...earlier, ...recovered]);
    }
  } catch (error) {
    log?.warn(`apply-patch: recovery of interrupted patches failed (${describeError(error)})`);
  }
  return recovered;
}

/** What recovery did since the last apply-patch result, once: the next result carries it. */
export async function takeRecoveredNote(state: WorkspaceState): Promise<RecoveredApply[]> {
  return (await takeJson<RecoveredApply[]>(state.path(RECOVERED_NOTE)).catch(() => undefined)) ?? [];
}

async function recoverOne(state: WorkspaceState, workspace: Workspace, entry: StoredJournal): Promise<RecoveredApply | undefined> {
  const checkpoint = await readCheckpoint(state, entry.checkpoint);
  // The set's own tag: temp files of a recovery that is itself interrupted are found next time.
  const writer = new RootWriter(workspace.root, entry.tag);
  const targets = await Promise.all(
    entry.files.map(async (file) => ({ ...file, abs: await workspace.resolve(file.path, { forWrite: true }).catch(() => undefined) })),
  );
  return withPathLocks(
    targets.flatMap((target) => (target.abs ? [target.abs] : [])),
    async () => {
      try {
        for (const target of targets) if (target.abs) await writer.removeTemp(target.abs, entry.tag).catch(() => {});
        // No checkpoint: the crash came before it was complete, so before any write. A
        // finished undo: the crash came after its last write.
        if (!checkpoint || (entry.kind === 'undo' && checkpoint.undoneAt)) return undefined;
        const after = new Map(entry.files.map((file) => [file.path, file.after]));
        const leftAlone: string[] = [];
        // A few at a time: each restore waits on its own fsync.
        for (let start = 0; start < checkpoint.images.length; start += RESTORE_CONCURRENCY) {
          const batch = checkpoint.images.slice(start, start + RESTORE_CONCURRENCY);
          const restored = await Promise.all(
            batch.map((image) => restore(writer, workspace, image, entry.kind === 'apply' ? after.get(image.path) : undefined, entry.kind === 'undo')),
          );
          for (const [n, image] of batch.entries()) if (!restored[n]) leftAlone.push(image.path);
        }
        await writer.sync();
        if (!leftAlone.length || entry.kind === 'undo')
          await markUndone(state, entry.checkpoint, entry.kind === 'apply' ? 'rolled back after Baton stopped in the middle of the apply' : undefined);
        const files = checkpoint.images.map((image) => image.path);
        return {
          checkpoint: entry.checkpoint,
          action: entry.kind === 'apply' ? 'rolled-back' : 'undo-finished',
          fileCount: files.length,
          files: files.slice(0, SHOWN_FILES),
          ...(leftAlone.length ? { leftAlone } : {}),
        };
      } finally {
        await writer.close();
      }
    },
  );
}

/**
 * Puts a pre-image back. Without `always`, only over what the set left (the pre-image or
 * the content the set wrote): a file someone changed since the crash is left alone (false).
 */
async function restore(writer: RootWriter, workspace: Workspace, image: PreImage, after: string | null | undefined, always: boolean): Promise<boolean> {
  let abs: string;
  let now: { data: Buffer; mode: number } | undefined;
  try {
    abs = await workspace.resolve(image.path, { forWrite: true });
    now = await writer.read(abs);
  } catch (error) {
    if (error instanceof UserError) return false;
    throw error;
  }
  const asBefore = image.content ? now !== undefined && now.data.equals(image.content) : now === undefined;
  const asAfter = after === null ? now === undefined : after !== undefined && now !== undefined && contentHash(now.data) === after;
  if (!always && !asBefore && !asAfter) return false;
  if (asBefore && (!now || image.mode === undefined || now.mode === image.mode)) return true;
  await put(writer, abs, image.content, image.mode);
  return true;
}

let ownIdentity: Owner | undefined;

function self(): Owner {
  if (!ownIdentity) {
    const started = startTimeOf(process.pid);
    ownIdentity = { pid: process.pid, host: hostname(), ...(started ? { started } : {}) };
  }
  return ownIdentity;
}

/** Whether the process that wrote a journal is gone (so its set will never be finished by it). */
function ownerGone(owner: Owner | undefined): boolean {
  if (!owner || typeof owner.pid !== 'number') return true;
  // Another machine sharing the state dir: its processes cannot be seen from here.
  if (owner.host !== hostname()) return false;
  // This process's own sets in flight are in `live`; any other with its pid is a previous
  // incarnation's (a container restarts its server with the same pid).
  if (owner.pid === process.pid) return true;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
  const started = startTimeOf(owner.pid);
  return owner.started !== undefined && started !== undefined && started !== owner.started;
}

/** Field 22 of /proc/<pid>/stat: when the process started, in clock ticks since boot. */
function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}
