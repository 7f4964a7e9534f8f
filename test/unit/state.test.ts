import { execFile } from 'node:child_process';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendJsonl, readJsonl, WorkspaceState, workspaceKey } from '../../src/core/state.js';
import { tempDir } from '../helpers/repo.js';

describe('state', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => (dir = await tempDir()));
  afterEach(() => dir.cleanup());

  it('gives each workspace its own readable folder', async () => {
    expect(workspaceKey('/home/me/my project')).toMatch(/^my_project-[0-9a-f]{12}$/);
    expect(workspaceKey('/a/x')).not.toBe(workspaceKey('/b/x'));
    const state = await WorkspaceState.open(join(dir.path, 'state'), '/a/x');
    expect(state.path('jobs')).toBe(join(dir.path, 'state', workspaceKey('/a/x'), 'jobs'));
  });

  it('refuses a state dir that cannot be written', async () => {
    await expect(WorkspaceState.open('/dev/null/state', '/a')).rejects.toThrow(/not writable/);
  });

  it('skips a torn last line', async () => {
    const file = join(dir.path, 'log.jsonl');
    await appendJsonl(file, { n: 1 });
    await appendJsonl(file, { n: 2 });
    await appendFile(file, '{"n": 3, "tor');
    expect(await readJsonl(file)).toEqual({ records: [{ n: 1 }, { n: 2 }], skipped: 1 });
    expect(await readJsonl(join(dir.path, 'missing.jsonl'))).toEqual({ records: [], skipped: 0 });
  });

  it('never interleaves lines appended by two processes at once', async () => {
    const file = join(dir.path, 'shared.jsonl');
    // Node 20 cannot run TypeScript: compile the module under test for the child processes.
    const stateModule = join(dir.path, 'state.mjs');
    await build({
      entryPoints: [fileURLToPath(new URL('../../src/core/state.ts', import.meta.url))],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: stateModule,
      logLevel: 'silent',
    });
    const writer = (name: string) =>
      promisify(execFile)(process.execPath, [
        '--input-type=module',
        '-e',
        `import { appendJsonl } from ${JSON.stringify(stateModule)};
         const pad = 'x'.repeat(3000);
         await Promise.all(Array.from({ length: 200 }, (_, i) => appendJsonl(${JSON.stringify(file)}, { w: '${name}', i, pad })));`,
      ]);
    await Promise.all([writer('a'), writer('b')]);
    const { records, skipped } = await readJsonl<{ w: string; i: number }>(file);
    expect(skipped).toBe(0);
    expect(records.filter((r) => r.w === 'a')).toHaveLength(200);
    expect(records.filter((r) => r.w === 'b')).toHaveLength(200);
  });
});
