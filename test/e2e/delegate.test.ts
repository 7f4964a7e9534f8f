import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import { UserError } from '../../src/core/errors.js';
import { toolContext } from '../helpers/context.js';
import { delegate } from '../../src/tools/delegate-to-codex/delegate.js';
import { DelegateInput, type DelegateOutput } from '../../src/tools/delegate-to-codex/schema.js';
import { gitRepo, tempDir, writeFiles } from '../helpers/repo.js';
import { startResponsesServer, type RecordedRequest, type ResponsesServer, type Script, type ServerOptions, type Step } from '../helpers/responses-server.js';
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
  const serve = async (script: Script, options: ServerOptions = {}) => {
    server = await startResponsesServer(script, options);
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
      'test/add.test.js':
        "import test from 'node:test';\nimport assert from 'node:assert';\nimport { add } from '../src/add.js';\ntest('adds', () => assert.strictEqual(add(2, 3), 5));\n",
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
        {
          functionCalls: [
            { name: 'repo_scan', arguments: { mode: 'read', path: 'src/add.js' } },
            { name: 'repo_scan', arguments: { mode: 'search', query: 'add' } },
          ],
        },
        { functionCalls: [{ name: 'apply_patch', arguments: { patch: FIX } }] },
        { functionCalls: [{ name: 'run_tests', arguments: {} }] },
        { functionCalls: [{ name: 'finish', arguments: { report: 'Fixed add(): it subtracted.' } }], usage: { inputTokens: 100, outputTokens: 20 } },
      ]),
    );
    const result = await run({ sandbox: 'workspace-write', effort: 'high' });
    expect(result).toMatchObject({
      status: 'completed',
      backend: 'responses',
      finalMessage: 'Fixed add(): it subtracted.',
      turns: 4,
      filesChanged: [{ path: 'src/add.js', kind: 'update' }],
    });
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
        {
          functionCalls: [
            { name: 'apply_patch', arguments: { patch: FIX } },
            { name: 'teleport', arguments: {} },
            { name: 'repo_scan', arguments: { mode: 'fly' } },
          ],
        },
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

/** A config whose model table has `tiny`, a model with a small window, so compaction comes soon. */
function tinyConfig(window: number): Config {
  const config = loadConfig({}, process.env);
  config.delegate.models.tiny = { contextWindow: window, efforts: ['medium'] };
  return config;
}

/** The state file that remembers what each endpoint supports of the API's compaction. */
async function endpointMemory(stateDir: string): Promise<Record<string, { contextManagement?: string; compactEndpoint?: string }>> {
  const { readdir } = await import('node:fs/promises');
  for (const entry of await readdir(stateDir, { recursive: true })) {
    if (String(entry).endsWith('delegate-endpoints.json')) return JSON.parse(await readFile(join(stateDir, String(entry)), 'utf8'));
  }
  return {};
}

const inputTypes = (request: RecordedRequest) => (request.input as Array<{ type?: string; role?: string }>).map((item) => item.type ?? item.role);

