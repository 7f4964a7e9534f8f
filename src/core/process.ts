import { spawn } from 'node:child_process';
import { closeSync, fstatSync, openSync, truncateSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { UserError } from './errors.js';
import { FileFollower } from './file-follow.js';

/**
 * The one way Baton starts a process: argv only (never a shell string), its own process
 * group so a timeout or cancel kills everything it forked (and nothing in the group outlives
 * the process), secrets stripped from the environment, and output bounded to its head and tail.
 */
export interface RunOptions {
  /** Absolute working directory; callers resolve it through the workspace first. */
  cwd: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Variables added on top of the filtered parent environment. */
  env?: Record<string, string>;
  /** Secret-looking parent variables (by name or value, see isSecretEnv) that may pass anyway (configuration `env.pass`). */
  passEnv?: readonly string[];
  /** Text fed to stdin; without it stdin is closed. */
  input?: string;
  /** Called for each complete line as it arrives, for progress. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Called with stdout as it arrives, in chunks: for consumers that parse huge output themselves. */
  onStdout?: (chunk: string) => void;
  /**
   * Like `onStdout`, but the raw bytes, and stdout is then left out of `stdout` and `output`:
   * for output that is mostly skipped (nothing decoded) or that reports byte offsets (a chunk
   * boundary can split a character, which decoding chunk by chunk would mangle).
   */
  onStdoutBytes?: (chunk: Buffer) => void;
  /** Characters (UTF-16 units) of output kept per stream: half from the start, half from the end. Default 1 Mi. */
  maxOutputChars?: number;
  /** Keep all of stdout, for machine-readable output (git's file lists); the rest stays bounded. */
  keepStdout?: boolean;
  /** Grace between SIGTERM and SIGKILL for the group. Default 2000 ms. */
  killGraceMs?: number;
  /**
   * Where stdout and stderr go instead of pipes: this file, appended to (created 0600), both
   * streams in the order written. Baton reads it back every `OUTPUT_FILE_FOLLOW_MS` for `onLine`
   * and once the process has exited, for `output`; `stdout` and `stderr` stay empty, and lines
   * come as "stdout". For runners that print a line per test: reading a pipe wakes the server
   * at every line, and the child, in its own session (and so, on Linux, its own scheduler
   * group), loses its CPU to it each time (bench/run-tests.mjs). Not with the stdout options.
   */
  outputFile?: string;
  /**
   * With `outputFile`: the most bytes this process may add to it. Past that the process group is
   * killed (`outputLimited`) and the file is cut back to the limit: output that never ends would
   * otherwise fill the disk until the timeout.
   */
  maxOutputFileBytes?: number;
}

/** How often a process's output file is read while it runs: progress needs no more. */
export const OUTPUT_FILE_FOLLOW_MS = 500;

export interface RunResult {
  command: string[];
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  cancelled: boolean;
  /** Killed for writing more than `maxOutputFileBytes`. */
  outputLimited: boolean;
  /** stdout and stderr interleaved as they arrived, head and tail kept. */
  output: string;
  stdout: string;
  stderr: string;
  /** Output characters dropped from the middle. */
  omittedBytes: number;
  durationMs: number;
}

/**
 * Words that make a variable a secret wherever they stand in its name (GITHUB_TOKEN,
 * TOKEN_GITHUB, GITHUB_PAT, SENTRY_DSN, DOCKER_AUTH_CONFIG, SSH_AUTH_SOCK: the agent signs as
 * the user). Whole words, so AUTHOR, PATH and TOKENIZERS_PARALLELISM stay.
 */
const SECRET_WORDS = new Set([
  'TOKEN',
  'TOKENS',
  'SECRET',
  'SECRETS',
  'PASSWORD',
  'PASSWORDS',
  'PASSWD',
  'PASSPHRASE',
  'CREDENTIAL',
  'CREDENTIALS',
  'CREDS',
  'PAT',
  'DSN',
  'AUTH',
  'OAUTH',
  'AUTHORIZATION',
  'APIKEY',
  'COOKIE',
  'COOKIES',
  'WEBHOOK',
]);
/** Run together in one word (GHTOKEN, PGPASSWORD, ANTHROPICAPIKEY, npm's _authToken). */
const SECRET_INSIDE_WORD = /SECRET|PASSWORD|PASSWD|CREDENTIAL|TOKEN$|APIKEY|AUTHTOKEN/;
/** A URL carrying `user:password@` (DATABASE_URL=postgres://u:pw@host/db), anywhere in the value. */
const URL_WITH_PASSWORD = /[a-z][a-z0-9+.-]*:\/\/[^\s/@:]*:[^\s/@]+@/i;

/** Whether a variable looks like a secret, by its name or by its value. */
export function isSecretEnv(name: string, value: string): boolean {
  const words = name
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter(Boolean);
  const last = words.at(-1) ?? '';
  return (
    words.some((word) => SECRET_WORDS.has(word) || SECRET_INSIDE_WORD.test(word)) ||
    // Keys: STRIPE_KEY, SSH_PRIVATE_KEY_PATH, AWS_ACCESS_KEY_ID; not KEYBOARD_LAYOUT or XKB_..._KEYMAP.
    /KEY$/.test(last) ||
    words.some((word, i) => word === 'KEY' && /^(ID|IDS|SECRET|PATH|FILE)$/.test(words[i + 1] ?? '')) ||
    words.some((word, i) => word === 'PRIVATE' && words[i + 1] === 'KEY') ||
    // Short forms only at the end and after a prefix: MYSQL_PWD and SMTP_PASS, but not PWD itself.
    (words.length > 1 && (last === 'PWD' || last === 'PASS')) ||
    URL_WITH_PASSWORD.test(value)
  );
}

/** The parent environment minus secrets (unless allowed), plus `extra`. */
export function childEnv(parent: NodeJS.ProcessEnv, passEnv: readonly string[] = [], extra: Record<string, string> = {}): Record<string, string> {
  const allowed = new Set(passEnv);
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(parent)) {
    if (value === undefined) continue;
    if (isSecretEnv(name, value) && !allowed.has(name)) continue;
    env[name] = value;
  }
  return Object.assign(env, extra);
}

