import { execFileSync } from 'node:child_process';
import { constants, closeSync, openSync } from 'node:fs';
import { symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentHash } from '../../src/core/files.js';
import { WorkspaceState } from '../../src/core/state.js';
import { Workspace } from '../../src/core/workspace.js';
import { runAgentTool } from '../../src/tools/delegate-to-codex/agent-tools.js';
import { cachedDelegation, storeDelegationCache } from '../../src/tools/delegate-to-codex/cache.js';
import type { DelegateOutput } from '../../src/tools/delegate-to-codex/schema.js';
import type { RunTestsContext } from '../../src/tools/run-tests/run.js';
import { tempDir, writeFiles } from '../helpers/repo.js';

/** The delegate's cache and its read-only model read files the way repo-scan does: contained, regular files only. */
describe('delegate reads', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let context: RunTestsContext;
  let outside: string;
  const output = { status: 'done', report: 'cached answer' } as unknown as DelegateOutput;

  beforeAll(async () => {
    dir = await tempDir();
    outside = join(dir.path, 'outside.txt');
    await writeFile(outside, 'outside v1\n');
    const root = join(dir.path, 'plain');
    await writeFiles(root, { 'a.txt': 'inside\n' });
    await symlink(outside, join(root, 'leak.txt'));
    await symlink('a.txt', join(root, 'inner.txt'));
    const workspace = await Workspace.open(root);
    const state = await WorkspaceState.open(join(dir.path, 'state'), workspace.root);
    context = { workspace, state } as unknown as RunTestsContext;
  });
  afterAll(() => dir.cleanup());

  it('a cached whole-tree answer does not depend on what a symlink out of the root points at', async () => {
    await storeDelegationCache(context, 'tree', [{ path: '*', hash: '*' }], output);
    await writeFile(outside, 'outside v2, a different length\n');
    expect(await cachedDelegation(context, 'tree')).toEqual(output);
    // Positive control: a change inside the root, also seen through an inner symlink, invalidates it.
    await writeFile(join(context.workspace.root, 'a.txt'), 'changed\n');
    expect(await cachedDelegation(context, 'tree')).toBeUndefined();
  });

  it('hashes what the model read through a symlink inside the root', async () => {
    const run = await runAgentTool('repo_scan', JSON.stringify({ mode: 'read', path: 'inner.txt' }), 'read-only', context);
    const content = (await import('node:fs')).readFileSync(join(context.workspace.root, 'a.txt'));
    expect(run.read).toEqual({ path: 'inner.txt', hash: contentHash(content) });
    const refused = await runAgentTool('repo_scan', JSON.stringify({ mode: 'read', path: 'leak.txt' }), 'read-only', context);
    expect(refused.output).toMatch(/^error: .*outside the workspace root/);
  });

  it('a FIFO in the tree does not block the whole-tree hash', async () => {
    const fifo = join(context.workspace.root, 'pipe');
    execFileSync('mkfifo', [fifo]);
    let timer: NodeJS.Timeout | undefined;
    try {
      const stored = storeDelegationCache(context, 'fifo', [{ path: '*', hash: '*' }], output);
      const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('blocked on the FIFO')), 10_000)));
      await Promise.race([stored, timeout]);
      expect(await cachedDelegation(context, 'fifo')).toEqual(output);
    } finally {
      clearTimeout(timer);
      try {
        closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK)); // frees a reader stuck opening it
      } catch {
        // nobody waiting
      }
    }
  });
});
