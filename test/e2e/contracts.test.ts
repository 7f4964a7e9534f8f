import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { TOOLS } from '../../src/tools/index.js';
import { FIXTURES, jsProject } from '../helpers/projects.js';
import { gitRepo, tempDir } from '../helpers/repo.js';
import { startResponsesServer, type ResponsesServer } from '../helpers/responses-server.js';
import { startServer, type RunningServer } from '../helpers/server.js';

/**
 * Every tool's real results, over stdio from the built server, checked against the tool's
 * full zod output schema (tools/list shows a compact one): each declared field has its type,
 * and no field is there that the schema does not declare.
 */
const TOOLS_LIST_LIMIT = 8192; // DESIGN.md §5: tool definitions under 8 KB in all

const CALLS: Record<string, Array<Record<string, unknown>>> = {
  'repo-scan': [
    { mode: 'overview' },
    { mode: 'tree' },
    { mode: 'search', query: 'add', contextLines: 1 },
    { mode: 'symbols' },
    { mode: 'map', query: 'add' },
    { mode: 'references', query: 'add' },
    { mode: 'read', path: 'src/add.js' },
    { mode: 'tree', maxTokens: 120 }, // truncated, with a cursor
  ],
  'apply-patch': [
    { patch: '*** Begin Patch\n*** Add File: notes.txt\n+hello\n*** End Patch\n', dryRun: true },
    { patch: '*** Begin Patch\n*** Add File: notes.txt\n+hello\n*** End Patch\n' },
    { patch: '*** Begin Patch\n*** Update File: notes.txt\n@@\n-not there\n+x\n*** End Patch\n' }, // fails, with diagnostics
    {
      edits: [
        { path: 'notes.txt', oldText: 'hello', newText: 'hi' },
        { path: 'new.txt', oldText: '', newText: 'new\n' },
      ],
    },
    { edits: [{ path: 'src/add.js', oldText: 'return a + b;', newText: 'return a +' }], dryRun: true }, // syntax: an introduced error
    { patch: '*** Begin Patch\n*** Add File: notes.txt\n+replaced\n*** End Patch\n' }, // overwritten: true (Codex semantics)
  ],
  'run-tests': [
    { runner: 'node', waitSec: 120 },
    { runner: 'node', waitSec: 0 },
  ],
  'delegate-to-codex': [{ task: 'Say what add() does', backend: 'responses', waitSec: 60 }],
  session: [
    { action: 'checkpoint', goal: 'check the contracts', plan: [{ step: 'call every tool', status: 'doing' }] },
    { action: 'resume' },
    { action: 'list' },
    { action: 'compact' },
  ],
};

describe('tool contracts', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let server: RunningServer;
  let responses: ResponsesServer;

  beforeAll(async () => {
    dir = await tempDir();
    const root = join(dir.path, 'repo');
    await gitRepo(root, { 'README.md': '# demo\n', 'src/add.js': 'export function add(a, b) {\n  return a + b;\n}\n' });
    await jsProject(root, FIXTURES.node.pkg, FIXTURES.node.files);
    responses = await startResponsesServer(() => ({ functionCalls: [{ name: 'finish', arguments: { report: 'add() adds two numbers.' } }] }));
    server = await startServer({ root, stateDir: join(dir.path, 'state'), env: { OPENAI_BASE_URL: responses.url, OPENAI_API_KEY: 'test-key' } });
  });
  afterAll(async () => {
    await server?.close();
    await responses?.close();
    await dir?.cleanup();
  });

  it(`lists every tool within ${TOOLS_LIST_LIMIT} bytes`, async () => {
    const { tools } = await server.client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(TOOLS.map((tool) => tool.name));
    expect(JSON.stringify(tools).length).toBeLessThanOrEqual(TOOLS_LIST_LIMIT);
  });

  it.each(TOOLS.map((tool) => [tool.name, tool] as const))('%s: real results match the full output schema', async (name, tool) => {
    const { output } = await tool.schemas();
    const calls = CALLS[name];
    expect(calls, `no contract calls for ${name}`).toBeDefined();
    for (const args of calls!) {
      const result = await server.client.callTool({ name, arguments: args });
      expect(result.isError, `${name} ${JSON.stringify(args)}: ${JSON.stringify(result.content)}`).toBeFalsy();
      expect(result.content).toEqual([{ type: 'text', text: expect.any(String) }]);
      expectExactly(output, result.structuredContent, `${name} ${JSON.stringify(args)}`);
    }
  });
});

/** Parses with the full schema; stripping undeclared keys must change nothing. */
function expectExactly(schema: z.ZodObject, value: unknown, what: string): void {
  const parsed = schema.safeParse(value);
  expect(parsed.success ? undefined : parsed.error.issues, what).toBeUndefined();
  expect(parsed.data, `${what}: fields the schema does not declare`).toEqual(value);
}
