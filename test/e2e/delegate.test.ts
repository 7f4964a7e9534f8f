import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import { toolContext } from '../helpers/context.js';
import { delegate } from '../../src/tools/delegate-to-codex/delegate.js';
import { DelegateInput, type DelegateOutput } from '../../src/tools/delegate-to-codex/schema.js';
import { gitRepo, tempDir } from '../helpers/repo.js';
import { startResponsesServer, type RecordedRequest, type ResponsesServer, type Script, type Step } from '../helpers/responses-server.js';
import { startServer } from '../helpers/server.js';

const FIX = '*** Begin Patch\n*** Update File: src/add.js\n@@\n-export const add = (a, b) => a - b;\n+export const add = (a, b) => a + b;\n*** End Patch\n';

/** The agent's turns, scripted; hand-off summary requests (no tools offered) get a fixed summary. */
function agent(turns: Step[]): Script {
  let turn = 0;
  return (request: RecordedRequest) => (request.tools?.length ? (turns[turn++] ?? { text: 'out of script' }) : { text: 'SUMMARY OF EARLIER WORK' });
}

describe('delegate-to-codex, responses backend', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let repo: string;
  let server: ResponsesServer | undefined;
  const saved = { ...process.env };

  // The endpoint comes from the environment each test sets, as it would for the server.
  const run = async (input: Partial<DelegateInput>, config: Config = loadConfig({}, process.env)): Promise<DelegateOutput> => {
    const context = await toolContext(repo, join(dir.path, 'state'), config);
    return delegate(DelegateInput.parse({ backend: 'responses', waitSec: 60, task: 'Fix add() so the tests pass', ...input }), context);
  };
  const serve = async (script: Script) => {
    server = await startResponsesServer(script);
    process.env.OPENAI_BASE_URL = server.url;
    process.env.OPENAI_API_KEY = 'test-key';
    return server;
  };

  beforeAll(async () => {
    dir = await tempDir();
  });
  beforeEach(async () => {
    repo = join(dir.path, `repo-${Math.random().toString(36).slice(2)}`);
    await gitRepo(repo, {
      'package.json': JSON.stringify({ name: 'calc', type: 'module', scripts: { test: 'node --test' } }),
      'src/add.js': 'export const add = (a, b) => a - b;\n',
      'test/add.test.js': "import test from 'node:test';\nimport assert from 'node:assert';\nimport { add } from '../src/add.js';\ntest('adds', () => assert.strictEqual(add(2, 3), 5));\n",
    });
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    process.env = { ...saved };
  });
  afterAll(() => dir.cleanup());

  it('reads, patches, runs the tests and finishes; reports the diff, files, commands and usage', async () => {
    const s = await serve(
      agent([
        { functionCalls: [{ name: 'repo_scan', arguments: { mode: 'read', path: 'src/add.js' } }, { name: 'repo_scan', arguments: { mode: 'search', query: 'add' } }] },
        { functionCalls: [{ name: 'apply_patch', arguments: { patch: FIX } }] },
        { functionCalls: [{ name: 'run_tests', arguments: {} }] },
        { functionCalls: [{ name: 'finish', arguments: { report: 'Fixed add(): it subtracted.' } }], usage: { inputTokens: 100, outputTokens: 20 } },
      ]),
    );
    const result = await run({ sandbox: 'workspace-write', effort: 'high' });
    expect(result).toMatchObject({ status: 'completed', backend: 'responses', finalMessage: 'Fixed add(): it subtracted.', turns: 4, filesChanged: [{ path: 'src/add.js', kind: 'update' }] });
    expect(result.diff).toMatch(/-export const add = \(a, b\) => a - b;\n\+export const add = \(a, b\) => a \+ b;/);
    expect(result.commands).toEqual([expect.objectContaining({ exitCode: 0 })]);
    expect(result.usage.inputTokens).toBeGreaterThanOrEqual(100);
    expect(await readFile(join(repo, 'src/add.js'), 'utf8')).toContain('a + b');
    const first = s.requests[0]!;
    expect(first.tools!.map((t) => t.name)).toEqual(['repo_scan', 'apply_patch', 'run_tests', 'finish']);
    expect(first.reasoning?.effort).toBe('high');
    expect(first.model).toBe('gpt-5.1-codex-mini'); // a narrow task routes to the small model
    expect(JSON.stringify(s.requests[1]!.input)).toContain('export const add');
  });

  it('in read-only, offers only reading tools and sends mistakes back to the model instead of failing', async () => {
    const s = await serve(
      agent([
        { functionCalls: [{ name: 'apply_patch', arguments: { patch: FIX } }, { name: 'teleport', arguments: {} }, { name: 'repo_scan', arguments: { mode: 'fly' } }] },
        { functionCalls: [{ name: 'finish', arguments: { report: 'Could not change anything.' } }] },
      ]),
    );
    const result = await run({ sandbox: 'read-only' });
    expect(result.status).toBe('completed');
    expect(s.requests[0]!.tools!.map((t) => t.name)).toEqual(['repo_scan', 'finish']);
    const fed = JSON.stringify(s.requests[1]!.input);
    expect(fed).toContain('not available in the read-only sandbox');
    expect(fed).toContain('unknown tool');
    expect(fed).toContain('invalid arguments for repo_scan');
    expect(await readFile(join(repo, 'src/add.js'), 'utf8')).toContain('a - b');
  });

  it('sends a failed patch back with the nearest-match diagnostics', async () => {
    const bad = FIX.replace('a - b', 'a * b');
    const s = await serve(agent([{ functionCalls: [{ name: 'apply_patch', arguments: { patch: bad } }] }, { text: 'giving up' }]));
    const result = await run({ sandbox: 'workspace-write' });
    expect(result).toMatchObject({ status: 'completed', finalMessage: 'giving up', filesChanged: [] });
    expect(JSON.stringify(s.requests[1]!.input)).toMatch(/NOT applied.*nearest in the file/);
  });

  it('compacts its history when the input nears the context window, and goes on', async () => {
    const read = { functionCalls: [{ name: 'repo_scan', arguments: { mode: 'read', path: 'src/add.js' } }], usage: { inputTokens: 2900, outputTokens: 10 } };
    const s = await serve(agent([read, read, read, { functionCalls: [{ name: 'finish', arguments: { report: 'done' } }] }]));
    const config = loadConfig({}, process.env);
    config.delegate.models.tiny = { contextWindow: 3000, efforts: ['medium'] };
    const result = await run({ model: 'tiny' }, config);
    expect(result.status).toBe('completed');
    expect(result.compactions).toBeGreaterThanOrEqual(1);
    const later = s.requests.filter((r) => r.tools?.length).at(-1)!;
    expect(JSON.stringify(later.input)).toContain('Summary of the work so far');
  });

  it('retries a 429, stops at the token budget, and fails clearly on a malformed stream', async () => {
    let s = await serve(agent([{ status: 429, retryAfterMs: 10 }, { functionCalls: [{ name: 'finish', arguments: { report: 'ok' } }] }]));
    expect((await run({})).status).toBe('completed');
    expect(s.requests.length).toBe(2);
    await s.close();

    const read = { functionCalls: [{ name: 'repo_scan', arguments: { mode: 'overview' } }], usage: { inputTokens: 900, outputTokens: 100 } };
    s = await serve(agent([read, read, read, read]));
    const budget = await run({ budgetTokens: 1500 });
    expect(budget.status).toBe('budget-exceeded');
    expect(budget.turns).toBe(2);
    await s.close();

    await serve(agent([{ garbage: 'data: {not json\n\n' }]));
    const broken = await run({ task: 'Look at the broken stream' }); // a new task: the first one is cached now
    expect(broken.status).toBe('failed');
    expect(broken.finalMessage).toMatch(/endpoint failed|ended before/);
  });

  it('answers running with a jobId, and cancel aborts the stream', async () => {
    const s = await serve(agent([{ hang: true }]));
    const first = await run({ waitSec: 0.5 });
    expect(first.status).toBe('running');
    const cancelled = await run({ jobId: first.jobId, cancel: true });
    expect(cancelled.status).toBe('cancelled');
    expect(s.aborted).toBeGreaterThanOrEqual(1);
  });

  it('answers an identical read-only request from the cache until what it read changes', async () => {
    const s = await serve(
      agent([
        { functionCalls: [{ name: 'repo_scan', arguments: { mode: 'read', path: 'src/add.js' } }] },
        { functionCalls: [{ name: 'finish', arguments: { report: 'add subtracts' } }] },
        { functionCalls: [{ name: 'finish', arguments: { report: 'second look' } }] },
      ]),
    );
    const task = 'What does add() do?';
    expect((await run({ task })).cached).toBeUndefined();
    const again = await run({ task });
    expect(again).toMatchObject({ cached: true, finalMessage: 'add subtracts' });
    expect(s.requests.length).toBe(2);
    await writeFile(join(repo, 'src/add.js'), 'export const add = (a, b) => a + b;\n');
    expect((await run({ task })).finalMessage).toBe('second look');
  });

  it('continues an earlier delegation with its sessionId, and refuses an unknown one', async () => {
    const s = await serve(agent([{ text: 'first answer' }, { text: 'second answer' }]));
    const first = await run({ task: 'Explain add()' });
    const second = await run({ task: 'And now in one word?', sessionId: first.sessionId });
    expect(second.sessionId).toBe(first.sessionId);
    expect(JSON.stringify(s.requests[1]!.input)).toContain('Explain add()');
    await expect(run({ sessionId: 'd-000000000000' })).rejects.toThrow(/no delegation/);
    await expect(run({ task: '   ' })).rejects.toThrow(/task is empty/);
    await expect(run({ model: 'gpt-imaginary' })).rejects.toThrow(/unknown model/);
  });

  it('keeps no credential from the task at rest, and its records private (0600)', async () => {
    const key = 'sk-proj-' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6';
    await serve(agent([{ text: 'noted' }]));
    const result = await run({ task: `Use the key ${key} against postgres://app:hunter22@db.internal/app` });
    const { readdir, stat } = await import('node:fs/promises');
    const state = join(dir.path, 'state');
    const files = (await readdir(state, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
    const record = files.find((file) => file.endsWith(`${result.sessionId}.json`));
    expect(record).toBeDefined();
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      expect(text, file).not.toContain(key);
      expect(text, file).not.toContain('hunter22');
      expect((await stat(file)).mode & 0o077, file).toBe(0);
    }
    expect(await readFile(record!, 'utf8')).toContain('sk-proj-…[redacted]');
  });

  it('says how to set up either backend when neither is available', async () => {
    delete process.env.OPENAI_API_KEY;
    delete process.env.OPENAI_BASE_URL;
    const config = loadConfig({}, {});
    config.delegate.codexBinary = join(dir.path, 'no-codex-here');
    await expect(run({ backend: 'auto' }, config)).rejects.toMatchObject({ hint: expect.stringMatching(/npm install -g @openai\/codex.*OPENAI_API_KEY/) });
  });
});

