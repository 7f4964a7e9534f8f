import { execFileSync, spawn } from 'node:child_process';
import { constants, closeSync, openSync } from 'node:fs';
import { truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitRepo, tempDir } from '../helpers/repo.js';
import { CLI, startServer, type RunningServer } from '../helpers/server.js';

/** Runs the built CLI, killing it if it has not finished after `ms`: a blocked read must fail the test, not hang it. */
function runCliWithin(
  args: string[],
  env: Record<string, string>,
  ms = 20_000,
): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

describe('repo-scan hardening over stdio and the CLI', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let server: RunningServer;
  let repo: string;
  let fifo: string;
  const scan = (args: string[], env: Record<string, string> = {}) =>
    runCliWithin(['scan', ...args, '--root', repo, '--state-dir', join(dir.path, 'state')], env);

  beforeAll(async () => {
    dir = await tempDir();
    repo = join(dir.path, 'repo');
    await gitRepo(repo, { 'README.md': '# hardening\n' });
    fifo = join(repo, 'pipe.txt');
    execFileSync('mkfifo', [fifo]);
    server = await startServer({ root: repo, stateDir: join(dir.path, 'state') });
  });
  afterAll(async () => {
    await server.close();
    try {
      closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK)); // releases a reader stuck opening it
    } catch {
      // nobody waiting
    }
    await dir.cleanup();
  });

  it('answers a path too long for the OS as a user error, not as a bug', async () => {
    const result = (await server.client.callTool({ name: 'repo-scan', arguments: { mode: 'read', path: 'a'.repeat(5000) } })) as {
      isError?: boolean;
      content: Array<{ text: string }>;
    };
    expect(result.isError).toBe(true);
    expect(result.content[0]!.text).toMatch(/too long/);
    expect(result.content[0]!.text).not.toMatch(/bug in Baton/);
    expect(result.content[0]!.text.length).toBeLessThan(400);
  });

  it('refuses to read a FIFO instead of blocking on it', async () => {
    const result = await scan(['read', '--path', 'pipe.txt']);
    expect(result.signal).toBeNull(); // not killed for hanging
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/not a regular file \(FIFO\)/);
  });

  it('pages a line that is one enormous token run without stalling', async () => {
    // A 2 MB run of one letter: the tokenizer's merging is quadratic in a run's length.
    await writeFile(join(repo, 'run.txt'), `${'x'.repeat(2 << 20)}\n`);
    const first = await scan(['read', '--path', 'run.txt', '--max-tokens', '2000', '--json']);
    expect(first.signal).toBeNull(); // not killed for hanging
    const page = JSON.parse(first.stdout) as { text: string; endColumn: number; nextCursor: string };
    expect(page).toMatchObject({ startLine: 1, endLine: 1, totalLines: 1, truncated: true, endColumn: page.text.length });
    expect(page.text).toMatch(/^x+$/);
    const second = await scan(['read', '--path', 'run.txt', '--max-tokens', '2000', '--cursor', page.nextCursor, '--json']);
    expect(JSON.parse(second.stdout)).toMatchObject({ startLine: 1, startColumn: page.text.length + 1 });
  });

  // A heap of 64 MB holds the tokenizer and a page, not a 50 MB file's lines or a 200 MB line.
  it('reads page 1 of a big file in bounded memory', async () => {
    await writeFile(join(repo, 'lines.txt'), Buffer.alloc(50 << 20, 'abcdefghi\n'));
    const lines = await scan(['read', '--path', 'lines.txt', '--max-tokens', '500', '--json'], { NODE_OPTIONS: '--max-old-space-size=64' });
    expect(lines.stderr).not.toMatch(/heap out of memory/);
    expect(lines.code).toBe(0);
    expect(JSON.parse(lines.stdout)).toMatchObject({ path: 'lines.txt', startLine: 1, totalLines: 5 << 20, truncated: true });
    expect(JSON.parse(lines.stdout).text.split('\n')[0]).toBe('abcdefghi');

    // A text head (longer than the 8000 bytes the binary check looks at), then a 200 MB hole:
    // one enormous line after the first few.
    await writeFile(join(repo, 'sparse.txt'), `one\ntwo\n${`${'y'.repeat(99)}\n`.repeat(82)}`);
    await truncate(join(repo, 'sparse.txt'), 200 << 20);
    const sparse = await scan(['read', '--path', 'sparse.txt', '--end-line', '2', '--json'], { NODE_OPTIONS: '--max-old-space-size=64' });
    expect(sparse.stderr).not.toMatch(/heap out of memory/);
    expect(sparse.code).toBe(0);
    expect(JSON.parse(sparse.stdout)).toMatchObject({ startLine: 1, endLine: 2, totalLines: 85, text: 'one\ntwo' });
  });
});
