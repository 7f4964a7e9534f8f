import { join } from 'node:path';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkspaceState } from '../../src/core/state.js';
import { Workspace } from '../../src/core/workspace.js';
import { SessionStore } from '../../src/session/store.js';
import type { SessionEvent } from '../../src/session/types.js';
import { gitRepo, tempDir } from '../helpers/repo.js';
import { startServer, type RunningServer } from '../helpers/server.js';

/** What a client hands its model: the structured content as JSON, or the text. Both count. */
function channels(result: Record<string, unknown>): { json: number; text: number } {
  const text = (result.content as Array<{ text?: string }> | undefined)?.[0]?.text ?? '';
  return { json: countTokens(JSON.stringify(result.structuredContent ?? {})), text: countTokens(text) };
}

describe('budgets hold in both channels', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let server: RunningServer;

  beforeAll(async () => {
    dir = await tempDir();
    const root = join(dir.path, 'repo');
    const files: Record<string, string> = {};
    for (let i = 0; i < 120; i++)
      files[`src/module${i}/file${i}.ts`] =
        `export function handler${i}(request: Request, retries = ${i}): Response {\n  return route${i}(request, "quoted \\"text\\"", retries);\n}\n`;
    await gitRepo(root, files);
    // A long session: thousands of calls, checkpoints with long decisions and constraints.
    const state = join(dir.path, 'state');
    const store = SessionStore.for(await WorkspaceState.open(state, (await Workspace.open(root)).root));
    const id = await store.current();
    const events: SessionEvent[] = [];
    for (let i = 0; i < 3000; i++) {
      events.push({
        type: 'call',
        at: new Date(2026, 0, 1, 0, 0, i).toISOString(),
        tool: i % 3 ? 'repo-scan' : 'apply-patch',
        args: `mode=read path=src/module${i % 120}/file${i % 120}.ts "quoted"`,
        ok: true,
        result: `read ${i} lines of "src/module${i % 120}"`,
        ms: 3,
        ...(i % 3 ? {} : { files: [{ path: `src/module${i % 120}/file${i % 120}.ts`, action: 'update', additions: 2, deletions: 1 }] }),
      });
      if (i % 500 === 0)
        events.push({
          type: 'checkpoint',
          at: new Date().toISOString(),
          goal: `Goal "${i}": move every handler to the new router`,
          constraints: [`keep the public API of handler${i} stable, with its "quoted" defaults`],
          decisions: [`decided at ${i}: routes are resolved lazily, C:\\\\paths escaped`],
        });
    }
    await store.append(id, ...events);
    server = await startServer({ root, stateDir: state });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await dir?.cleanup();
  });

  it.each([500, 1500, 4000, 20000])('the session brief at maxTokens %i', async (maxTokens) => {
    const result = await server.client.callTool({ name: 'session', arguments: { action: 'resume', maxTokens } });
    expect(result.isError).toBeFalsy();
    const { json, text } = channels(result);
    expect(json, 'JSON').toBeLessThanOrEqual(maxTokens);
    expect(text, 'text').toBeLessThanOrEqual(maxTokens);
    expect((result.structuredContent as { brief: string }).brief).toMatch(/move every handler/);
  });

  it('a result that cannot be fetched again (a written patch) is cut to fit, both channels', async () => {
    const lines = Array.from({ length: 400 }, (_, i) => `+line ${i} of a long new file, with "quotes" and \\ backslashes`).join('\n');
    const patch = `*** Begin Patch\n*** Add File: big/new.txt\n${lines}\n*** End Patch\n`;
    for (const maxTokens of [400, 1500]) {
      const result = await server.client.callTool({ name: 'apply-patch', arguments: { patch, dryRun: true, maxTokens } });
      expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
      const { json, text } = channels(result);
      expect(json, `JSON at ${maxTokens}`).toBeLessThanOrEqual(maxTokens);
      expect(text, `text at ${maxTokens}`).toBeLessThanOrEqual(maxTokens);
    }
  });

  it.each([
    ['overview', {}],
    ['tree', {}],
    ['search', { query: 'handler', contextLines: 2 }],
    ['symbols', {}],
    ['map', { query: 'route' }],
    ['references', { query: 'request' }],
    ['read', { path: 'src/module7/file7.ts' }],
  ])('repo-scan %s at the edge of small budgets', async (mode, args) => {
    for (const maxTokens of [300, 600, 1200]) {
      const result = await server.client.callTool({ name: 'repo-scan', arguments: { mode, ...args, maxTokens } });
      expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
      const { json, text } = channels(result);
      expect(json, `${mode} JSON at ${maxTokens}`).toBeLessThanOrEqual(maxTokens);
      expect(text, `${mode} text at ${maxTokens}`).toBeLessThanOrEqual(maxTokens);
    }
  });
});
