import { LoggingMessageNotificationSchema, ListRootsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { gitRepo, tempDir } from '../helpers/repo.js';
import { startServer, type RunningServer } from '../helpers/server.js';

describe('stdio server', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let server: RunningServer | undefined;
  beforeEach(async () => {
    dir = await tempDir();
    await gitRepo(dir.path, { 'README.md': '# demo\n' });
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await dir.cleanup();
  });

  it('initializes with name, version, instructions and capabilities; lists tools; answers ping', async () => {
    server = await startServer({ root: dir.path, stateDir: `${dir.path}/.state-outside` });
    const { client } = server;
    expect(client.getServerVersion()).toMatchObject({ name: 'baton', title: 'Baton' });
    expect(client.getServerVersion()?.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(client.getInstructions()).toMatch(/jobId/);
    expect(client.getServerCapabilities()).toMatchObject({ logging: {}, tools: {} });
    const { tools } = await client.listTools();
    // The bundle answers from a list baked in at build time: it must be what the source registers.
    const { tools: fromSource } = await import('../../scripts/build-assets-entry.js');
    expect(tools).toEqual(JSON.parse(JSON.stringify(fromSource)));
    expect(tools.map((tool) => tool.name)).toEqual(['repo-scan', 'apply-patch', 'run-tests', 'delegate-to-codex', 'session']);
    expect(await client.ping()).toEqual({});
  });

  it('sends log messages to the client only after logging/setLevel', async () => {
    // A client whose roots cannot be read makes the server log a warning each time it tries.
    server = await startServer({
      root: dir.path,
      stateDir: `${dir.path}/.state-outside`,
      capabilities: { capabilities: { roots: { listChanged: true } } },
    });
    const { client } = server;
    const messages: string[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void messages.push(String(n.params.data)));
    client.setRequestHandler(ListRootsRequestSchema, () => {
      throw new Error('no roots today');
    });
    await client.sendRootsListChanged();
    await client.ping();
    await new Promise((r) => setTimeout(r, 200));
    expect(messages).toEqual([]);

    await client.setLoggingLevel('warning');
    await client.sendRootsListChanged();
    await expect.poll(() => messages.join('\n'), { timeout: 5000 }).toMatch(/could not use the client's roots/);
    expect(server.stderr()).toMatch(/could not use the client's roots/);
  });

  it('answers malformed JSON-RPC with a protocol error and keeps serving', async () => {
    const init = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
    };
    const lines = [JSON.stringify(init), 'this is not json', JSON.stringify({ hello: 'world' }), JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping' })];
    const result = await runCli(['--root', dir.path, '--state-dir', `${dir.path}/.s`], {}, lines.join('\n') + '\n');
    const replies = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(replies).toContainEqual(expect.objectContaining({ id: null, error: expect.objectContaining({ code: -32700 }) }));
    expect(replies).toContainEqual(expect.objectContaining({ id: null, error: expect.objectContaining({ code: -32600 }) }));
    expect(replies).toContainEqual({ jsonrpc: '2.0', id: 2, result: {} });
    expect(result.code).toBe(0);
  });
});

describe('over-size messages', () => {
  it('answers a message over the 10 MiB limit with an error for its id, and keeps serving', async () => {
    const dir = await tempDir();
    try {
      const init = {
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
      };
      const huge = JSON.stringify({
        jsonrpc: '2.0',
        id: 7,
        method: 'tools/call',
        params: { name: 'apply-patch', arguments: { patch: 'x'.repeat(11 * 1024 * 1024) } },
      });
      const lines = [
        JSON.stringify(init),
        JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }),
        huge,
        JSON.stringify({ jsonrpc: '2.0', id: 8, method: 'ping' }),
      ];
      const result = await runCli(['--root', dir.path, '--state-dir', `${dir.path}/.s`], {}, lines.join('\n') + '\n');
      const replies = result.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(replies).toContainEqual({
        jsonrpc: '2.0',
        id: 7,
        error: { code: -32600, message: expect.stringMatching(/^Request too large: \d+ bytes; Baton reads messages of at most 10485760 bytes/) },
      });
      expect(replies).toContainEqual({ jsonrpc: '2.0', id: 8, result: {} });
      expect(result.code).toBe(0);
    } finally {
      await dir.cleanup();
    }
  });
});

describe('command line', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => (dir = await tempDir()));
  afterEach(() => dir.cleanup());

  it('prints help and version', async () => {
    expect((await runCli(['--help'])).stdout).toMatch(/Usage: baton-mcp \[command\] \[options\]/);
    expect((await runCli(['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it.each([
    [['--frobnicate'], /Unknown option '--frobnicate'/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['--log-level', 'loud'], /invalid configuration: logLevel \(from flags\)/],
    [['--root', '/no/such/root'], /root \/no\/such\/root does not exist/],
    [['--state-dir', '/dev/null/state'], /state dir \/dev\/null\/state is not writable/],
    [['--config', '/no/such/config.json'], /cannot read config file/],
  ])('refuses %j with one clear line and a non-zero exit', async (args, message) => {
    const result = await runCli(args, { HOME: dir.path });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
    expect(result.stdout).toBe('');
  });

  it('starts through a symlinked bin, as npx does', async () => {
    const { symlink } = await import('node:fs/promises');
    const { CLI } = await import('../helpers/server.js');
    await symlink(CLI, `${dir.path}/baton-mcp`);
    const { execFileSync } = await import('node:child_process');
    expect(execFileSync(process.execPath, [`${dir.path}/baton-mcp`, '--version']).toString()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('doctor checks the machine and prints client configuration without secrets', async () => {
    // A closed loopback port as the endpoint: doctor asks it for its models, and tests stay off the network.
    const result = await runCli(['doctor', '--state-dir', `${dir.path}/state`], {
      HOME: dir.path,
      OPENAI_API_KEY: 'sk-very-secret-value',
      OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
    });
    expect(result.stdout).toMatch(/ok\s+node: v\d+/);
    expect(result.stdout).toMatch(/ok\s+git: git version/);
    expect(result.stdout).toMatch(/ok\s+state dir: .*writable/);
    expect(result.stdout).toMatch(/an API key is set/);
    expect(result.stdout).not.toMatch(/sk-very-secret-value/);
    expect(result.stdout).toMatch(/\[mcp_servers\.baton\]/);
    expect(result.stdout).toMatch(/"servers"/);
    expect(result.code).toBe(0);
  });
});