export async function runProcess(file: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  const started = performance.now();
  const limit = options.maxOutputChars ?? 1 << 20;
  const combined = new HeadTail(limit);
  const stdout = new HeadTail(options.keepStdout ? Infinity : limit);
  const stderr = new HeadTail(limit);

  const lines = { stdout: new LineSplitter(), stderr: new LineSplitter() };
  /** Takes decoded output from one stream (or both, from an output file) as it arrives. */
  const taker = (stream: 'stdout' | 'stderr', kept: HeadTail | undefined) => {
    // Decoded across chunks: a character split between two reads stays one character.
    const decoder = new StringDecoder('utf8');
    const take = (text: string): void => {
      if (!text) return;
      if (kept === stdout) options.onStdout?.(text);
      combined.push(text);
      kept?.push(text);
      if (options.onLine) for (const line of lines[stream].push(text)) options.onLine(line, stream);
    };
    return { chunk: (chunk: Buffer) => take(decoder.write(chunk)), end: () => take(decoder.end()) };
  };

  const outputFd = options.outputFile === undefined ? undefined : openSync(options.outputFile, 'a', 0o600);
  let follower: FileFollower | undefined;
  let fromFile: ReturnType<typeof taker> | undefined;
  let outputStart = 0;
  let outputLimited = false;
  let child: ReturnType<typeof spawn>;
  try {
    if (outputFd !== undefined) {
      fromFile = taker('stdout', undefined);
      outputStart = fstatSync(outputFd).size;
      const limit = options.maxOutputFileBytes;
      follower = await FileFollower.open(
        options.outputFile!,
        outputStart,
        fromFile.chunk,
        limit === undefined
          ? undefined
          : {
              bytes: limit,
              onLimit: () => {
                outputLimited = true;
                killGroup();
              },
            },
      );
    }
    // node:child_process itself: what Baton needs of a process wrapper is this file, and a
    // library for it costs the first call of a fresh server a large share of its time to load.
    child = spawn(file, [...args], {
      cwd: options.cwd,
      env: childEnv(process.env, options.passEnv, options.env),
      detached: true, // its own process group, so the whole tree can be signalled at once
      stdio: [options.input === undefined ? 'ignore' : 'pipe', outputFd ?? 'pipe', outputFd ?? 'pipe'],
    });
  } finally {
    if (outputFd !== undefined) closeSync(outputFd); // the child has its own copy
  }
  follower?.follow(OUTPUT_FILE_FOLLOW_MS);
  // Settled by the first of: the process and its streams closed, or it could not be started.
  const ended = new Promise<{ exitCode: number | null; signal: NodeJS.Signals | null; error?: NodeJS.ErrnoException }>((resolve) => {
    child.once('close', (exitCode, signal) => resolve({ exitCode, signal }));
    child.once('error', (error: NodeJS.ErrnoException) => resolve({ exitCode: null, signal: null, error }));
  });
  if (options.input !== undefined) {
    child.stdin?.on('error', () => {}); // a process that exits without reading its input: EPIPE, not a failure of ours
    child.stdin?.end(options.input);
  }

  let timedOut = false;
  let cancelled = false;
  let killTimer: NodeJS.Timeout | undefined;
  const killGroup = (): void => {
    signalGroup(child.pid, 'SIGTERM');
    killTimer ??= setTimeout(() => signalGroup(child.pid, 'SIGKILL'), options.killGraceMs ?? 2000);
  };
  const timeout =
    options.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          killGroup();
        }, options.timeoutMs);
  const onAbort = (): void => {
    cancelled = true;
    killGroup();
  };
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });

  for (const stream of ['stdout', 'stderr'] as const) {
    const take = taker(stream, stream === 'stdout' ? stdout : stderr);
    child[stream]?.on('data', (chunk: Buffer) => {
      if (stream === 'stdout' && options.onStdoutBytes) return options.onStdoutBytes(chunk);
      take.chunk(chunk);
    });
    child[stream]?.on('end', take.end);
  }

  const result = await ended;
  if (follower) {
    await follower.finish();
    fromFile!.end();
  }
  clearTimeout(timeout);
  options.signal?.removeEventListener('abort', onAbort);
  // The leader is gone: nothing left in its group outlives it (a test server a suite forgot to
  // stop, or what a timeout's SIGTERM did not end), and nothing holds the call up.
  clearTimeout(killTimer);
  signalGroup(child.pid, 'SIGKILL');
  if (outputLimited) truncateSync(options.outputFile!, outputStart + options.maxOutputFileBytes!);
  if (options.onLine) {
    for (const stream of ['stdout', 'stderr'] as const) {
      const rest = lines[stream].flush();
      if (rest !== undefined) options.onLine(rest, stream);
    }
  }

  if (result.error?.code === 'ENOENT') {
    throw new UserError(`${file} is not installed or not on PATH`, `Install ${file} or adjust PATH, then try again`);
  }
  if (result.error) {
    const reason = `could not start ${file}: ${result.error.message}\n`;
    combined.push(reason);
    stderr.push(reason);
  }
  return {
    command: [file, ...args],
    exitCode: result.exitCode,
    signal: result.signal,
    timedOut,
    cancelled,
    outputLimited,
    output: combined.text(),
    stdout: stdout.text(),
    stderr: stderr.text(),
    omittedBytes: combined.omitted,
    durationMs: Math.round(performance.now() - started),
  };
}

