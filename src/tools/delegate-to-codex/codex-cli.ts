/**
 * The `codex-cli` backend: the installed Codex CLI runs the agent loop (`codex exec --json`),
 * Baton feeds it the task on stdin, turns its JSONL events into progress and a report, and
 * resumes the thread later with `codex exec resume`.
 */
import { realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, relative, sep } from 'node:path';
import type { Effort } from '../../config.js';
import { UserError } from '../../core/errors.js';
import { runProcess, type RunResult } from '../../core/process.js';
import { parseCodexEvent, parseCodexItem, type CodexEvent, type CodexItem, type CodexUsage, type TodoListItem } from './codex-events.js';

export interface CodexCliOptions {
  /** Explicit binary (configuration); else `codex` from PATH. */
  binary?: string;
  cwd: string;
  task: string;
  model?: string;
  effort?: Effort;
  sandbox: 'read-only' | 'workspace-write';
  resumeThreadId?: string;
  /**
   * Codex's own review (`codex exec review`), always read-only, instead of a task: of the
   * uncommitted changes, or against `base`. With `prompt`, `task` is the whole review prompt
   * instead (its `--uncommitted`/`--base` targets take none).
   */
  review?: { base?: string; prompt?: boolean };
  /** Extra `-c key=value` overrides (tests point Codex at a local provider with these). */
  extraConfig?: string[];
  /** Extra environment (e.g. CODEX_HOME). */
  env?: Record<string, string>;
  /** Secret variables to let through (Codex needs its key: OPENAI_API_KEY, CODEX_API_KEY). */
  passEnv?: readonly string[];
  timeoutMs: number;
  signal: AbortSignal;
  onProgress(message: string): void;
}

export interface CodexCliResult {
  threadId?: string;
  status: 'completed' | 'failed' | 'cancelled';
  finalMessage: string;
  /** From `file_change` items, relative to `cwd`. */
  filesChanged: Array<{ path: string; kind: string }>;
  /** Commands Codex reported (0.169.0 does not always report one its sandbox refused). */
  commands: Array<{ command: string; exitCode: number | null }>;
  /**
   * Summed over the run's turns as Codex reports them. On a resumed thread Codex's numbers are the
   * thread's running total, earlier calls included (checked with 0.169.0).
   */
  usage: { inputTokens: number; cachedInputTokens: number; outputTokens: number; reasoningTokens: number };
  turns: number;
  error?: string;
}

/** The oldest release whose `exec --json` events (and `exec resume` flags) were checked against the real binary. */
export const MIN_CODEX_VERSION = '0.169.0';

const INSTALL_COMMAND = 'npm install -g @openai/codex';
const DEFAULT_BINARY = 'codex';

export async function runCodexCli(options: CodexCliOptions): Promise<CodexCliResult> {
  const binary = options.binary ?? DEFAULT_BINARY;
  await requireSupportedVersion(binary);
  if (options.review) await requireReview(binary);
  const report = new CodexReport(options.cwd, options.onProgress);
  const run = await runProcess(binary, codexArgs(options), {
    cwd: options.cwd,
    ...(!options.review || options.review.prompt ? { input: options.task } : {}),
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    ...(options.env ? { env: options.env } : {}),
    ...(options.passEnv ? { passEnv: options.passEnv } : {}),
    onLine: (line, stream) => {
      if (stream !== 'stdout') return;
      const event = parseCodexEvent(line);
      if (event) report.handle(event);
    },
  });
  return report.finish(run, options.timeoutMs);
}

/**
 * The argv after the binary. `exec resume` does not accept `-s`, so the sandbox goes in as the
 * `sandbox_mode` setting there: a resumed thread must not keep a wider sandbox than asked for.
 * `--skip-git-repo-check` because Baton also serves workspaces that are not git repositories.
 */
