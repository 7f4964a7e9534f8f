import { spawn } from 'node:child_process';
import { chmod, lstat, readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WorkspaceState } from '../../src/core/state.js';
import { Workspace } from '../../src/core/workspace.js';
import { recoverUnfinishedApplies } from '../../src/tools/apply-patch/journal.js';
import { applyPatch } from '../../src/tools/apply-patch/patch.js';
import { ApplyPatchInput } from '../../src/tools/apply-patch/schema.js';
import { gitStyleDiff } from '../helpers/patch.js';
import { tempDir, writeFiles } from '../helpers/repo.js';
import { CLI, startServer } from '../helpers/server.js';

/**
 * A crash in the middle of a 400-file apply, for real: the built CLI applies the patch and
 * kills itself with SIGKILL at a chosen moment (BATON_TEST_CRASH_AFTER_WRITES, a test-only
 * hook); then start-up recovery must leave every file entirely as before, no temp file,
 * no journal, and say what it did.
 */
const UPDATED = 380;
const DELETED = 10;
const ADDED = 10;
const TOTAL = UPDATED + DELETED + ADDED;

type Snapshot = Map<string, { content: string; mode: number }>;

describe('apply-patch across a crash', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let root: string;
  let stateDir: string;
  let original: Snapshot;
  let patchFile: string;

  const path = (f: number) => `src/d${f % 7}/file${f}.txt`;
  const content = (f: number, version: string) =>
    Array.from({ length: 12 }, (_, i) => `line ${i} of file ${f}${i === 6 ? ` ${version}` : ''}`).join('\n') + '\n';

  beforeEach(async () => {
    dir = await tempDir();
    root = join(dir.path, 'ws');
    stateDir = join(dir.path, 'state');
    const files: Record<string, string> = {};
    for (let f = 0; f < UPDATED + DELETED; f++) files[path(f)] = content(f, 'old');
    await writeFiles(root, files);
    await chmod(join(root, path(3)), 0o755);
    const sections: string[] = [];
    for (let f = 0; f < UPDATED; f++) sections.push(gitStyleDiff(path(f), content(f, 'old'), content(f, 'new')));
    // One file also loses its executable bit, so modes are rolled back too.
    sections[3] = sections[3]!.replace(/^index .*$/m, 'old mode 100755\nnew mode 100644');
    for (let f = UPDATED; f < UPDATED + DELETED; f++) {
      const lines = content(f, 'old').trimEnd().split('\n');
      sections.push(
        `diff --git a/${path(f)} b/${path(f)}\ndeleted file mode 100644\n--- a/${path(f)}\n+++ /dev/null\n@@ -1,${lines.length} +0,0 @@\n${lines.map((l) => `-${l}`).join('\n')}\n`,
      );
    }
    for (let a = 0; a < ADDED; a++) {
      const lines = content(1000 + a, 'new')
        .trimEnd()
        .split('\n');
      sections.push(
        `diff --git a/added/n${a}.txt b/added/n${a}.txt\nnew file mode 100644\n--- /dev/null\n+++ b/added/n${a}.txt\n@@ -0,0 +1,${lines.length} @@\n${lines.map((l) => `+${l}`).join('\n')}\n`,
      );
    }
    patchFile = join(dir.path, 'big.patch');
    await writeFile(patchFile, sections.join(''));
    original = await snapshot(root);
  });
  afterEach(() => dir.cleanup());

  const runApply = (args: string[], env: Record<string, string>) =>
    new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, 'apply', ...args, '--root', root, '--state-dir', stateDir], {
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('exit', (code, signal) => resolve({ code, signal, stderr }));
    });

  const open = async () => {
    const workspace = await Workspace.open(root);
    return { workspace, state: await WorkspaceState.open(stateDir, workspace.root) };
  };

  const recover = async () => {
    const services = await open();
    const warnings: string[] = [];
    const recovered = await recoverUnfinishedApplies(services.state, services.workspace, { warn: (message) => warnings.push(message) });
    return { services, recovered, warnings, journal: await readdir(services.state.path('apply-journal')).catch(() => []) };
  };

  /** Files of the set already changed: added, rewritten or removed (temps aside). */
  const changedFiles = (snap: Snapshot) =>
    [...snap.entries()].filter(([p, f]) => !p.includes('.baton-') && original.get(p)?.content !== f.content).length +
    [...original.keys()].filter((p) => !snap.has(p)).length;
  const temps = (snap: Snapshot) => [...snap.keys()].filter((p) => p.includes('.baton-'));

  it('positive control: without a crash the whole set lands, and recovery finds nothing to do', async () => {
    const run = await runApply([patchFile], {});
    expect(run).toMatchObject({ code: 0, signal: null });
    const after = await snapshot(root);
    expect(temps(after)).toEqual([]);
    expect(after.size).toBe(original.size - DELETED + ADDED);
    expect(after.get(path(0))!.content).toBe(content(0, 'new'));
    expect(after.get(path(3))!.mode).toBe(0o644);
    const { recovered, journal } = await recover();
    expect(recovered).toEqual([]);
    expect(journal).toEqual([]);
    expect(await snapshot(root)).toEqual(after);
  });

  // 0: before the first rename; 137 and 399: mid-way; TOTAL: after the last write, before the
  // set was marked done (all-or-nothing: that one is rolled back too).
  it.each([0, 1, 137, TOTAL - 1, TOTAL])(
    'SIGKILL after %i files: recovery rolls every file back, removes temps and the journal, and says so',
    async (crashAfter) => {
      const run = await runApply([patchFile], { BATON_TEST_CRASH_AFTER_WRITES: String(crashAfter) });
      expect(run.signal).toBe('SIGKILL');

      const crashed = await snapshot(root);
      // The crash really came mid-set: at least N files changed, and with many renames still to
      // come it came before one of them, leaving its temp file.
      expect(changedFiles(crashed)).toBeGreaterThanOrEqual(crashAfter);
      if (crashAfter <= 137) expect(temps(crashed).length).toBeGreaterThan(0);

      const { services, recovered, warnings, journal } = await recover();
      expect(await snapshot(root)).toEqual(original);
      expect(journal).toEqual([]);
      expect(recovered).toEqual([
        { checkpoint: expect.stringMatching(/^cp-[0-9a-f]{12}$/), action: 'rolled-back', fileCount: TOTAL, files: expect.any(Array) },
      ]);
      expect(recovered[0]!.files).toHaveLength(20);
      expect(warnings).toEqual([expect.stringContaining(`apply ${recovered[0]!.checkpoint} was interrupted`)]);

      // The next apply-patch result tells the client, once; the rolled-back checkpoint cannot be undone.
      const apply = (input: Partial<ApplyPatchInput>) => applyPatch(ApplyPatchInput.parse(input), services);
      const next = await apply({ patch: gitStyleDiff(path(0), content(0, 'old'), content(0, 'next')), dryRun: true });
      expect(next.recovered).toEqual(recovered);
      expect((await apply({ patch: gitStyleDiff(path(0), content(0, 'old'), content(0, 'next')), dryRun: true })).recovered).toBeUndefined();
      await expect(apply({ undo: recovered[0]!.checkpoint })).rejects.toThrow(/rolled back after Baton stopped/);
      // A second start has nothing left to do.
      expect((await recover()).recovered).toEqual([]);
    },
  );

  it('a server started after the crash rolls the set back before its first call, and that call says so', async () => {
    const crashed = await runApply([patchFile], { BATON_TEST_CRASH_AFTER_WRITES: '150' });
    expect(crashed.signal).toBe('SIGKILL');
    expect(changedFiles(await snapshot(root))).toBeGreaterThan(0); // a mixed set is on disk
    const server = await startServer({ root, stateDir });
    try {
      const result = await server.client.callTool({
        name: 'apply-patch',
        arguments: { patch: '*** Begin Patch\n*** Add File: later.txt\n+x\n*** End Patch\n', dryRun: true },
      });
      expect(result.isError).toBeFalsy();
      expect((result.structuredContent as { recovered?: unknown[] }).recovered).toHaveLength(1);
      const after = await snapshot(root);
      expect(changedFiles(after)).toBe(0);
      expect(temps(after)).toEqual([]);
      expect(server.stderr()).toMatch(/apply-patch: .*rolled back/);
    } finally {
      await server.close();
    }
  });

  it('leaves a file changed by someone else after the crash as it is, and names it', async () => {
    expect((await runApply([patchFile], { BATON_TEST_CRASH_AFTER_WRITES: '200' })).signal).toBe('SIGKILL');
    const crashed = await snapshot(root);
    const touched = [...crashed.keys()].find((p) => !p.includes('.baton-') && crashed.get(p)!.content.includes(' new\n'))!;
    await writeFile(join(root, touched), 'edited by hand after the crash\n');
    const { recovered } = await recover();
    expect(recovered[0]).toMatchObject({ action: 'rolled-back', leftAlone: [touched] });
    const after = await snapshot(root);
    expect(after.get(touched)!.content).toBe('edited by hand after the crash\n');
    expect(new Map([...after].filter(([p]) => p !== touched))).toEqual(new Map([...original].filter(([p]) => p !== touched)));
  });

  it('finishes an undo that was interrupted', async () => {
    const { state, workspace } = await open();
    const applied = await applyPatch(ApplyPatchInput.parse({ patch: await readFile(patchFile, 'utf8'), maxTokens: 200 }), { state, workspace });
    expect(applied.applied).toBe(true);
    const run = await runApply(['--undo', applied.checkpoint!], { BATON_TEST_CRASH_AFTER_WRITES: '150' });
    expect(run.signal).toBe('SIGKILL');
    expect(changedFiles(await snapshot(root))).toBeGreaterThan(0);
    const { recovered } = await recover();
    expect(recovered).toEqual([{ checkpoint: applied.checkpoint, action: 'undo-finished', fileCount: TOTAL, files: expect.any(Array) }]);
    expect(await snapshot(root)).toEqual(original);
  });

  it('does not touch the set of a process that is still running', async () => {
    const { state, workspace } = await open();
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    try {
      await writeFile(join(root, path(0)), content(0, 'new'));
      const journal = state.path('apply-journal', 'cp-0123456789ab.apply.json');
      await writeFiles(state.dir, {
        'apply-journal/cp-0123456789ab.apply.json': JSON.stringify({
          version: 1,
          kind: 'apply',
          checkpoint: 'cp-0123456789ab',
          tag: 'abc',
          files: [{ path: path(0), after: null }],
          owner: { pid: sleeper.pid, host: hostname() },
          startedAt: new Date().toISOString(),
        }),
      });
      expect(await recoverUnfinishedApplies(state, workspace)).toEqual([]);
      expect(await lstat(journal)).toBeTruthy();
      expect(await readFile(join(root, path(0)), 'utf8')).toBe(content(0, 'new'));
    } finally {
      sleeper.kill('SIGKILL');
    }
  });
});

/** Every file under the folder with its content and mode (folders themselves left out). */
async function snapshot(folder: string): Promise<Snapshot> {
  const out: Snapshot = new Map();
  for (const entry of await readdir(folder, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    const rel = full.slice(folder.length + 1);
    out.set(rel, { content: await readFile(full, 'utf8'), mode: (await lstat(full)).mode & 0o777 });
  }
  return new Map([...out].sort(([a], [b]) => a.localeCompare(b)));
}
