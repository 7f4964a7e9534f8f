import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { UserError } from '../../core/errors.js';
import { readJson, STATE_FILE_MODE, writeJsonAtomic, type WorkspaceState } from '../../core/state.js';

/**
 * Checkpoints: the pre-images of every file a patch touches, stored before anything is
 * written, so `{undo: id}` restores exactly what was there (and a crash mid-write can too).
 *
 *   <state>/checkpoints/<id>/checkpoint.json   which files, whether each existed, its mode
 *   <state>/checkpoints/<id>/<n>               the bytes of file n as it was
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
}

interface StoredCheckpoint {
  id: string;
  createdAt: string;
  files: StoredFile[];
  undoneAt?: string;
}

const ID_PATTERN = /^cp-[0-9a-f]{12}$/;

function folder(state: WorkspaceState, id: string): string {
  return state.path('checkpoints', id);
}

export async function saveCheckpoint(state: WorkspaceState, images: readonly PreImage[]): Promise<string> {
  const id = `cp-${randomBytes(6).toString('hex')}`;
  const dir = folder(state, id);
  await mkdir(dir, { recursive: true });
  await Promise.all(images.map((image, n) => (image.content ? writeFile(`${dir}/${n}`, image.content, { flush: true, mode: STATE_FILE_MODE }) : undefined)));
  const files = images.map((image) => ({ path: image.path, existed: image.content !== undefined, ...(image.mode === undefined ? {} : { mode: image.mode }) }));
  await writeJsonAtomic(`${dir}/checkpoint.json`, { id, createdAt: new Date().toISOString(), files } satisfies StoredCheckpoint);
  return id;
}

/** The pre-images of a checkpoint that has not been undone yet. */
export async function loadCheckpoint(state: WorkspaceState, id: string): Promise<PreImage[]> {
  const stored = ID_PATTERN.test(id) ? await readJson<StoredCheckpoint>(`${folder(state, id)}/checkpoint.json`) : undefined;
  if (!stored) throw new UserError(`no checkpoint ${id} in this workspace`, 'Use the checkpoint id an earlier apply-patch returned');
  if (stored.undoneAt) throw new UserError(`checkpoint ${id} was already undone at ${stored.undoneAt}`, 'Nothing to restore; apply the patch again if you need it');
  return Promise.all(
    stored.files.map(async (file, n) => ({
      path: file.path,
      ...(file.existed ? { content: await readFile(`${folder(state, id)}/${n}`) } : {}),
      ...(file.mode === undefined ? {} : { mode: file.mode }),
    })),
  );
}

export async function markUndone(state: WorkspaceState, id: string): Promise<void> {
  const file = `${folder(state, id)}/checkpoint.json`;
  const stored = await readJson<StoredCheckpoint>(file);
  if (stored) await writeJsonAtomic(file, { ...stored, undoneAt: new Date().toISOString() });
}
