import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { gitRepo, tempDir } from '../helpers/repo.js';
import { startServer, type RunningServer } from '../helpers/server.js';

/** `mode: "references"` end to end: over MCP stdio from the built server, and as `baton-mcp scan`. */
describe('repo-scan references over stdio and the CLI', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let server: RunningServer;
  let repo: string;
  let state: string;
  const call = async (args: Record<string, unknown>) => {
    const result = await server.client.callTool({ name: 'repo-scan', arguments: { mode: 'references', ...args } });
    return result as { isError?: boolean; structuredContent?: Record<string, unknown>; content: Array<{ type: string; text: string }> };
  };

  beforeAll(async () => {
    dir = await tempDir();
    repo = join(dir.path, 'repo');
    state = join(dir.path, 'state');
    await gitRepo(repo, {
      'src/lib.ts': 'export function shared(x: number): number {\n  return x * 2;\n}\n',
      'src/main.ts': "import { shared } from './lib';\n// shared is doubled\nexport function main(): number {\n  return shared(21) + shared(1);\n}\n",
      'README.md': '# e2e: shared\n',
    });
    server = await startServer({ root: repo, stateDir: state });
  });
  afterAll(async () => {
    await server.close();
    await dir.cleanup();
  });

  it('is a mode of the listed tool, described as name-based', async () => {
    const { tools } = await server.client.listTools();
    const tool = tools.find((t) => t.name === 'repo-scan')!;
    expect(JSON.stringify(tool.inputSchema)).toMatch(/"references"/);
    expect(tool.description).toMatch(/references: .*name-based, not type-resolved/);
  });

  it('answers with definitions and uses in both channels', async () => {
    const result = await call({ query: 'shared' });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual({
      mode: 'references',
      root: expect.any(String),
      definitions: [{ path: 'src/lib.ts', line: 1, kind: 'function', signature: 'export function shared(x: number): number' }],
      references: [
        { path: 'src/main.ts', line: 1, column: 10, text: "import { shared } from './lib';" },
        { path: 'src/main.ts', line: 4, column: 10, text: 'return shared(21) + shared(1);', container: 'main' },
        { path: 'src/main.ts', line: 4, column: 23, text: 'return shared(21) + shared(1);', container: 'main' },
      ],
      totalReferences: 3,
      truncated: false,
      parsedFiles: 2,
      cachedFiles: 0,
    });
    expect(result.content[0]!.text).toBe(
      [
        '3 uses by name (not type-resolved)',
        'defined at:',
        '  src/lib.ts:1 function: export function shared(x: number): number',
        'src/main.ts:',
        "  1:10  import { shared } from './lib';",
        '  4:10  return shared(21) + shared(1);  [in main]',
        '  4:23  return shared(21) + shared(1);  [in main]',
      ].join('\n'),
    );
  });

  it('pages with nextCursor over MCP', async () => {
    const first = await call({ query: 'shared', maxTokens: 150 });
    expect(first.structuredContent).toMatchObject({ truncated: true, totalReferences: 3 });
    const seen = [...(first.structuredContent!.references as unknown[])];
    let cursor = first.structuredContent!.nextCursor as string | undefined;
    while (cursor) {
      const page = await call({ query: 'shared', maxTokens: 150, cursor });
      expect(page.isError).toBeFalsy();
      seen.push(...(page.structuredContent!.references as unknown[]));
      cursor = page.structuredContent!.nextCursor as string | undefined;
    }
    expect(seen).toHaveLength(3);
  });

  it.each([
    [{}, /references needs query/],
    [{ query: 'lib.shared' }, /query "lib\.shared" is not one identifier\. Pass one name, e\.g\. "shared"/],
    [{ query: 'shared', path: 'src/main.ts' }, /"src\/main\.ts" does not define shared; src\/lib\.ts does/],
  ])('%j is a clear tool error', async (args, message) => {
    const result = await call(args);
    expect(result.isError).toBe(true);
    expect(result.content[0]!.text).toMatch(message);
    expect(result.content[0]!.text).not.toMatch(/\n\s+at /);
  });

  it('is baton-mcp scan references, with the mode as an argument or as --mode', async () => {
    const asArgument = await runCli(['scan', 'references', '--query', 'shared', '--root', repo, '--state-dir', state]);
    expect(asArgument.code).toBe(0);
    expect(asArgument.stdout).toMatch(/^3 uses by name \(not type-resolved\)\ndefined at:\n {2}src\/lib\.ts:1 function/);
    const asOption = await runCli(['scan', '--mode', 'references', '--query', 'shared', '--json', '--root', repo, '--state-dir', state]);
    expect(asOption.code).toBe(0);
    expect(JSON.parse(asOption.stdout)).toMatchObject({ mode: 'references', totalReferences: 3, definitions: [{ path: 'src/lib.ts' }] });
    const twoModes = await runCli(['scan', 'tree', '--mode', 'references', '--root', repo, '--state-dir', state]);
    expect(twoModes.code).toBe(2);
    expect(twoModes.stderr).toMatch(/two modes: "tree" and --mode references/);
    const bad = await runCli(['scan', '--mode', 'references', '--query', 'a.b', '--root', repo, '--state-dir', state]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/is not one identifier/);
  });
});
