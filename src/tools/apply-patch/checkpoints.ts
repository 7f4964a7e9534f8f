import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { UserError } from '../../core/errors.js';
import { readJson, STATE_FILE_MODE, writeJsonAtomic, type WorkspaceState } from '../../core/state.js';
import { syncDir } from '../../core/workspace.js';

/**
 * Checkpoints: the pre-images of every file a patch touches, stored before anything is
 * written, so `{undo: id}` restores exactly what was there (and a crash mid-write can too).
 *
 *   <state>/checkpoints/<id>/checkpoint.json   which files, whether each existed, its mode,
 *                                              where its bytes are in `images`
 *   <state>/checkpoints/<id>/images            the bytes of all files as they were, one after another
 *
 * One file of images costs one fsync however many files a patch touches. Checkpoints stored
 * before that kept file n's bytes in `<id>/<n>`; they are read as they are.
 */

export interface PreImage {
  /** Root-relative path. */
  path: string;
  /** undefined: the file did not exist (undo deletes it). */
  content?: Buffer;
  mode?: number;
}

interface StoredFile {
  path: string;
  existed: boolean;
  mode?: number;
  /** Where the bytes are in `images`; absent in older checkpoints (their bytes are in `<n>`). */
  offset?: number;
  length?: number;
}

interface StoredCheckpoint {
  id: string;
  createdAt: string;
  files: StoredFile[];
  undoneAt?: string;
  /** Why it was undone when no one asked: the apply was rolled back (after a crash, or a failed write). */
  rolledBack?: string;
}

const ID_PATTERN = /^cp-[0-9a-f]{12}$/;

function folder(state: WorkspaceState, id: string): string {
  return state.path('checkpoints', id);
}

export function newCheckpointId(): string {
  return `cp-${randomBytes(6).toString('hex')}`;
}

/** Stores the pre-images durably: the images, the index, and the folder entries, each synced. */
export async function saveCheckpoint(state: WorkspaceState, id: string, images: readonly PreImage[]): Promise<void> {
  const dir = folder(state, id);
  await mkdir(dir, { recursive: true });
  let offset = 0;
  const files: StoredFile[] = images.map((image) => {
    const stored: StoredFile = { path: image.path, existed: image.content !== undefined, ...(image.mode === undefined ? {} : { mode: image.mode }) };
    if (!image.content) return stored;
    stored.offset = offset;
    stored.length = image.content.length;
    offset += image.content.length;
    return stored;
  });
  const contents = images.flatMap((image) => (image.content ? [image.content] : []));
  await Promise.all([
    contents.length ? writeFile(`${dir}/images`, Buffer.concat(contents), { flush: true, mode: STATE_FILE_MODE }) : undefined,
    writeJsonAtomic(`${dir}/checkpoint.json`, { id, createdAt: new Date().toISOString(), files } satisfies StoredCheckpoint),
  ]);
  await syncDir(dir);
}

/** The pre-images of a checkpoint that has not been undone yet. */
export async function loadCheckpoint(state: WorkspaceState, id: string): Promise<PreImage[]> {
  const found = await readCheckpoint(state, id);
  if (!found) throw new UserError(`no checkpoint ${id} in this workspace`, 'Use the checkpoint id an earlier apply-patch returned');
  if (found.rolledBack)
    throw new UserError(
      `checkpoint ${id} was ${found.rolledBack}: nothing of that patch is applied`,
      'Nothing to restore; apply the patch again if you need it',
    );
  if (found.undoneAt)
    throw new UserError(`checkpoint ${id} was already undone at ${found.undoneAt}`, 'Nothing to restore; apply the patch again if you need it');
  return found.images;
}

/** A checkpoint whatever its state, or undefined when there is none (or it was never completed). */
export async function readCheckpoint(state: WorkspaceState, id: string): Promise<{ images: PreImage[]; undoneAt?: string; rolledBack?: string } | undefined> {
  const stored = ID_PATTERN.test(id) ? await readJson<StoredCheckpoint>(`${folder(state, id)}/checkpoint.json`) : undefined;
  if (!stored) return undefined;
  const packed = stored.files.some((file) => file.offset !== undefined) ? await readFile(`${folder(state, id)}/images`) : undefined;
  const images = await Promise.all(
    stored.files.map(async (file, n) => {
      let content: Buffer | undefined;
      if (file.existed)
        content = packed && file.offset !== undefined ? packed.subarray(file.offset, file.offset + file.length!) : await readFile(`${folder(state, id)}/${n}`);
      return { path: file.path, ...(content ? { content } : {}), ...(file.mode === undefined ? {} : { mode: file.mode }) };
    }),
  );
  return { images, ...(stored.undoneAt ? { undoneAt: stored.undoneAt } : {}), ...(stored.rolledBack ? { rolledBack: stored.rolledBack } : {}) };
}

/** Marks the checkpoint undone; with `rolledBack`, says that it was never applied as a whole. */
export async function markUndone(state: WorkspaceState, id: string, rolledBack?: string): Promise<void> {
  const file = `${folder(state, id)}/checkpoint.json`;
  const stored = await readJson<StoredCheckpoint>(file);
  if (stored) await writeJsonAtomic(file, { ...stored, undoneAt: new Date().toISOString(), ...(rolledBack ? { rolledBack } : {}) });
}
