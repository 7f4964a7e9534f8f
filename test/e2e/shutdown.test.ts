import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jsProject } from '../helpers/projects.js';
import { tempDir } from '../helpers/repo.js';
import { startServer } from '../helpers/server.js';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Resolves once the process is gone; a server that never leaves fails the test by its timeout. */
async function exited(pid: number): Promise<void> {
  while (alive(pid)) await new Promise((resolve) => setTimeout(resolve, 10));
}

function slowProject(dir: string, ms: number): Promise<void> {
  return jsProject(
    dir,
    { type: 'module', scripts: { test: 'node --test' } },
    {
      'test/slow.test.js': `import test from 'node:test';\ntest('waits', async () => { await new Promise((r) => setTimeout(r, ${ms})); });\n`,
    },
  );
}

describe('shutdown', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let root: string;
  let state: string;
  beforeEach(async () => {
    dir = await tempDir();
    root = join(dir.path, 'project');
    state = join(dir.path, 'state');
  });
  afterEach(() => dir.cleanup());

  it('on SIGTERM leaves at once, cancelling running work; the answered calls are in the log', async () => {
    await slowProject(root, 60_000);
    const server = await startServer({ root, stateDir: state });
    const pid = server.transport.pid!;
    const started = await server.client.callTool({ name: 'run-tests', arguments: { runner: 'node', waitSec: 0 } });
    const { jobId } = started.structuredContent as { status: string; jobId: string };
    expect((started.structuredContent as { status: string }).status).toBe('running');
    process.kill(pid, 'SIGTERM');
    await exited(pid);
    await server.close().catch(() => {});

    const later = await startServer({ root, stateDir: state });
    const result = await later.client.callTool({ name: 'run-tests', arguments: { jobId } });
    expect((result.content as Array<{ text: string }>)[0]!.text).toMatch(/interrupted: the server running it stopped/);
    const brief = await later.client.callTool({ name: 'session', arguments: {} });
    expect((brief.structuredContent as { brief: string }).brief).toMatch(/run-tests/);
    await later.close();
  });

  it('when the client leaves, leaves at once too; a job that finished keeps its result for a later server', async () => {
    await slowProject(root, 10);
    const server = await startServer({ root, stateDir: state });
    const pid = server.transport.pid!;
    const started = await server.client.callTool({ name: 'run-tests', arguments: { runner: 'node', waitSec: 0 } });
    const { jobId } = started.structuredContent as { jobId: string };
    const { readdir, readFile } = await import('node:fs/promises');
    const record = async () => {
      const [workspace] = await readdir(state);
      return JSON.parse(await readFile(join(state, workspace!, 'jobs', `${jobId}.json`), 'utf8').catch(() => '{}')) as { status?: string };
    };
    while ((await record()).status !== 'done') await new Promise((resolve) => setTimeout(resolve, 50));
    await server.close(); // stdin closes
    await exited(pid);

    const later = await startServer({ root, stateDir: state });
    const result = await later.client.callTool({ name: 'run-tests', arguments: { jobId } });
    expect(result.structuredContent, JSON.stringify(result.content)).toMatchObject({ status: 'passed', summary: { total: 1, passed: 1 } });
    await later.close();
  });

  it('when the client leaves with nothing running, leaves at once', async () => {
    const server = await startServer({ root: dir.path, stateDir: state });
    const pid = server.transport.pid!;
    await server.client.callTool({ name: 'repo-scan', arguments: { mode: 'tree' } });
    await server.close();
    await exited(pid);
    expect(alive(pid)).toBe(false);
  });
});
