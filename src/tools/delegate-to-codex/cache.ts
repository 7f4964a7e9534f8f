import { createHash } from 'node:crypto';
import { readJson, writeJsonAtomic } from '../../core/state.js';
import type { ToolContext } from '../../core/context.js';
import { fileHash, listFiles } from '../../core/files.js';
import { redactDeep } from '../../core/secrets.js';
import type { DelegateOutput } from './schema.js';

/**
 * Identical read-only delegations on an unchanged workspace are answered from a cache, keyed
 * by task, model, effort and backend, and valid only while everything the run read still
 * hashes the same. A run that looked at the tree as a whole (search, map, overview) depends
 * on the whole listing, so its entry also holds a fingerprint of that.
 */
interface Entry {
  reads: Array<{ path: string; hash: string }>;
  output: DelegateOutput;
}

export async function cachedDelegation(context: ToolContext, key: string): Promise<DelegateOutput | undefined> {
  const entry = await readJson<Entry>(context.state.path('delegate-cache', `${key}.json`)).catch(() => undefined);
  if (!entry) return undefined;
  for (const read of entry.reads) if ((await currentHash(context, read.path)) !== read.hash) return undefined;
  return entry.output;
}

export async function storeDelegationCache(
  context: ToolContext,
  key: string,
  reads: Array<{ path: string; hash: string }>,
  output: DelegateOutput,
): Promise<void> {
  const unique = new Map<string, string>();
  for (const read of reads) unique.set(read.path, read.path === '*' ? await currentHash(context, '*') : read.hash);
  await writeJsonAtomic(context.state.path('delegate-cache', `${key}.json`), {
    reads: [...unique].map(([path, hash]) => ({ path, hash })),
    output: redactDeep(output),
  } satisfies Entry);
}

/** Files are read through the workspace: one Baton does not read (a symlink out of the root) hashes to a marker. */
async function currentHash(context: ToolContext, path: string): Promise<string> {
  if (path !== '*') return fileHash(context.workspace, path);
  // The whole tree: every listed file with the hash of its content.
  const hash = createHash('sha1');
  for (const file of (await listFiles(context.workspace)).paths)
    hash
      .update(file)
      .update('\0')
      .update(await fileHash(context.workspace, file))
      .update('\0');
  return hash.digest('hex');
}
