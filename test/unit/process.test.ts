import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { childEnv, HeadTail, runProcess } from '../../src/core/process.js';
import { tempDir } from '../helpers/repo.js';

/** Running, not merely a zombie: in containers PID 1 may never reap orphans. */
const alive = (pid: number): boolean => {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2] !== 'Z';
  } catch {
    return false;
  }
};

describe('process', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => (dir = await tempDir()));
  afterEach(() => dir.cleanup());

  it('passes argv verbatim, never through a shell', async () => {
    const result = await runProcess('node', ['-e', 'console.log(JSON.stringify(process.argv.slice(1)))', 'a b', '$(echo hi)', ';rm -rf x'], { cwd: dir.path });
    expect(JSON.parse(result.stdout)).toEqual(['a b', '$(echo hi)', ';rm -rf x']);
    expect(result.exitCode).toBe(0);
  });

  it('runs in the given cwd, feeds stdin and reports lines as they come', async () => {
    const lines: string[] = [];
    const result = await runProcess('node', ['-e', 'process.stdin.pipe(process.stdout); console.error(process.cwd())'], {
      cwd: dir.path,
      input: 'one\ntwo\n',
      onLine: (line, stream) => lines.push(`${stream}:${line}`),
    });
    expect(result.stdout).toBe('one\ntwo\n');
    expect(lines).toContain('stdout:two');
    expect(lines.some((l) => l.startsWith('stderr:') && l.endsWith(dir.path.split('/').pop()!))).toBe(true);
  });

  it('hands stdout over as raw bytes, whole characters across chunk boundaries, and keeps none of it', async () => {
    // 3-byte characters: 64 KiB pipe chunks end inside one.
    const chunks: Buffer[] = [];
    const result = await runProcess('node', ['-e', "process.stdout.write('€'.repeat(100000)); console.error('done')"], {
      cwd: dir.path,
      onStdoutBytes: (chunk) => chunks.push(chunk),
    });
    expect(chunks.length).toBeGreaterThan(1);
    expect(Buffer.concat(chunks).toString('utf8')).toBe('€'.repeat(100000));
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('done\n');
  });

  it('kills the whole process group on timeout, leaving no orphans', async () => {
    // The child forks a grandchild that would outlive a plain kill of the child.
    const script = `
      const { spawn } = require('node:child_process');
      const g = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      console.log(g.pid);
      setInterval(() => {}, 1000);`;
    const result = await runProcess('node', ['-e', script], { cwd: dir.path, timeoutMs: 1500, killGraceMs: 500 });
    expect(result.timedOut).toBe(true);
    const grandchild = Number(result.stdout.trim());
    await new Promise((r) => setTimeout(r, 200));
    expect(alive(grandchild)).toBe(false);
  });

  it('stops on abort', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const result = await runProcess('node', ['-e', 'setInterval(() => {}, 1000)'], { cwd: dir.path, signal: controller.signal });
    expect(result.cancelled).toBe(true);
    expect(result.exitCode === null || result.signal !== null).toBe(true);
  });

  it('drops secrets from the environment unless allowed', async () => {
    const env = childEnv({ PATH: '/bin', OPENAI_API_KEY: 'sk', GITHUB_TOKEN: 't', MY_SECRET: 's', DB_PASSWORD: 'p', AWS_SECRET_ACCESS_KEY: 'a', NPM_TOKEN: 'n', KEEP_TOKEN: 'k', HOME: '/h' }, ['KEEP_TOKEN'], { EXTRA: '1' });
    expect(env).toEqual({ PATH: '/bin', HOME: '/h', KEEP_TOKEN: 'k', EXTRA: '1' });
    process.env.BATON_TEST_SECRET = 'leak';
    try {
      const result = await runProcess('node', ['-e', 'console.log(process.env.BATON_TEST_SECRET ?? "none")'], { cwd: dir.path });
      expect(result.stdout.trim()).toBe('none');
    } finally {
      delete process.env.BATON_TEST_SECRET;
    }
  });

  it('reports a missing program as a user error', async () => {
    await expect(runProcess('baton-no-such-program', [], { cwd: dir.path })).rejects.toThrow(/not installed or not on PATH/);
  });

  it('keeps the head and tail of large output', () => {
    const buffer = new HeadTail(20);
    buffer.push('0123456789');
    buffer.push('abcdefghij'.repeat(5));
    expect(buffer.omitted).toBe(40);
    expect(buffer.text()).toBe('0123456789\n… 40 characters of output omitted …\nabcdefghij');
  });
});
