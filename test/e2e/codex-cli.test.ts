/**
 * The real Codex CLI (the `@openai/codex` dev dependency) driven by `runCodexCli`, pointed at the
 * local Responses server through a custom model provider and a throwaway CODEX_HOME, so neither
 * the machine's Codex configuration nor the network is involved.
 */
import { chmod, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { UserError } from '../../src/core/errors.js';
import {
  codexVersion,
  compareVersions,
  MIN_CODEX_VERSION,
  runCodexCli,
  shellCommand,
  type CodexCliOptions,
} from '../../src/tools/delegate-to-codex/codex-cli.js';
import { parseCodexEvent, parseCodexItem } from '../../src/tools/delegate-to-codex/codex-events.js';
import { delegate } from '../../src/tools/delegate-to-codex/delegate.js';
import { parseFindings } from '../../src/tools/delegate-to-codex/findings.js';
import { DelegateInput, type DelegateOutput } from '../../src/tools/delegate-to-codex/schema.js';
import { toolContext } from '../helpers/context.js';
import { gitRepo, tempDir } from '../helpers/repo.js';
import { startResponsesServer, type RecordedRequest, type ResponsesServer, type Script, type ServerOptions } from '../helpers/responses-server.js';

const CODEX = fileURLToPath(new URL('../../node_modules/.bin/codex', import.meta.url));
const MODEL = 'gpt-5.1-codex-mini';

/**
 * The custom provider, plus what keeps Codex off the network: no analytics, no curated-plugin sync
 * (it reaches github.com and chatgpt.com at start-up), no web search tool. Every key was checked
 * with `codex exec --strict-config`.
 */
function testConfig(server: ResponsesServer): string[] {
  return [
    'model_provider="baton_test"',
    'model_providers.baton_test.name="baton test"',
    `model_providers.baton_test.base_url="${server.url}"`,
    'model_providers.baton_test.wire_api="responses"',
    'model_providers.baton_test.request_max_retries=0',
    'model_providers.baton_test.stream_max_retries=0',
    'analytics.enabled=false',
    'features.plugins=false',
    'check_for_update_on_startup=false',
    'web_search="disabled"',
  ];
}

/**
 * With this model name Codex falls back to generic model metadata and offers `exec_command`
 * (a shell) but no freeform `apply_patch` tool: it intercepts `apply_patch` run through the
 * shell instead and reports it as a `file_change`, which a function-calling script can drive.
 */
const runCommand = (cmd: string, callId: string) => ({ name: 'exec_command', arguments: { cmd }, callId });
const applyPatch = (patch: string, callId: string) => runCommand(`apply_patch <<'EOF'\n${patch}\nEOF\n`, callId);
const USAGE = { inputTokens: 100, cachedTokens: 40, outputTokens: 10, reasoningTokens: 2 };

let dir: Awaited<ReturnType<typeof tempDir>>;
let server: ResponsesServer | undefined;

beforeAll(async () => {
  dir = await tempDir('baton-codex-');
});
afterAll(() => dir.cleanup());
afterEach(async () => {
  await server?.close();
  server = undefined;
});

interface Setup {
  server: ResponsesServer;
  repo: string;
  home: string;
  progress: string[];
  options: (overrides?: Partial<CodexCliOptions>) => CodexCliOptions;
}

async function setup(script: Script): Promise<Setup> {
  server = await startResponsesServer(script);
  const repo = await mkdtemp(join(dir.path, 'repo-'));
  await gitRepo(repo, { 'greet.txt': 'hello\n', 'README.md': '# demo\n' });
  const home = await mkdtemp(join(dir.path, 'codex-home-'));
  const progress: string[] = [];
  const s = server;
  const options = (overrides: Partial<CodexCliOptions> = {}): CodexCliOptions => ({
    binary: CODEX,
    cwd: repo,
    task: 'Say hi, then greet the world in greet.txt.',
    model: MODEL,
    sandbox: 'workspace-write',
    extraConfig: testConfig(s),
    env: { CODEX_HOME: home },
    timeoutMs: 30_000,
    signal: new AbortController().signal,
    onProgress: (message) => progress.push(message),
    ...overrides,
  });
  return { server: s, repo, home, progress, options };
}

/** Codex's own account of the turn's settings, sent with every request. */
function turnMetadata(request: RecordedRequest | undefined): { sandbox_mode?: string } {
  const metadata = request?.client_metadata as Record<string, string> | undefined;
  return JSON.parse(metadata?.['x-codex-turn-metadata'] ?? '{}') as { sandbox_mode?: string };
}

/** Live processes whose command line mentions `marker` (the server's unique URL). */
async function processesMentioning(marker: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(marker)) pids.push(Number(entry));
  }
  return pids;
}

