import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitRepo, tempDir, writeFiles } from '../helpers/repo.js';
import { startServer, type RunningServer } from '../helpers/server.js';

type ToolResult = { isError?: boolean; structuredContent?: Record<string, unknown>; content: Array<{ type: string; text: string }> };

/** 40 `a`s then a `b`: `(a+)+$` tries 2^40 ways to split the run before giving up on it. */
const BACKTRACKS = `${'a'.repeat(40)}b\n`;

/**
 * "No single call stalls the server": a search whose regex backtracks without end runs while
 * a trivial read is asked for, and the read must not wait for it.
 */
describe('a slow search over stdio', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const servers: RunningServer[] = [];

  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.close()));
    await dir.cleanup();
  });

  const serve = async (root: string): Promise<RunningServer> => {
    const server = await startServer({ root, stateDir: join(dir.path, `state-${servers.length}`) });
    servers.push(server);
    return server;
  };
  const call = (server: RunningServer, args: Record<string, unknown>) => server.client.callTool({ name: 'repo-scan', arguments: args }) as Promise<ToolResult>;

  /** Starts both calls at once and records the order their answers arrive in. */
  const race = async (server: RunningServer, search: Record<string, unknown>) => {
    const order: string[] = [];
    const searching = call(server, { mode: 'search', regex: true, ...search }).finally(() => order.push('search'));
    const reading = call(server, { mode: 'read', path: 'notes.txt' }).finally(() => order.push('read'));
    const [searched, read] = await Promise.all([searching, reading]);
    return { order, searched, read };
  };

  it('outside git: a read answers while the regex runs, and the search ends with a clear error', async () => {
    const root = join(dir.path, 'plain');
    await mkdir(root);
    await writeFiles(root, { 'notes.txt': 'just notes\n', 'data/slow.txt': BACKTRACKS });
    const server = await serve(root);

    const { order, searched, read } = await race(server, { query: '(a+)+$' });
    expect(read.isError).toBeFalsy();
    expect(read.structuredContent).toMatchObject({ text: 'just notes' });
    expect(order).toEqual(['read', 'search']);
    expect(searched.isError).toBe(true);
    expect(searched.content[0]!.text).toMatch(/^the regex took longer than \d+ s on data\/slow\.txt\. Simplify it/);

    // The server, and its search, still work afterwards.
    const again = await call(server, { mode: 'search', query: 'notes' });
    expect(again.structuredContent).toMatchObject({ totalMatches: 1 });
  });

  it('inside git: the column comes from git, never from a JS regex run on the server thread', async () => {
    const root = join(dir.path, 'repo');
    await gitRepo(root, {
      'notes.txt': 'just notes\n',
      // git sees the \r and matches at once; the same regex over the line without it, as the
      // server used to run it to find the column, backtracks through 2^40 ways.
      'crlf.txt': `---\r\n${'a'.repeat(40)}\r\n`,
      'wide.txt': 'héllo wörld 😀 éx\n',
    });
    const server = await serve(root);

    const { searched, read } = await race(server, { query: '(\\w+\\s?)+\\s$' });
    expect(read.isError).toBeFalsy();
    expect(searched.isError).toBeFalsy();
    expect(searched.structuredContent).toMatchObject({ totalMatches: 1, matches: [{ path: 'crlf.txt', line: 2, column: 1 }] });

    // Character columns (UTF-16, as JS counts them), though git reports bytes and the server
    // was started without any locale.
    const wide = await call(server, { mode: 'search', query: '.x', regex: true });
    expect(wide.structuredContent).toMatchObject({ matches: [{ path: 'wide.txt', column: 16, text: 'héllo wörld 😀 éx' }] });

    // What git itself gives up on comes back as advice, not as git's error code.
    await writeFiles(root, { 'slow.txt': BACKTRACKS });
    const limited = await call(server, { mode: 'search', query: '(a+)+$', regex: true });
    expect(limited.isError).toBe(true);
    expect(limited.content[0]!.text).toMatch(/backtrack.*Simplify it/);
  });
});