function codexArgs(options: Pick<CodexCliOptions, 'model' | 'effort' | 'sandbox' | 'resumeThreadId' | 'review' | 'extraConfig'>): string[] {
  // `exec review` has no `-s` either; a review never writes.
  const sandbox = options.review
    ? ['-c', 'sandbox_mode="read-only"']
    : options.resumeThreadId
      ? ['-c', `sandbox_mode="${options.sandbox}"`]
      : ['-s', options.sandbox];
  const common = [
    '--json',
    '--skip-git-repo-check',
    ...sandbox,
    // Nobody is there to approve anything: never wait for a human.
    '-c',
    'approval_policy="never"',
    ...(options.model ? ['-m', flagValue(options.model, 'model')] : []),
    ...(options.effort ? ['-c', `model_reasoning_effort="${options.effort}"`] : []),
    ...(options.extraConfig ?? []).flatMap((setting) => ['-c', setting]),
  ];
  if (options.review) {
    const target = options.review.prompt ? ['-'] : options.review.base !== undefined ? ['--base', flagValue(options.review.base, 'base')] : ['--uncommitted'];
    return ['exec', 'review', ...common, ...target];
  }
  // `-` reads the task from stdin: no length limit, nothing in `ps`.
  return options.resumeThreadId ? ['exec', 'resume', ...common, flagValue(options.resumeThreadId, 'thread id'), '-'] : ['exec', ...common, '-'];
}

/** A value that Codex's argument parser would take for a flag is refused rather than misread. */
function flagValue(value: string, what: string): string {
  if (!value.trim() || value.startsWith('-')) throw new UserError(`invalid ${what} for the Codex CLI: "${value}"`);
  return value;
}

// ---------------------------------------------------------------------------------------------
// Installation and version

const knownVersions = new Map<string, string>();

/** The CLI's version (`0.169.0`), or undefined when it is not installed or does not answer like Codex. */
export async function codexVersion(binary: string = DEFAULT_BINARY): Promise<string | undefined> {
  const known = knownVersions.get(binary);
  if (known) return known;
  let run: RunResult;
  try {
    run = await runProcess(binary, ['--version'], { cwd: tmpdir(), timeoutMs: 15_000 });
  } catch (error) {
    if (error instanceof UserError) return undefined; // not found
    throw error;
  }
  const version = run.exitCode === 0 ? /\b(\d+\.\d+\.\d+)\b/.exec(run.stdout)?.[1] : undefined;
  // Only successes are remembered, so installing Codex while Baton runs is noticed.
  if (version) knownVersions.set(binary, version);
  return version;
}

async function requireSupportedVersion(binary: string): Promise<void> {
  const version = await codexVersion(binary);
  if (!version) {
    throw new UserError(
      `the Codex CLI (${binary}) is not installed or not on PATH`,
      `Install it with \`${INSTALL_COMMAND}\`, or set its path in Baton's configuration`,
    );
  }
  if (compareVersions(version, MIN_CODEX_VERSION) < 0) {
    throw new UserError(
      `the Codex CLI (${binary}) is version ${version}, older than ${MIN_CODEX_VERSION}, the oldest whose output Baton reads`,
      `Update it with \`${INSTALL_COMMAND}@latest\``,
    );
  }
}

const reviewSupport = new Map<string, boolean>();

/** `codex exec review` with `--uncommitted` and `--base`, as its help lists them (0.169.0 has both). */
async function requireReview(binary: string): Promise<void> {
  let known = reviewSupport.get(binary);
  if (known === undefined) {
    const help = await runProcess(binary, ['exec', 'review', '--help'], { cwd: tmpdir(), timeoutMs: 15_000 });
    known = help.exitCode === 0 && /--uncommitted\b/.test(help.stdout) && /--base\b/.test(help.stdout);
    reviewSupport.set(binary, known);
  }
  if (!known) {
    throw new UserError(
      `the Codex CLI (${binary}, ${knownVersions.get(binary) ?? 'unknown version'}) has no review: \`codex exec review\` with --uncommitted and --base is missing`,
      `Update it with \`${INSTALL_COMMAND}@latest\`, or review with backend "responses"`,
    );
  }
}

