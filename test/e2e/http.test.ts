import { request } from 'node:http';
import type { ChildProcess } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { pathToFileURL } from 'node:url';
import { ListRootsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, startCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/repo.js';

const TOKEN = 'test-token-0123456789abcdef';

function rawPost(port: number, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/mcp',
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end(
      JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
      }),
    );
  });
}

async function connect(url: string, token?: string): Promise<Client> {
  const client = new Client({ name: 'baton-http-test', version: '1.0.0' });
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
}

describe('Streamable HTTP', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let child: ChildProcess | undefined;
  beforeEach(async () => (dir = await tempDir()));
  afterEach(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill();
      await exited;
    }
    child = undefined;
    await dir.cleanup();
  });

  const serve = async (args: string[], env: Record<string, string> = {}) => {
    const started = await startCli(
      ['--http', '--port', '0', '--root', dir.path, '--state-dir', `${dir.path}/.state`, ...args],
      env,
      /serving MCP over HTTP at (http:\/\/\S+)/,
    );
    child = started.child;
    const url = started.match[1]!;
    return { url, port: Number(new URL(url).port) };
  };

  it('serves a loopback client, one McpServer per session', async () => {
    const { url } = await serve([]);
    const a = await connect(url);
    const b = await connect(url);
    expect(a.getServerVersion()?.name).toBe('baton');
    expect(await a.ping()).toEqual({});
    expect(await b.listTools()).toMatchObject({ tools: expect.any(Array) });
    await a.close();
    await b.close();
  });

  it('refuses a foreign Host or Origin header (DNS rebinding)', async () => {
    const { port } = await serve([]);
    expect(await rawPost(port, { host: 'evil.example:80' })).toBe(403);
    expect(await rawPost(port, { origin: 'http://evil.example' })).toBe(403);
    expect(await rawPost(port, { origin: `http://localhost:${port}` })).toBe(200);
    expect(await rawPost(port, { origin: `http://127.0.0.1:${port}` })).toBe(200);
    // Same host name, another port or scheme: another origin (a dev server on this machine).
    expect(await rawPost(port, { origin: 'http://localhost:3000' })).toBe(403);
    expect(await rawPost(port, { origin: `https://localhost:${port}` })).toBe(403);
    expect(await rawPost(port, { origin: 'null' })).toBe(403);
  });

  it('works in the root the client offers, asked on the first call, and writes there only', async () => {
    const { mkdir, readFile, writeFile, access } = await import('node:fs/promises');
    const clientRoot = `${dir.path}/client-root`;
    await mkdir(clientRoot);
    await writeFile(`${clientRoot}/only-in-client-root.txt`, 'hello\n');
    const { url } = await serve([]); // --root is dir.path
    const client = new Client({ name: 'roots-client', version: '1.0.0' }, { capabilities: { roots: { listChanged: true } } });
    client.setRequestHandler(ListRootsRequestSchema, async () => ({ roots: [{ uri: pathToFileURL(clientRoot).href, name: 'client' }] }));
    await client.connect(new StreamableHTTPClientTransport(new URL(url)));
    const tree = await client.callTool({ name: 'repo-scan', arguments: { mode: 'tree' } });
    expect((tree.structuredContent as { root: string }).root).toBe(clientRoot);
    expect(JSON.stringify(tree.structuredContent)).toContain('only-in-client-root.txt');
    const patch = '*** Begin Patch\n*** Add File: written.txt\n+by the client\n*** End Patch\n';
    const applied = await client.callTool({ name: 'apply-patch', arguments: { patch } });
    expect(applied.isError).toBeFalsy();
    expect(await readFile(`${clientRoot}/written.txt`, 'utf8')).toBe('by the client\n');
    await expect(access(`${dir.path}/written.txt`)).rejects.toThrow();
    await client.close();
  });

  it('caps open sessions and closes idle ones (http.maxSessions, http.sessionIdleSec)', async () => {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(`${dir.path}/baton.json`, JSON.stringify({ http: { maxSessions: 2, sessionIdleSec: 3 } }));
    const { url, port } = await serve(['--config', `${dir.path}/baton.json`]);
    const a = await connect(url);
    const b = await connect(url);
    expect(await rawPost(port, {})).toBe(503);
    for (const client of [a, b]) {
      await (client.transport as StreamableHTTPClientTransport).terminateSession(); // DELETE: the session ends
      await client.close();
    }
    // Idle sessions expire; their ids are then unknown, and new sessions can start.
    const c = await connect(url);
    const sessionId = (c.transport as StreamableHTTPClientTransport).sessionId!;
    await new Promise((resolve) => setTimeout(resolve, 6000)); // twice the idle time: a loaded machine is slow to sweep
    expect(await rawPost(port, { 'mcp-session-id': sessionId })).toBe(404);
    expect(await rawPost(port, {})).toBe(200);
  });

  it('will not listen beyond loopback without a token', async () => {
    const result = await runCli(['--http', '--host', '0.0.0.0', '--port', '0', '--root', dir.path, '--state-dir', `${dir.path}/.state`]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/needs a bearer token.*BATON_HTTP_TOKEN/);
  });

  it('beyond loopback, refuses requests without the token and serves those with it', async () => {
    const { port } = await serve(['--host', '0.0.0.0'], { BATON_HTTP_TOKEN: TOKEN });
    const url = `http://127.0.0.1:${port}/mcp`;
    expect(await rawPost(port, {})).toBe(401);
    expect(await rawPost(port, { authorization: 'Bearer wrong-token-0123456789' })).toBe(401);
    await expect(connect(url)).rejects.toThrow();
    const client = await connect(url, TOKEN);
    expect(await client.ping()).toEqual({});
    await client.close();
  });
});
