import { readFile } from 'node:fs/promises';
import { EFFORTS, loadConfig } from '../config.js';
import { UserError } from '../core/errors.js';
import type { ApplyPatchOutput } from '../tools/apply-patch/schema.js';
import type { DelegateOutput } from '../tools/delegate-to-codex/schema.js';
import type { RunTestsOutput } from '../tools/run-tests/schema.js';
import { configFlags } from './args.js';
import { UsageError, type Command, type OptionSpec } from './command.js';
import { toolCommand } from './tool-command.js';

const MAX_TOKENS: OptionSpec = { name: 'max-tokens', type: 'int', key: 'maxTokens', help: 'output budget (default 4000)' };

export const SERVE_OPTIONS: readonly OptionSpec[] = [
  { name: 'http', type: 'boolean', help: 'serve Streamable HTTP instead of stdio' },
  { name: 'port', type: 'string', value: 'N', help: 'HTTP port (default 8765; 0 picks a free one)' },
  { name: 'host', type: 'string', value: 'HOST', help: 'HTTP host (default 127.0.0.1; any other host requires BATON_HTTP_TOKEN)' },
  { name: 'version', short: 'v', type: 'boolean', help: 'show the version' },
];

/** Every command, in the order the help lists them; `serve` runs when no command is named. */
export const COMMANDS: readonly Command[] = [
  {
    name: 'serve',
    usage: 'serve',
    summary: 'Serve MCP over stdio (the default), or over Streamable HTTP at http://HOST:PORT/mcp with --http.',
    options: SERVE_OPTIONS,
    async run({ values, positionals }) {
      noPositionals(positionals);
      const { serve } = await import('./serve.js');
      return serve(
        loadConfig({ ...configFlags(values), http: values.http === true, port: values.port as string | undefined, host: values.host as string | undefined }),
      );
    },
  },
  {
    name: 'doctor',
    usage: 'doctor',
    summary: 'Check this machine (git, Node, state dir, Codex CLI, OpenAI settings) and print client configuration.',
    options: [],
    async run({ values, positionals }) {
      noPositionals(positionals);
      const { runDoctor } = await import('./doctor.js');
      return runDoctor(loadConfig(configFlags(values)));
    },
  },
  toolCommand({
    name: 'scan',
    tool: 'repo-scan',
    usage: 'scan [mode]',
    summary: 'repo-scan: overview (default), tree, search, symbols, map, references or read.',
    options: [
      { name: 'mode', type: 'string', value: 'M', help: 'the mode, as an option rather than the first argument' },
      { name: 'path', type: 'string', key: 'path', value: 'P', help: 'file or folder, relative to the root (references: where the name is defined)' },
      { name: 'glob', type: 'string', key: 'glob', value: 'G', help: 'filter files, e.g. "*.ts" or "src/**/*.py"' },
      { name: 'query', type: 'string', key: 'query', value: 'Q', help: 'search: text or regex; map: identifiers to rank towards; references: the identifier' },
      { name: 'regex', type: 'boolean', key: 'regex', help: 'search: treat the query as a regex' },
      { name: 'case-sensitive', type: 'boolean', key: 'caseSensitive', help: 'search: match case exactly (default: smart case)' },
      { name: 'context', type: 'int', key: 'contextLines', help: 'search: lines of context around each match' },
      { name: 'focus', type: 'list', key: 'focus', value: 'F', help: 'map: a file to rank around' },
      { name: 'start-line', type: 'int', key: 'startLine', help: 'read: first line' },
      { name: 'end-line', type: 'int', key: 'endLine', help: 'read: last line' },
      MAX_TOKENS,
      { name: 'cursor', type: 'string', key: 'cursor', value: 'C', help: "continue from an earlier result's nextCursor" },
    ],
    input: ({ positionals, values }) => {
      atMost(positionals, 1);
      const mode = positionals[0] ?? values.mode;
      if (values.mode !== undefined && mode !== values.mode) throw new UsageError(`two modes: "${mode}" and --mode ${String(values.mode)}`);
      return mode === undefined ? {} : { mode };
    },
    ok: () => true,
  }),
  toolCommand<ApplyPatchOutput>({
    name: 'apply',
    tool: 'apply-patch',
    usage: 'apply [file|-]',
    summary:
      'apply-patch: apply a unified diff, a Codex "*** Begin Patch" patch or SEARCH/REPLACE blocks from a file or stdin (-, the default). Exit 1 when it did not apply.',
    options: [
      { name: 'dry-run', type: 'boolean', key: 'dryRun', help: 'check every hunk and print the diff, write nothing' },
      { name: 'undo', type: 'string', key: 'undo', value: 'ID', help: "restore the files of an earlier apply's checkpoint" },
      { name: 'format', type: 'string', key: 'format', value: 'F', help: 'auto (default), unified, codex or search-replace' },
      MAX_TOKENS,
    ],
    input: async ({ values, positionals }) => {
      atMost(positionals, 1);
      return values.undo === undefined ? { patch: await readPatch(positionals[0] ?? '-') } : {};
    },
    ok: (output) => output.applied,
  }),
  toolCommand<RunTestsOutput>({
    name: 'test',
    tool: 'run-tests',
    usage: 'test [files...]',
    summary: "run-tests: detect the project's test runner, run it and print the structured result. Exit 0 only when the tests passed.",
    options: [
      { name: 'runner', type: 'string', key: 'runner', value: 'R', help: 'auto (default), vitest, jest, mocha, node, npm-script, pytest, go, cargo' },
      { name: 'path', type: 'string', key: 'path', value: 'P', help: 'the package to test, inside a monorepo' },
      { name: 'name', short: 't', type: 'string', key: 'testNamePattern', value: 'PATTERN', help: 'only tests whose name matches' },
      { name: 'only-failed', type: 'boolean', key: 'onlyFailed', help: 're-run the failures of the last run' },
      { name: 'command', type: 'string', key: 'command', value: '"ARGV"', help: 'run this command instead (must be allowed by runTests.allowCommands)' },
      { name: 'timeout', type: 'int', key: 'timeoutSec', help: 'seconds before the run is killed (default 600)' },
      MAX_TOKENS,
    ],
    // A person waits for the end.
    input: ({ positionals }) => ({ waitSec: 3600, ...(positionals.length ? { files: positionals } : {}) }),
    ok: (output) => output.status === 'passed',
  }),
  toolCommand<DelegateOutput>({
    name: 'delegate',
    tool: 'delegate-to-codex',
    usage: 'delegate ["<task>"]',
    summary: 'delegate-to-codex: hand the task to a Codex model (Responses API, Baton runs the agent loop) or the Codex CLI.',
    options: [
      {
        name: 'backend',
        type: 'string',
        key: 'backend',
        value: 'B',
        help: 'auto (default: the Codex CLI when installed, else the Responses API), responses, codex-cli',
      },
      { name: 'model', type: 'string', key: 'model', value: 'M', help: 'auto (default) or a model from the configuration' },
      { name: 'effort', type: 'string', key: 'effort', value: 'E', help: `${EFFORTS.join(', ')} (default medium; clamped to what the model supports)` },
      { name: 'review', type: 'boolean', help: 'review the current change instead of doing a task (always read-only); the task text adds instructions' },
      { name: 'base', type: 'string', key: 'base', value: 'REF', help: 'review: the git ref to review against (default: the uncommitted changes)' },
      { name: 'write', type: 'boolean', help: 'let it change files (sandbox workspace-write; default read-only)' },
      { name: 'session', type: 'string', key: 'sessionId', value: 'ID', help: 'continue an earlier delegation' },
      { name: 'max-turns', type: 'int', key: 'maxTurns', help: 'agent turns at most (default 40)' },
      { name: 'budget', type: 'int', key: 'budgetTokens', help: 'token budget for the whole delegation' },
      MAX_TOKENS,
    ],
    input: ({ values, positionals }) => ({
      ...(positionals.length ? { task: positionals.join(' ') } : {}),
      ...(values.review ? { mode: 'review' } : {}),
      sandbox: values.write ? 'workspace-write' : 'read-only',
      waitSec: 3600,
    }),
    ok: (output) => output.status === 'completed',
  }),
  toolCommand({
    name: 'session',
    tool: 'session',
    usage: 'session [action]',
    summary: 'session: the brief of the current session (action resume, the default); checkpoint, list or compact.',
    options: [
      { name: 'session-id', type: 'string', key: 'sessionId', value: 'ID', help: "a session other than the workspace's current one" },
      { name: 'goal', type: 'string', key: 'goal', value: 'TEXT', help: 'checkpoint: the goal' },
      { name: 'constraint', type: 'list', key: 'constraints', value: 'TEXT', help: 'checkpoint: a constraint to add' },
      { name: 'retire', type: 'list', key: 'retire', value: 'TEXT', help: 'checkpoint: a constraint or decision that no longer holds' },
      { name: 'plan', type: 'list', value: 'STEP[=STATUS]', help: 'checkpoint: a plan step, with its status (default pending)' },
      { name: 'decision', type: 'list', key: 'decisions', value: 'TEXT', help: 'checkpoint: a decision to add' },
      { name: 'notes', type: 'string', key: 'notes', value: 'TEXT', help: 'checkpoint: free notes' },
      { name: 'next', type: 'list', key: 'next', value: 'TEXT', help: 'checkpoint: a next step' },
      MAX_TOKENS,
    ],
    input: ({ values, positionals }) => {
      atMost(positionals, 1);
      const plan = (values.plan as string[] | undefined)?.map((entry) => {
        const at = entry.lastIndexOf('=');
        return at > 0 ? { step: entry.slice(0, at), status: entry.slice(at + 1) } : { step: entry, status: 'pending' };
      });
      return { ...(positionals[0] === undefined ? {} : { action: positionals[0] }), ...(plan ? { plan } : {}) };
    },
    ok: () => true,
  }),
];

function noPositionals(positionals: readonly string[]): void {
  atMost(positionals, 0);
}

function atMost(positionals: readonly string[], count: number): void {
  if (positionals.length > count) throw new UsageError(`unexpected argument "${positionals[count]}"`);
}

async function readPatch(source: string): Promise<string> {
  if (source !== '-') {
    return readFile(source, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new UserError(`cannot read patch file ${source} (${error.code ?? error.message})`);
    });
  }
  if (process.stdin.isTTY) throw new UsageError('no patch given: pass a file, or pipe the patch to stdin');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