export function compareVersions(a: string, b: string): number {
  const left = a.split('.').map(Number);
  const right = b.split('.').map(Number);
  for (let index = 0; index < 3; index++) {
    const difference = (left[index] ?? 0) - (right[index] ?? 0);
    if (difference !== 0) return Math.sign(difference);
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Events to progress and report

class CodexReport {
  private threadId: string | undefined;
  private finalMessage = '';
  private readonly files = new Map<string, string>();
  private readonly commands: CodexCliResult['commands'] = [];
  private readonly usage = { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, reasoningTokens: 0 };
  private turnsStarted = 0;
  private turnsCompleted = 0;
  private turnFailure: string | undefined;
  private lastError: string | undefined;
  private lastPlan = '';
  private readonly roots: string[];

  constructor(
    cwd: string,
    private readonly progress: (message: string) => void,
  ) {
    // Codex reports real paths; the caller's cwd may go through a symlink (macOS /var, /tmp).
    this.roots = [cwd, safeRealpath(cwd)];
  }

  handle(event: CodexEvent): void {
    switch (event.type) {
      case 'thread.started':
        this.threadId = event.thread_id;
        return;
      case 'turn.started':
        this.turnsStarted++;
        this.progress(`turn ${this.turnsStarted} started`);
        return;
      case 'turn.completed':
        this.turnsCompleted++;
        if (event.usage) this.addUsage(event.usage);
        this.progress(`turn ${this.turnsStarted} finished`);
        return;
      case 'turn.failed':
        this.turnFailure = event.error.message;
        this.progress(`turn ${this.turnsStarted} failed: ${clip(event.error.message, 200)}`);
        return;
      case 'error':
        this.lastError = event.message;
        this.progress(`error: ${clip(event.message, 200)}`);
        return;
      default: {
        const item = parseCodexItem(event.item);
        if (item) this.handleItem(event.type, item);
      }
    }
  }

  private handleItem(phase: 'item.started' | 'item.updated' | 'item.completed', item: CodexItem): void {
    if (item.type === 'todo_list') {
      this.reportPlan(item);
      return;
    }
    if (phase === 'item.started' && item.type === 'command_execution') {
      this.progress(`running: ${clip(shellCommand(item.command), 120)}`);
      return;
    }
    if (phase !== 'item.completed') return;
    switch (item.type) {
      case 'agent_message':
        this.finalMessage = item.text;
        this.progress(`agent: ${clip(item.text, 80)}`);
        return;
      case 'reasoning':
        this.progress(`thinking: ${clip(item.text, 80)}`);
        return;
      case 'command_execution': {
        const command = shellCommand(item.command);
        const exitCode = item.exit_code ?? null;
        this.commands.push({ command, exitCode });
        this.progress(`ran: ${clip(command, 120)} (${exitCode === null ? item.status : `exit ${exitCode}`})`);
        return;
      }
      case 'file_change':
        // A patch that failed to apply changed nothing.
        if (item.status !== 'completed') {
          this.progress(`patch ${item.status}: ${item.changes.map((change) => this.rootRelative(change.path)).join(', ')}`);
          return;
        }
        for (const change of item.changes) this.recordChange(this.rootRelative(change.path), change.kind);
        return;
      case 'mcp_tool_call':
        this.progress(`tool: ${item.server}.${item.tool} (${item.status})`);
        return;
      case 'web_search':
        this.progress(`searched: ${clip(item.query, 80)}`);
        return;
      case 'error':
        // Non-fatal by Codex's own account (e.g. missing model metadata): progress, not failure.
        this.progress(`warning: ${clip(item.message, 200)}`);
        return;
    }
  }

  private reportPlan(item: TodoListItem): void {
    const done = item.items.filter((entry) => entry.completed).length;
    const next = item.items.find((entry) => !entry.completed);
    const plan = `plan: ${done}/${item.items.length} done${next ? `, next: ${clip(next.text, 80)}` : ''}`;
    // Codex re-sends the whole list on every update; only a change is news.
    if (plan !== this.lastPlan) this.progress(plan);
    this.lastPlan = plan;
  }

  private recordChange(path: string, kind: string): void {
    const merged = mergeKind(this.files.get(path), kind);
    if (merged === undefined) this.files.delete(path);
    else this.files.set(path, merged);
    this.progress(`${CHANGE_VERBS[kind] ?? kind} ${path}`);
  }

  private addUsage(usage: CodexUsage): void {
    this.usage.inputTokens += usage.input_tokens;
    this.usage.cachedInputTokens += usage.cached_input_tokens;
    this.usage.outputTokens += usage.output_tokens;
    this.usage.reasoningTokens += usage.reasoning_output_tokens ?? 0;
  }

  private rootRelative(path: string): string {
    if (!isAbsolute(path)) return toPosix(path);
    for (const root of this.roots) {
      const inside = relative(root, path);
      if (inside && !inside.startsWith('..') && !isAbsolute(inside)) return toPosix(inside);
    }
    return path; // outside the workspace: say so by keeping it absolute
  }

  finish(run: RunResult, timeoutMs: number): CodexCliResult {
    const result: CodexCliResult = {
      ...(this.threadId ? { threadId: this.threadId } : {}),
      status: 'completed',
      finalMessage: this.finalMessage,
      filesChanged: [...this.files].map(([path, kind]) => ({ path, kind })),
      commands: this.commands,
      usage: { ...this.usage },
      turns: this.turnsStarted,
    };
    if (run.cancelled) return { ...result, status: 'cancelled' };
    const error = this.failure(run, timeoutMs);
    return error === undefined ? result : { ...result, status: 'failed', error };
  }

  /** Why the run failed, or undefined when it did not. */
  private failure(run: RunResult, timeoutMs: number): string | undefined {
    if (run.timedOut) return `the Codex CLI did not finish within ${Math.round(timeoutMs / 1000)} s`;
    if (this.turnFailure !== undefined) return this.turnFailure;
    if (run.exitCode === 0 && this.turnsCompleted > 0) return undefined;
    const reason = this.lastError ?? lastLines(run.stderr) ?? 'no output';
    return run.exitCode === 0 ? `the Codex CLI finished no turn: ${reason}` : `the Codex CLI exited with ${run.exitCode ?? run.signal}: ${reason}`;
  }
}

const CHANGE_VERBS: Record<string, string> = { add: 'added', delete: 'deleted', update: 'changed' };

/** Several patches to one file in a run add up to one change: added then edited is still added. */
function mergeKind(before: string | undefined, now: string): string | undefined {
  if (before === undefined) return now;
  if (before === 'add') return now === 'delete' ? undefined : 'add';
  if (before === 'delete') return now === 'add' ? 'update' : now;
  return now === 'delete' ? 'delete' : before;
}

/**
 * Codex reports commands as it ran them, wrapped in a shell (`/bin/bash -lc 'npm test'`);
 * the report shows what the model asked for.
 */
export function shellCommand(command: string): string {
  const quoted = /^(?:\S*\/)?(?:ba|z|da)?sh -l?c '((?:[^']|'\\'')*)'$/s.exec(command);
  if (quoted) return quoted[1]!.replaceAll(`'\\''`, `'`);
  const bare = /^(?:\S*\/)?(?:ba|z|da)?sh -l?c (\S+)$/.exec(command);
  return bare ? bare[1]! : command;
}

function clip(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/**
 * What Codex said went wrong on stderr: its `Error: …` line, else the last lines. Backtrace
 * frames (`0: <unknown>`) and start-up warnings say nothing to a user.
 */
function lastLines(stderr: string): string | undefined {
  const lines = stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !/^(\d+: |at |Stack backtrace:|WARNING: proceeding)/.test(line));
  const text = lines.findLast((line) => /^error\b/i.test(line)) ?? lines.slice(-3).join(' ');
  return text ? clip(text, 500) : undefined;
}

function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}

function safeRealpath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