describe('delegate-to-codex over stdio', () => {
  it('sends progress, answers running with a jobId, then the result', async () => {
    const dir = await tempDir();
    const repo = join(dir.path, 'repo');
    await gitRepo(repo, { 'a.txt': 'hello\n' });
    const slow = agent([{ functionCalls: [{ name: 'repo_scan', arguments: { mode: 'read', path: 'a.txt' } }] }, { text: 'it says hello' }]);
    let calls = 0;
    const server = await startResponsesServer(async (request, index) => {
      if (calls++ === 0) await new Promise((r) => setTimeout(r, 1500));
      return (slow as (r: RecordedRequest, i: number) => Step)(request, index);
    });
    const baton = await startServer({ root: repo, stateDir: join(dir.path, 'state'), env: { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: 'test' } });
    try {
      const progress: string[] = [];
      const first = (await baton.client.callTool({ name: 'delegate-to-codex', arguments: { task: 'What does a.txt say?', backend: 'responses', waitSec: 0.5 } }, undefined, {
        onprogress: (p) => void progress.push(String(p.message)),
      })) as unknown as { structuredContent: DelegateOutput };
      expect(first.structuredContent.status).toBe('running');
      const done = (await baton.client.callTool({ name: 'delegate-to-codex', arguments: { jobId: first.structuredContent.jobId, waitSec: 30 } }, undefined, {
        onprogress: (p) => void progress.push(String(p.message)),
      })) as unknown as { structuredContent: DelegateOutput };
      expect(done.structuredContent).toMatchObject({ status: 'completed', finalMessage: 'it says hello' });
      expect(progress.some((m) => /turn \d/.test(m))).toBe(true);
    } finally {
      await baton.close();
      await server.close();
      await dir.cleanup();
    }
  }, 60_000);
});
