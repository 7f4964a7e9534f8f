import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ListRootsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { gitRepo, tempDir } from '../helpers/repo.js';
import { startServer, type RunningServer } from '../helpers/server.js';

describe('repo-scan over stdio', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let server: RunningServer;
  let repo: string;
  const call = async (args: Record<string, unknown>) => {
    const result = await server.client.callTool({ name: 'repo-scan', arguments: args });
    return result as { isError?: boolean; structuredContent?: Record<string, unknown>; content: Array<{ type: string; text: string }> };
  };

  beforeAll(async () => {
    dir = await tempDir();
    repo = join(dir.path, 'repo');
    await gitRepo(repo, {
      'src/lib.ts': 'export function shared(x: number): number {\n  return x * 2;\n}\n',
      'src/main.ts': "import { shared } from './lib';\nexport function main(): number {\n  return shared(21);\n}\n",
      'README.md': '# e2e\n',
    });
    server = await startServer({ root: repo, stateDir: join(dir.path, 'state') });
  });
  afterAll(async () => {
    await server.close();
    await dir.cleanup();
  });

  it('is listed with its schemas and read-only annotation', async () => {
    const { tools } = await server.client.listTools();
    const tool = tools.find((t) => t.name === 'repo-scan')!;
    expect(tool.annotations).toMatchObject({ readOnlyHint: true });
    expect(tool.outputSchema).toBeDefined();
    expect(JSON.stringify(tool.inputSchema)).toMatch(/"overview"/);
  });

  it.each([
    [{ mode: 'overview' }, /git: branch main/, { fileCount: 3 }],
    [{ mode: 'tree' }, /src\/lib\.ts {2}\d+ B/, { totalEntries: 3 }],
    [{ mode: 'search', query: 'shared' }, /src\/main\.ts:3:10: {3}return shared\(21\);/, { totalMatches: 3 }],
    [{ mode: 'symbols', path: 'src' }, /function: export function shared\(x: number\): number/, {}],
    [{ mode: 'map' }, /^src\/lib\.ts:/, {}],
    [{ mode: 'read', path: 'src/lib.ts', startLine: 2, endLine: 2 }, /^\s+2\t {2}return x \* 2;$/m, { totalLines: 3 }],
  ])('%j answers with text and structured content', async (args, text, structured) => {
    const result = await call(args);
    expect(result.isError).toBeFalsy();
    expect(result.content[0]!.text).toMatch(text);
    expect(result.structuredContent).toMatchObject({ mode: args.mode, truncated: false, ...structured });
  });

  it.each([
    [{ mode: 'read', path: '../outside' }, /outside the workspace root/],
    [{ mode: 'search', query: '(', regex: true }, /invalid regex/],
    [{ mode: 'teleport' }, /Invalid arguments for tool repo-scan/],
    [{ mode: 'tree', cursor: 'garbage' }, /cursor is malformed/],
    [{ mode: 'tree', bogus: 1 }, /Invalid arguments for tool repo-scan/],
  ])('%j is a clear tool error', async (args, message) => {
    const result = await call(args);
    expect(result.isError).toBe(true);
    expect(result.content[0]!.text).toMatch(message);
    expect(result.content[0]!.text).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('follows the client roots when the client offers them', async () => {
    const other = join(dir.path, 'other');
    await gitRepo(other, { 'only-here.txt': 'x\n' });
    const rooted = await startServer({
      root: repo,
      stateDir: join(dir.path, 'state'),
      capabilities: { capabilities: { roots: { listChanged: true } } },
    });
    rooted.client.setRequestHandler(ListRootsRequestSchema, () => ({ roots: [{ uri: pathToFileURL(other).href, name: 'other' }] }));
    await rooted.client.sendRootsListChanged();
    await expect
      .poll(async () => {
        const result = await rooted.client.callTool({ name: 'repo-scan', arguments: { mode: 'tree' } });
        return (result.structuredContent as { entries?: Array<{ path: string }> }).entries?.map((e) => e.path);
      })
      .toEqual(['only-here.txt']);
    await rooted.close();
  });

  it('is available to people as baton-mcp scan', async () => {
    const result = await runCli(['scan', 'search', '--query', 'shared', '--root', repo, '--state-dir', join(dir.path, 'state')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/3 matching lines/);
    const json = await runCli(['scan', 'read', '--path', 'README.md', '--json', '--root', repo, '--state-dir', join(dir.path, 'state')]);
    expect(JSON.parse(json.stdout)).toMatchObject({ mode: 'read', text: '# e2e' });
    const bad = await runCli(['scan', 'read', '--root', repo, '--state-dir', join(dir.path, 'state')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/read needs a path/);
  });
});