describe('delegate-to-codex, responses backend: compaction', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let repo: string;
  let server: ResponsesServer | undefined;
  const saved = { ...process.env };
  const state = () => join(dir.path, 'state');

  const run = async (input: Partial<DelegateInput>, config: Config): Promise<DelegateOutput> => {
    const context = await toolContext(repo, state(), config);
    return delegate(
      DelegateInput.parse({ backend: 'responses', waitSec: 120, maxTurns: 100, task: 'Read big.txt again and again', model: 'tiny', ...input }),
      context,
    );
  };
  const serve = async (script: Script, options: ServerOptions = {}) => {
    server = await startResponsesServer(script, options);
    process.env.OPENAI_BASE_URL = server.url;
    process.env.OPENAI_API_KEY = 'test-key';
    return server;
  };
  const read = (usage?: { inputTokens: number }) => ({
    functionCalls: [{ name: 'repo_scan', arguments: { mode: 'read', path: 'big.txt' } }],
    ...(usage ? { usage: { ...usage, outputTokens: 10 } } : {}),
  });
  const finish = { functionCalls: [{ name: 'finish', arguments: { report: 'done' } }] };

  beforeEach(async () => {
    dir = await tempDir();
    repo = join(dir.path, 'repo');
    // About 450 tokens a read: a tenth of the tiny windows below, so no single turn overflows one.
    await gitRepo(repo, { 'big.txt': Array.from({ length: 30 }, (_, i) => `line ${i}: the quick brown fox jumps over the lazy dog`).join('\n') + '\n' });
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    process.env = { ...saved };
    await dir.cleanup();
  });

  it("uses the Responses API's compaction near the window: context_management at 90 %, the compaction item kept, what it carries dropped", async () => {
    const s = await serve(agent([read({ inputTokens: 1000 }), read({ inputTokens: 2800 }), read({ inputTokens: 1200 }), finish]));
    const result = await run({}, tinyConfig(3000));
    expect(result).toMatchObject({ status: 'completed', finalMessage: 'done', compactions: 1, turns: 4 });
    expect(s.requests[0]!.context_management).toEqual([{ type: 'compaction', compact_threshold: 2700 }]);
    // The second request crossed the threshold; the third starts from its compaction item.
    expect(inputTypes(s.requests[2]!)).toEqual(['compaction', 'function_call', 'function_call_output']);
    expect(JSON.stringify(s.requests[2]!.input)).not.toContain('Read big.txt again and again');
    expect(JSON.stringify(s.requests.map((r) => r.input))).not.toContain('Summary of the work so far');
    expect(s.compactRequests).toHaveLength(0);
    expect(result.notes).toContainEqual(expect.stringMatching(/^compaction: 1× by the Responses API: 1 with a response \(context_management at 2700 tokens\)/));
    expect(Object.values(await endpointMemory(state()))).toEqual([expect.objectContaining({ contextManagement: 'supported' })]);
  });

  it('calls responses.compact() when the API says the context is too long, and goes on from what it returns', async () => {
    const s = await serve(agent([read(), { contextLengthExceeded: true }, finish]));
    const result = await run({}, tinyConfig(3000));
    expect(result).toMatchObject({ status: 'completed', compactions: 1, turns: 2 });
    expect(s.compactRequests).toHaveLength(1);
    expect(s.compactRequests[0]).toMatchObject({ model: 'tiny' });
    expect(inputTypes(s.compactRequests[0]!)).toEqual(['user', 'function_call', 'function_call_output']);
    // The retried turn sends the compacted list as the API returned it: the task, then the compaction item.
    expect(inputTypes(s.requests[2]!)).toEqual(['message', 'compaction']);
    expect(JSON.stringify(s.requests[2]!.input)).toContain('Read big.txt again and again');
    expect(result.notes).toContainEqual(expect.stringMatching(/1× by the Responses API: 1 by responses\.compact/));
  });

  it("falls back to Baton's engine on a gateway that refuses context_management, and remembers it for that endpoint", async () => {
    const s = await serve(agent([read({ inputTokens: 1000 }), read({ inputTokens: 2800 }), read({ inputTokens: 1200 }), finish]), { compaction: 'gateway' });
    const result = await run({}, tinyConfig(3000));
    expect(result).toMatchObject({ status: 'completed', compactions: 1, turns: 4 });
    // The refused request is sent again without the parameter; it costs no turn.
    expect(s.requests[0]!.context_management).toBeDefined();
    expect(s.requests.slice(1).every((r) => r.context_management === undefined)).toBe(true);
    const later = s.requests.filter((r) => r.tools?.length).at(-1)!;
    expect(JSON.stringify(later.input)).toContain('Summary of the work so far');
    expect(result.notes).toContainEqual(expect.stringMatching(/^compaction: 1× by Baton's session engine \(.*refused context_management .*remembered/));
    expect(await endpointMemory(state())).toEqual({ [s.url]: expect.objectContaining({ contextManagement: 'unsupported' }) });

    // The next delegation against that endpoint does not ask again.
    const before = s.requests.length;
    expect((await run({ task: 'Another task' }, tinyConfig(3000))).status).toBe('completed');
    expect(s.requests.slice(before).every((r) => r.context_management === undefined)).toBe(true);
  });

  it('falls back to the engine when the endpoint takes context_management but never compacts and has no /responses/compact', async () => {
    const s = await serve(agent([read({ inputTokens: 1000 }), read({ inputTokens: 2800 }), read({ inputTokens: 1200 }), finish]), { compaction: 'ignoring' });
    const result = await run({}, tinyConfig(3000));
    expect(result).toMatchObject({ status: 'completed', compactions: 1 });
    expect(s.compactRequests).toHaveLength(1); // tried once, 404
    expect(JSON.stringify(s.requests.at(-1)!.input)).toContain('Summary of the work so far');
    expect(result.notes).toContainEqual(expect.stringMatching(/took context_management without compacting and has no \/responses\/compact/));
    expect(await endpointMemory(state())).toEqual({ [s.url]: expect.objectContaining({ contextManagement: 'unsupported', compactEndpoint: 'unsupported' }) });
  });

  it.each(['native', 'gateway'] as const)(
    'crosses three context windows in one loop (%s), leaving no listener behind on the signal',
    async (compaction) => {
      const warnings: string[] = [];
      const onWarning = (warning: Error) => void warnings.push(`${warning.name}: ${warning.message}`);
      process.on('warning', onWarning);
      try {
        const window = 4500;
        // Token counts are the server's estimates; an input over the window would be refused.
        const s = await serve(agent([...Array.from({ length: 40 }, () => read()), finish]), { compaction, contextWindows: { tiny: window } });
        const result = await run({}, tinyConfig(window));
        expect(result.status).toBe('completed');
        expect(result.turns).toBe(41);
        expect(result.compactions).toBeGreaterThanOrEqual(3);
        expect(result.usage.inputTokens).toBeGreaterThan(3 * window);
        expect(result.notes).toContainEqual(expect.stringMatching(compaction === 'native' ? /by the Responses API/ : /by Baton's session engine/));
        if (compaction === 'native') expect(s.compactions).toBe(result.compactions);
        else expect(s.compactions).toBe(0);
        await new Promise((resolve) => setImmediate(resolve));
        expect(warnings.filter((w) => w.startsWith('MaxListenersExceededWarning'))).toEqual([]);
      } finally {
        process.off('warning', onWarning);
      }
    },
    120_000,
  );
});

describe('delegate-to-codex, responses backend: models and efforts', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let server: ResponsesServer | undefined;
  const saved = { ...process.env };
  beforeEach(async () => {
    dir = await tempDir();
    await gitRepo(join(dir.path, 'repo'), { 'a.txt': 'hello\n' });
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    process.env = { ...saved };
    await dir.cleanup();
  });
  const run = async (input: Partial<DelegateInput>, config: Config = loadConfig({}, process.env)) =>
    delegate(
      DelegateInput.parse({ backend: 'responses', waitSec: 60, task: 'What does a.txt say?', ...input }),
      await toolContext(join(dir.path, 'repo'), join(dir.path, 'state'), config),
    );

  it('fails clearly when the endpoint does not serve the model: the model, the endpoint and the key to change', async () => {
    server = await startResponsesServer(agent([{ text: 'never' }]), { models: ['gpt-5.1-codex-max'], strictModels: true });
    process.env.OPENAI_BASE_URL = server.url;
    process.env.OPENAI_API_KEY = 'test-key';
    const error = (await run({}).catch((e: unknown) => e)) as UserError;
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toContain('"gpt-5.1-codex-mini"');
    expect(error.message).toContain(server.url);
    expect(error.hint).toMatch(/delegate\.smallModel.*baton-mcp doctor/);
    // A model asked for by name points at the input instead.
    const config = loadConfig({}, process.env);
    config.delegate.models['gpt-typo'] = { contextWindow: 100_000, efforts: ['medium'] };
    const named = (await run({ model: 'gpt-typo' }, config).catch((e: unknown) => e)) as UserError;
    expect(named.hint).toMatch(/as model, or correct "gpt-typo" under delegate\.models/);
  });

  it('clamps each effort of the whole range to the nearest the model supports, and says so', async () => {
    server = await startResponsesServer(() => ({ text: 'ok' }));
    process.env.OPENAI_BASE_URL = server.url;
    process.env.OPENAI_API_KEY = 'test-key';
    const sent: Record<string, unknown> = {};
    for (const effort of ['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'] as const) {
      const result = await run({ effort, model: 'gpt-5.1-codex-max', task: `Effort ${effort}: what does a.txt say?` });
      sent[effort] = server.requests.at(-1)!.reasoning?.effort;
      expect(result.effort).toBe(sent[effort]);
      if (sent[effort] !== effort) expect(result.notes).toContain(`effort "${effort}" is not supported by gpt-5.1-codex-max; used "${String(sent[effort])}"`);
    }
    expect(sent).toEqual({ none: 'low', minimal: 'low', low: 'low', medium: 'medium', high: 'high', xhigh: 'xhigh', max: 'xhigh' });
  });
});

/** A repository whose uncommitted change plants a bug: add() subtracts. */
async function plantedBug(root: string): Promise<void> {
  await gitRepo(root, { 'src/add.js': 'export const add = (a, b) => a + b;\n', 'README.md': '# calc\n' });
  await writeFile(join(root, 'src/add.js'), 'export const add = (a, b) => a - b;\n');
  await writeFile(join(root, 'src/double.js'), "import { add } from './add.js';\nexport const double = (a) => add(a, a);\n");
}

const ADD_FINDING = { path: 'src/add.js', line: 1, severity: 'high', title: 'add() subtracts', body: 'add returns a - b, so every sum is wrong.' } as const;

describe('delegate-to-codex, responses backend: review', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let repo: string;
  let server: ResponsesServer | undefined;
  const saved = { ...process.env };
  const run = async (input: Partial<DelegateInput>): Promise<DelegateOutput> =>
    delegate(
      DelegateInput.parse({ backend: 'responses', mode: 'review', waitSec: 60, ...input }),
      await toolContext(repo, join(dir.path, 'state'), loadConfig({}, process.env)),
    );
  const serve = async (script: Script) => {
    server = await startResponsesServer(script);
    process.env.OPENAI_BASE_URL = server.url;
    process.env.OPENAI_API_KEY = 'test-key';
    return server;
  };
  beforeEach(async () => {
    dir = await tempDir();
    repo = join(dir.path, 'repo');
    await plantedBug(repo);
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    process.env = { ...saved };
    await dir.cleanup();
  });

  it('reviews the uncommitted changes read-only and returns the findings the model gave finish', async () => {
    const s = await serve(
      agent([
        {
          functionCalls: [
            { name: 'repo_scan', arguments: { mode: 'read', path: 'src/add.js' } },
            { name: 'apply_patch', arguments: { patch: FIX } },
          ],
        },
        { functionCalls: [{ name: 'finish', arguments: { report: 'The change breaks add().', findings: [{ ...ADD_FINDING, path: `${repo}/src/add.js` }] } }] },
      ]),
    );
    const result = await run({ sandbox: 'workspace-write', task: 'Mind the arithmetic.' });
    expect(result).toMatchObject({ status: 'completed', finalMessage: 'The change breaks add().', findings: [ADD_FINDING], filesChanged: [], diff: '' });
    expect(result.notes).toContain('a review is read-only: sandbox workspace-write was not used');
    const first = s.requests[0]!;
    expect(first.instructions).toMatch(/reviewing a code change/);
    expect(first.tools!.map((t) => t.name)).toEqual(['repo_scan', 'finish']);
    expect(JSON.stringify(first.tools![1])).toContain('findings');
    const prompt = String((first.input as Array<{ content: string }>)[0]!.content);
    expect(prompt).toContain('Review the uncommitted changes against HEAD.');
    expect(prompt).toContain('Instructions from the requester: Mind the arithmetic.');
    expect(prompt).toContain('-export const add = (a, b) => a + b;\n+export const add = (a, b) => a - b;');
    expect(prompt).toContain('+++ b/src/double.js'); // untracked files are part of the change
    expect(JSON.stringify(s.requests[1]!.input)).toContain('not available in the read-only sandbox');
    expect(await readFile(join(repo, 'src/add.js'), 'utf8')).toContain('a - b');
  });

  it('reviews against a base (its merge base), and reads findings from a text answer', async () => {
    const { simpleGit } = await import('simple-git');
    const git = simpleGit(repo);
    await git.checkoutLocalBranch('feature');
    await git.add('.');
    await git.commit('the change');
    const answer = `The patch is incorrect.\n\nReview comment:\n\n- [P2] add() subtracts — ${repo}/src/add.js:1-1\n  add returns a - b,\n  so every sum is wrong.`;
    const s = await serve(agent([{ text: answer }]));
    const result = await run({ base: 'main' });
    expect(result).toMatchObject({ status: 'completed', finalMessage: answer });
    expect(result.findings).toEqual([{ ...ADD_FINDING, severity: 'medium', body: 'add returns a - b,\nso every sum is wrong.' }]);
    const prompt = JSON.stringify(s.requests[0]!.input);
    expect(prompt).toMatch(/Review the changes against main \(merge base [0-9a-f]{7}\)/);
    expect(prompt).toContain('a - b');
  });

  it('says when the answer has no findings it can read, and refuses what it cannot review', async () => {
    await serve(agent([{ text: 'Looks fine to me, I think.' }]));
    const vague = await run({});
    expect(vague.findings).toEqual([]);
    expect(vague.notes).toContain('the reviewer answered without findings Baton could read; its answer is finalMessage');

    await expect(run({ base: 'no-such-branch' })).rejects.toThrow(/base "no-such-branch" is not a commit/);
    await expect(run({ base: '--output=/tmp/x' })).rejects.toThrow(/invalid git ref/);
    await expect(run({ sessionId: vague.sessionId })).rejects.toThrow(/a review starts afresh/);
    await expect(run({ mode: 'task', task: 'x', base: 'main' })).rejects.toThrow(/base is for mode "review"/);
    const { simpleGit } = await import('simple-git');
    await simpleGit(repo)
      .add('.')
      .then(() => simpleGit(repo).commit('all in'));
    await expect(run({})).rejects.toMatchObject({ message: 'nothing to review: no changes against HEAD', hint: expect.stringContaining('base') });
    repo = join(dir.path, 'plain');
    await writeFiles(repo, { 'a.txt': 'x\n' });
    await expect(run({})).rejects.toThrow(/review needs a git repository/);
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
      const first = (await baton.client.callTool(
        { name: 'delegate-to-codex', arguments: { task: 'What does a.txt say?', backend: 'responses', waitSec: 0.5 } },
        undefined,
        {
          onprogress: (p) => void progress.push(String(p.message)),
        },
      )) as unknown as { structuredContent: DelegateOutput };
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

  it('logs a review in the session like any delegation, with its findings count', async () => {
    const dir = await tempDir();
    const repo = join(dir.path, 'repo');
    await plantedBug(repo);
    const server = await startResponsesServer(agent([{ functionCalls: [{ name: 'finish', arguments: { report: 'Broken.', findings: [ADD_FINDING] } }] }]));
    const baton = await startServer({ root: repo, stateDir: join(dir.path, 'state'), env: { OPENAI_BASE_URL: server.url, OPENAI_API_KEY: 'test' } });
    try {
      const review = (await baton.client.callTool({
        name: 'delegate-to-codex',
        arguments: { mode: 'review', backend: 'responses', waitSec: 30 },
      })) as unknown as {
        structuredContent: DelegateOutput;
        content: Array<{ text: string }>;
      };
      expect(review.structuredContent.findings).toEqual([ADD_FINDING]);
      expect(review.content[0]!.text).toContain('[high] src/add.js:1: add() subtracts');
      const brief = (await baton.client.callTool({ name: 'session', arguments: {} })) as unknown as { content: Array<{ text: string }> };
      expect(brief.content[0]!.text).toMatch(/delegate-to-codex mode=review .*review: 1 finding \(1 high\)/);
    } finally {
      await baton.close();
      await server.close();
      await dir.cleanup();
    }
  }, 60_000);
});
