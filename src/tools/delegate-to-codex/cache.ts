import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readJson, writeJsonAtomic } from '../../core/state.js';
import { listFiles } from '../../core/files.js';
import { redactDeep } from '../../core/secrets.js';
import type { ToolContext } from '../../core/context.js';
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

export async function storeDelegationCache(context: ToolContext, key: string, reads: Array<{ path: string; hash: string }>, output: DelegateOutput): Promise<void> {
  const unique = new Map<string, string>();
  for (const read of reads) unique.set(read.path, read.path === '*' ? await currentHash(context, '*') : read.hash);
  await writeJsonAtomic(context.state.path('delegate-cache', `${key}.json`), { reads: [...unique].map(([path, hash]) => ({ path, hash })), output: redactDeep(output) } satisfies Entry);
}

async function currentHash(context: ToolContext, path: string): Promise<string> {
  const hash = createHash('sha1');
  if (path !== '*') return hash.update(await readFile(join(context.workspace.root, path)).catch(() => Buffer.alloc(0))).digest('hex');
  // The whole tree: every listed file with its content.
  for (const file of (await listFiles(context.workspace)).paths) {
    hash.update(file).update('\0').update(await readFile(join(context.workspace.root, file)).catch(() => Buffer.alloc(0)));
  }
  return hash.digest('hex');
}