describe('runCodexCli with the real Codex CLI', () => {
  it('runs a command, applies a patch and reports; a second call resumes the thread with the sandbox re-applied', async () => {
    const patch = '*** Begin Patch\n*** Update File: greet.txt\n@@\n-hello\n+hello, world\n*** End Patch';
    const {
      server: s,
      repo,
      progress,
      options,
    } = await setup([
      { functionCalls: [runCommand('echo hi', 'call_echo')], usage: USAGE },
      { functionCalls: [applyPatch(patch, 'call_patch')], usage: USAGE },
      { text: 'Greeting updated.', usage: USAGE },
      // The resumed thread runs read-only: the write is refused by the sandbox.
      { functionCalls: [runCommand('touch blocked.txt', 'call_touch')], usage: { inputTokens: 1000, cachedTokens: 0, outputTokens: 1, reasoningTokens: 0 } },
      { text: 'Could not write, as expected.', usage: { inputTokens: 1000, cachedTokens: 0, outputTokens: 1, reasoningTokens: 0 } },
    ]);

    const first = await runCodexCli(options({ effort: 'high' }));
    expect(first.error).toBeUndefined();
    expect(first.status).toBe('completed');
    expect(first.finalMessage).toBe('Greeting updated.');
    expect(first.threadId).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.commands).toContainEqual({ command: 'echo hi', exitCode: 0 });
    expect(first.filesChanged).toEqual([{ path: 'greet.txt', kind: 'update' }]);
    expect(await readFile(join(repo, 'greet.txt'), 'utf8')).toBe('hello, world\n');
    // Codex adds up its three model requests into the turn's usage.
    expect(first.usage).toEqual({ inputTokens: 300, cachedInputTokens: 120, outputTokens: 30, reasoningTokens: 6 });
    expect(first.turns).toBe(1);
    expect(progress).toEqual(
      expect.arrayContaining(['turn 1 started', 'ran: echo hi (exit 0)', 'changed greet.txt', 'agent: Greeting updated.', 'turn 1 finished']),
    );
    expect(s.requests[0]).toMatchObject({ model: MODEL, reasoning: { effort: 'high' } });
    expect(JSON.stringify(s.requests[0]?.input)).toContain('Say hi, then greet the world in greet.txt.');
    expect(turnMetadata(s.requests[0]).sandbox_mode).toBe('workspace-write');
    expect(s.requests).toHaveLength(3);

    const second = await runCodexCli(options({ task: 'Now try to create blocked.txt.', sandbox: 'read-only', resumeThreadId: first.threadId! }));
    expect(second.status).toBe('completed');
    expect(second.threadId).toBe(first.threadId);
    expect(second.finalMessage).toBe('Could not write, as expected.');
    const resumed = JSON.stringify(s.requests[3]?.input);
    for (const earlier of ['Say hi, then greet the world in greet.txt.', 'call_patch', 'Greeting updated.', 'Now try to create blocked.txt.']) {
      expect(resumed).toContain(earlier);
    }
    expect(turnMetadata(s.requests[3]).sandbox_mode).toBe('read-only');
    // Codex 0.169.0 reports a sandbox-denied command as a command_execution item only sometimes,
    // so the refusal is checked where it always shows: the tool output the model got, and the disk.
    const touched = JSON.stringify(s.requests[4]?.input);
    expect(touched).toContain('call_touch');
    expect(touched).toMatch(/Read-only file system|Permission denied|Operation not permitted/);
    // On a resumed thread Codex reports the thread's running total: 300 before + 2 × 1000 now.
    expect(second.usage.inputTokens).toBe(2300);
    await expect(readFile(join(repo, 'blocked.txt'))).rejects.toThrow(/ENOENT/);
  });

  it('reports a failed turn with the reason', async () => {
    const { options } = await setup([{ fail: { code: 'server_error', message: 'The model crashed.' } }]);
    const result = await runCodexCli(options());
    expect(result.status).toBe('failed');
    expect(result.error).toContain('The model crashed.');
    expect(result.turns).toBe(1);
    expect(result.threadId).toBeDefined();
  });

  it('cancels mid-run through the signal and leaves no Codex process behind', async () => {
    const { server: s, options } = await setup([{ hang: true }]);
    const controller = new AbortController();
    const running = runCodexCli(options({ signal: controller.signal }));
    await expect.poll(() => s.requests.length, { timeout: 15_000 }).toBe(1);
    expect(await processesMentioning(s.url)).not.toEqual([]);
    controller.abort();
    const result = await running;
    expect(result.status).toBe('cancelled');
    await expect.poll(() => processesMentioning(s.url), { timeout: 5_000 }).toEqual([]);
    await expect.poll(() => s.aborted, { timeout: 5_000 }).toBe(1);
  });
});

