import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LoggedBug, UserError } from '../../src/core/errors.js';
import { JobManager } from '../../src/core/jobs.js';
import { toolError } from '../../src/mcp/tools.js';
import { Logger } from '../../src/log.js';
import { writeJsonAtomic } from '../../src/core/state.js';
import { tempDir } from '../helpers/repo.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('jobs', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => (dir = await tempDir()));
  afterEach(async () => {
    vi.useRealTimers();
    await dir.cleanup();
  });

  it('answers running after waitSec, then the result on a later wait', async () => {
    const jobs = new JobManager(dir.path);
    const id = jobs.start('t', async () => {
      await sleep(300);
      return { value: 42 };
    });
    expect(await jobs.wait(id, { waitSec: 0.05 })).toMatchObject({ done: false, jobId: id });
    expect(await jobs.wait(id, { waitSec: 5 })).toEqual({ done: true, result: { value: 42 } });
  });

  it('keeps a user error as a user error, with its hint, here and in another process', async () => {
    const logged: string[] = [];
    const jobs = new JobManager(dir.path);
    const id = jobs.start(
      't',
      async () => {
        throw new UserError('no such runner', 'Pass runner');
      },
      { log: { error: (m) => logged.push(m) } },
    );
    for (const manager of [jobs, new JobManager(dir.path)]) {
      const error = await manager.wait(id).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).toLine()).toBe('no such runner. Pass runner');
    }
    expect(logged).toEqual([]); // a user's mistake is not a bug to log
  });

  it('keeps a bug a bug: logged with its stack when it happens, shaped as a bug on the way out, logged once', async () => {
    const logged: string[] = [];
    const jobs = new JobManager(dir.path);
    const id = jobs.start(
      't',
      async () => {
        (undefined as unknown as { x: number }).x;
      },
      { log: { error: (m) => logged.push(m) } },
    );
    const error = await jobs.wait(id).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LoggedBug);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/TypeError: Cannot read properties of undefined[\s\S]*at .*jobs\.test\.ts/);
    // Read back by another server process, too.
    expect(await new JobManager(dir.path).wait(id).catch((e: unknown) => e)).toBeInstanceOf(LoggedBug);

    const stderr: string[] = [];
    const log = new Logger('error');
    log.error = (m: string) => void stderr.push(m);
    const result = toolError('run-tests', error, log);
    expect(result.isError).toBe(true);
    expect((result.content[0] as { text: string }).text).toMatch(
      /^run-tests failed unexpectedly: Cannot read properties of undefined .*This is a bug in Baton/,
    );
    expect(stderr).toEqual([]); // already logged where it happened
  });

  it('keeps results on disk for another server process', async () => {
    const first = new JobManager(dir.path);
    const id = first.start('t', async () => 'stored');
    await first.wait(id);
    expect(await new JobManager(dir.path).wait(id)).toEqual({ done: true, result: 'stored' });
  });

  it('reports unknown and interrupted jobs clearly', async () => {
    const jobs = new JobManager(dir.path);
    await expect(jobs.wait('t-nope')).rejects.toThrow(/no job t-nope/);
    await writeJsonAtomic(`${dir.path}/t-dead.json`, { id: 't-dead', tool: 't', status: 'running', pid: 1, startedAt: '' });
    await expect(jobs.wait('t-dead')).rejects.toThrow(/interrupted/);
  });

  it('cancels through cancel() and through the waiting request being cancelled', async () => {
    const jobs = new JobManager(dir.path);
    const work = (ctx: { signal: AbortSignal }) =>
      new Promise<string>((resolve) => {
        if (ctx.signal.aborted) resolve('stopped early');
        ctx.signal.addEventListener('abort', () => resolve('stopped early'));
      });
    const a = jobs.start('t', work);
    expect(jobs.cancel(a)).toBe(true);
    expect(await jobs.wait(a)).toEqual({ done: true, result: 'stopped early' });

    const b = jobs.start('t', work);
    const request = new AbortController();
    const waiting = jobs.wait(b, { signal: request.signal });
    request.abort();
    expect(await waiting).toEqual({ done: true, result: 'stopped early' });
    expect(jobs.runningCount()).toBe(0);
  });

  it('turns a failure into a user-facing error', async () => {
    const jobs = new JobManager(dir.path);
    const id = jobs.start('t', async () => {
      throw new Error('runner exploded');
    });
    await expect(jobs.wait(id)).rejects.toThrow(/runner exploded/);
  });

  it('forwards progress and sends a heartbeat at least every 5 s', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval', 'Date'] });
    const jobs = new JobManager(dir.path);
    let finish!: () => void;
    const id = jobs.start('t', (ctx) => {
      ctx.progress('step one');
      return new Promise<string>((resolve) => (finish = () => resolve('ok')));
    });
    const messages: string[] = [];
    const waiting = jobs.wait(id, { waitSec: 60, onProgress: (u) => messages.push(u.message) });
    await vi.advanceTimersByTimeAsync(11_000);
    expect(messages.filter((m) => m.startsWith('still running')).length).toBeGreaterThanOrEqual(2);
    expect(messages.at(-1)).toMatch(/still running after \d+s: step one/);
    finish();
    await vi.advanceTimersByTimeAsync(10);
    expect(await waiting).toEqual({ done: true, result: 'ok' });
  });
});