function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/**
 * Keeps the first and last `limit / 2` characters of a stream and counts what it dropped.
 * The tail is a list of chunks trimmed from the front, so a stream of gigabytes costs one
 * pass, not a copy of the tail per chunk.
 */
export class HeadTail {
  private head = '';
  private readonly tail: string[] = [];
  private tailLength = 0;
  private dropped = 0;
  constructor(private readonly limit: number) {}

  private get half(): number {
    return Math.floor(this.limit / 2); // Infinity keeps everything
  }

  push(text: string): void {
    if (this.head.length < this.half) {
      const room = this.half - this.head.length;
      this.head += text.slice(0, room);
      text = text.slice(room);
    }
    if (!text) return;
    this.tail.push(text);
    this.tailLength += text.length;
    while (this.tail.length > 1 && this.tailLength - this.tail[0]!.length >= this.half) {
      const first = this.tail.shift()!;
      this.tailLength -= first.length;
      this.dropped += first.length;
    }
  }

  /** Characters dropped from the middle. */
  get omitted(): number {
    return this.dropped + Math.max(0, this.tailLength - this.half);
  }

  text(): string {
    const tail = this.tail.join('');
    const kept = tail.length > this.half ? tail.slice(tail.length - this.half) : tail;
    return this.omitted ? `${this.head}\n… ${this.omitted} characters of output omitted …\n${kept}` : this.head + kept;
  }
}

class LineSplitter {
  private pending = '';
  push(text: string): string[] {
    const parts = (this.pending + text).split(/\r?\n/);
    this.pending = parts.pop() ?? '';
    return parts;
  }
  flush(): string | undefined {
    const rest = this.pending;
    this.pending = '';
    return rest ? rest : undefined;
  }
}