/** The review Codex's model writes (its review prompt asks for this JSON); Codex renders it as text. */
function codexReviewAnswer(file: string): string {
  return JSON.stringify({
    findings: [
      {
        title: '[P1] add() subtracts',
        body: 'add returns a - b, so every sum is wrong.',
        confidence_score: 0.9,
        priority: 1,
        code_location: { absolute_file_path: file, line_range: { start: 1, end: 1 } },
      },
      {
        title: '[P3] double() is untested',
        body: 'Nothing covers it.',
        confidence_score: 0.4,
        priority: 3,
        code_location: { absolute_file_path: file.replace('add.js', 'double.js'), line_range: { start: 2, end: 2 } },
      },
    ],
    overall_correctness: 'patch is incorrect',
    overall_explanation: 'add() is broken by the change.',
    overall_confidence_score: 0.8,
  });
}

/** A repository whose uncommitted change plants a bug: add() subtracts. */
async function plantedBug(): Promise<string> {
  const repo = await mkdtemp(join(dir.path, 'review-'));
  await gitRepo(repo, { 'src/add.js': 'export const add = (a, b) => a + b;\n' });
  await writeFile(join(repo, 'src/add.js'), 'export const add = (a, b) => a - b;\n');
  await writeFile(join(repo, 'src/double.js'), "import { add } from './add.js';\nexport const double = (a) => add(a, a);\n");
  return repo;
}

/** The text of the last user message Codex sent. */
function lastUserText(request: RecordedRequest | undefined): string {
  const messages = ((request?.input ?? []) as Array<{ role?: string; content?: Array<{ text?: string }> }>).filter((item) => item.role === 'user');
  return (messages.at(-1)?.content ?? []).map((part) => part.text ?? '').join('');
}

describe('codex exec review with the real Codex CLI', () => {
  it('reviews the uncommitted changes read-only; its findings are parsed from what it prints', async () => {
    const repo = await plantedBug();
    const { server: s, options } = await setup(() => ({ text: codexReviewAnswer(join(repo, 'src/add.js')) }));
    const result = await runCodexCli(options({ cwd: repo, task: '', review: {}, effort: 'high' }));
    expect(result.error).toBeUndefined();
    expect(result.status).toBe('completed');
    expect(result.finalMessage).toMatch(/^add\(\) is broken by the change\.\n\nFull review comments:/);
    expect(parseFindings(result.finalMessage, repo)).toEqual([
      { path: 'src/add.js', line: 1, severity: 'high', title: 'add() subtracts', body: 'add returns a - b, so every sum is wrong.' },
      { path: 'src/double.js', line: 2, severity: 'low', title: 'double() is untested', body: 'Nothing covers it.' },
    ]);
    expect(lastUserText(s.requests[0])).toMatch(/staged, unstaged, and untracked/);
    expect(turnMetadata(s.requests[0]).sandbox_mode).toBe('read-only');
    expect(s.requests[0]).toMatchObject({ model: MODEL, reasoning: { effort: 'high' } });
  });
});

describe('delegate-to-codex on the codex-cli backend, with the real Codex CLI', () => {
  /** The Codex CLI as Baton's configuration would name it: a wrapper that points it at the local server. */
  async function wrappedCodex(s: ResponsesServer): Promise<string> {
    const home = await mkdtemp(join(dir.path, 'codex-home-'));
    const file = join(home, 'codex');
    const settings = testConfig(s)
      .map((setting) => `-c '${setting}'`)
      .join(' ');
    await writeFile(file, `#!/bin/sh\nCODEX_HOME='${home}' exec '${CODEX}' ${settings} "$@"\n`);
    await chmod(file, 0o755);
    return file;
  }
  async function run(s: ResponsesServer, repo: string, input: Partial<DelegateInput>): Promise<DelegateOutput> {
    const config = loadConfig({}, {});
    config.delegate.codexBinary = await wrappedCodex(s);
    return delegate(DelegateInput.parse({ backend: 'codex-cli', waitSec: 60, ...input }), await toolContext(repo, join(dir.path, 'state'), config));
  }
  const serve = async (script: Script, options: ServerOptions = {}) => (server = await startResponsesServer(script, options));

  it('model "auto" is the routed model, passed with -m: model, effort and notes say what Codex ran', async () => {
    const s = await serve([{ text: 'It says hello.', usage: USAGE }]);
    const repo = await mkdtemp(join(dir.path, 'repo-'));
    await gitRepo(repo, { 'greet.txt': 'hello\n' });
    const result = await run(s, repo, { task: 'What does greet.txt say?', model: 'auto', effort: 'low' });
    expect(result).toMatchObject({ status: 'completed', backend: 'codex-cli', model: 'gpt-5.1-codex-mini', effort: 'medium', finalMessage: 'It says hello.' });
    expect(s.requests[0]).toMatchObject({ model: 'gpt-5.1-codex-mini', reasoning: { effort: 'medium' } });
    expect(result.notes).toEqual(['effort "low" is not supported by gpt-5.1-codex-mini; used "medium"', 'model auto: gpt-5.1-codex-mini (narrow task)']);
  });

  it('reviews against a base with extra instructions; the findings are in the result', async () => {
    const repo = await plantedBug();
    const { simpleGit } = await import('simple-git');
    await simpleGit(repo).checkoutLocalBranch('feature');
    await simpleGit(repo).add('.');
    await simpleGit(repo).commit('the change');
    const s = await serve(() => ({ text: codexReviewAnswer(join(repo, 'src/add.js')) }));
    const result = await run(s, repo, { mode: 'review', base: 'main', task: 'Mind the arithmetic.' });
    expect(result).toMatchObject({ status: 'completed', backend: 'codex-cli', model: 'gpt-5.1-codex-max', filesChanged: [] });
    expect(result.findings).toEqual([
      { path: 'src/add.js', line: 1, severity: 'high', title: 'add() subtracts', body: 'add returns a - b, so every sum is wrong.' },
      { path: 'src/double.js', line: 2, severity: 'low', title: 'double() is untested', body: 'Nothing covers it.' },
    ]);
    const prompt = lastUserText(s.requests[0]);
    expect(prompt).toMatch(/against main: their merge base is [0-9a-f]{40}/);
    expect(prompt).toContain('Mind the arithmetic.');
    expect(turnMetadata(s.requests[0]).sandbox_mode).toBe('read-only');
  });

  it('fails clearly when the provider does not serve the model', async () => {
    const s = await serve([{ text: 'never' }], { models: ['gpt-5.1-codex-max'], strictModels: true });
    const repo = await mkdtemp(join(dir.path, 'repo-'));
    await gitRepo(repo, { 'greet.txt': 'hello\n' });
    const error = (await run(s, repo, { task: 'What does greet.txt say?' }).catch((e: unknown) => e)) as UserError;
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toMatch(/the model "gpt-5\.1-codex-mini" is not served by the Codex CLI's model provider \(.*does not exist/);
    expect(error.hint).toMatch(/delegate\.smallModel/);
  });
});

describe('finding the Codex CLI', () => {
  it('knows the installed version', async () => {
    const version = await codexVersion(CODEX);
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(compareVersions(version!, MIN_CODEX_VERSION)).toBeGreaterThanOrEqual(0);
  });

  it('refuses a missing binary with the install command', async () => {
    const missing = join(dir.path, 'no-such-codex');
    expect(await codexVersion(missing)).toBeUndefined();
    const error = await runCodexCli({
      binary: missing,
      cwd: dir.path,
      task: 'hi',
      sandbox: 'read-only',
      timeoutMs: 5_000,
      signal: new AbortController().signal,
      onProgress: () => {},
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).toLine()).toContain('npm install -g @openai/codex');
  });

  it('refuses a review when the installed CLI has no `exec review`', async () => {
    const old = join(dir.path, 'codex-without-review');
    await writeFile(
      old,
      '#!/bin/sh\nif [ "$1" = "--version" ]; then echo "codex-cli 0.169.0"; exit 0; fi\necho "error: unrecognized subcommand review" >&2; exit 2\n',
    );
    await chmod(old, 0o755);
    const error = await runCodexCli({
      binary: old,
      cwd: dir.path,
      task: '',
      review: {},
      sandbox: 'read-only',
      timeoutMs: 5_000,
      signal: new AbortController().signal,
      onProgress: () => {},
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).toLine()).toMatch(/has no review: `codex exec review` with --uncommitted and --base is missing.*backend "responses"/);
  });

  it('refuses a version older than the one whose output it parses', async () => {
    const old = join(dir.path, 'old-codex');
    await writeFile(old, '#!/bin/sh\necho "codex-cli 0.40.0"\n');
    await chmod(old, 0o755);
    const error = await runCodexCli({
      binary: old,
      cwd: dir.path,
      task: 'hi',
      sandbox: 'read-only',
      timeoutMs: 5_000,
      signal: new AbortController().signal,
      onProgress: () => {},
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toMatch(/0\.40\.0.*older than/);
  });
});

describe('codex exec --json events', () => {
  it('skips what it does not know: other event types, other item types, non-JSON lines', () => {
    expect(parseCodexEvent('{"type":"thread.started","thread_id":"t1"}')).toEqual({ type: 'thread.started', thread_id: 't1' });
    expect(parseCodexEvent('{"type":"item.plan.delta","item_id":"i","delta":"x"}')).toBeUndefined();
    expect(parseCodexEvent('WARNING: something')).toBeUndefined();
    expect(parseCodexEvent('{"type":')).toBeUndefined();
    const event = parseCodexEvent('{"type":"item.completed","item":{"id":"i1","type":"collab_tool_call","tool":"wait"}}');
    expect(event?.type).toBe('item.completed');
    expect(parseCodexItem(event?.type === 'item.completed' ? event.item : undefined)).toBeUndefined();
    const usage = parseCodexEvent('{"type":"turn.completed","usage":{"input_tokens":5,"cached_input_tokens":1,"output_tokens":2}}');
    expect(usage).toMatchObject({ usage: { input_tokens: 5, cached_input_tokens: 1, output_tokens: 2 } });
  });

  it('shows commands as the model wrote them, without the shell wrapper', () => {
    expect(shellCommand(`/bin/bash -lc 'echo hi && ls'`)).toBe('echo hi && ls');
    expect(shellCommand(`/bin/bash -lc 'echo '\\''quoted'\\'''`)).toBe(`echo 'quoted'`);
    expect(shellCommand('/bin/bash -lc ls')).toBe('ls');
    expect(shellCommand('git status')).toBe('git status');
  });
});
