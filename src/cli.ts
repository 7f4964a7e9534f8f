#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOG_LEVELS, loadConfig, stateDirOf, type Config, type ConfigFlags } from './config.js';
import { describeError, isUserError } from './core/errors.js';
import { ensureWritableDir } from './core/state.js';
import { Workspace } from './core/workspace.js';
import { Logger } from './log.js';
import type { ServerOptions } from './server.js';
import { openJobManagers } from './services.js';
import { VERSION } from './version.js';
import { configFlags, parseCommand, UsageError } from './cli/common.js';

const HELP = `baton-mcp ${VERSION}: an MCP server with the tools of a coding agent

Usage:
  baton-mcp [options]            serve MCP over stdio (the default)
  baton-mcp --http [options]     serve MCP over Streamable HTTP at http://HOST:PORT/mcp
  baton-mcp doctor [options]     check this machine and print client configuration
  baton-mcp scan [mode] [...]    repo-scan: overview, tree, search, symbols, map, read (scan --help)
  baton-mcp apply [file|-] [...] apply-patch: apply a diff or Codex patch, --dry-run, --undo ID (apply --help)
  baton-mcp test [files] [...]   run-tests: detect and run the project's tests (test --help)
  baton-mcp delegate "task" [...] delegate-to-codex: hand a task to Codex (delegate --help)

Options:
  --root DIR         workspace root when the client offers no MCP roots (default: the current folder)
  --state-dir DIR    where Baton keeps its state (default: $BATON_STATE_DIR, $XDG_STATE_HOME/baton or ~/.local/state/baton)
  --config FILE      JSON configuration file (default: $BATON_CONFIG)
  --http             serve Streamable HTTP instead of stdio
  --port N           HTTP port (default 8765; 0 picks a free one)
  --host HOST        HTTP host (default 127.0.0.1; any other host requires BATON_HTTP_TOKEN)
  --log-level LEVEL  stderr log level: ${LOG_LEVELS.join(', ')} (default info)
  -h, --help         show this help
  -v, --version      show the version
`;

const SERVE_OPTIONS = {
  http: { type: 'boolean' },
  port: { type: 'string' },
  host: { type: 'string' },
  version: { type: 'boolean', short: 'v' },
} as const;

export interface ParsedCommand {
  command: 'serve' | 'doctor' | 'help' | 'version';
  flags: ConfigFlags;
}

/** Parses argv (without node and the script); unknown flags and stray words are UserErrors. */
export function parseCommandLine(argv: readonly string[]): ParsedCommand {
  const { values, positionals } = parseCommand(argv, SERVE_OPTIONS);
  const flags: ConfigFlags = { ...configFlags(values), http: values.http, port: values.port, host: values.host };
  if (values.help) return { command: 'help', flags };
  if (values.version) return { command: 'version', flags };
  const [word, ...rest] = positionals;
  if (rest.length) throw new UsageError(`unexpected argument "${rest[0]}"`);
  if (word === undefined || word === 'serve') return { command: 'serve', flags };
  if (word === 'doctor') return { command: 'doctor', flags };
  throw new UsageError(`unknown command "${word}"`);
}

/** Commands with options of their own, loaded only when used. */
const COMMANDS: Record<string, () => Promise<(argv: readonly string[]) => Promise<number>>> = {
  scan: async () => (await import('./cli/scan.js')).scanCommand,
  apply: async () => (await import('./cli/apply.js')).applyCommand,
  test: async () => (await import('./cli/test.js')).testCommand,
  delegate: async () => (await import('./cli/delegate.js')).delegateCommand,
};

export async function main(argv: readonly string[]): Promise<number> {
  const subcommand = argv[0] !== undefined ? COMMANDS[argv[0]] : undefined;
  if (subcommand) return (await subcommand())(argv.slice(1));
  const { command, flags } = parseCommandLine(argv);
  if (command === 'help' || command === 'version') {
    process.stdout.write(command === 'help' ? HELP : `${VERSION}\n`);
    return 0;
  }
  const config = loadConfig(flags);
  if (command === 'doctor') {
    const { runDoctor } = await import('./cli/doctor.js');
    return runDoctor(config, fileURLToPath(import.meta.url));
  }
  return serve(config);
}

async function serve(config: Config): Promise<number> {
  const log = new Logger(config.logLevel);
  const root = (await Workspace.open(config.root ?? process.cwd())).root;
  const stateDir = stateDirOf(config);
  await ensureWritableDir(stateDir);
  const options: ServerOptions = { config, stateDir, fallbackRoot: root, log };
  installShutdown(log);

  if (config.http.enabled) {
    const { serveHttp } = await import('./http.js');
    const handle = await serveHttp(options);
    log.info(`serving MCP over HTTP at ${handle.url}`);
    return new Promise<number>(() => {}); // runs until a signal
  }
  await serveStdio(options);
  return new Promise<number>(() => {});
}

async function serveStdio(options: ServerOptions): Promise<void> {
  const [{ StdioServerTransport }, { createServer }] = await Promise.all([
    import('@modelcontextprotocol/sdk/server/stdio.js'),
    import('./server.js'),
  ]);
  const server = createServer(options);
  const transport = new StdioServerTransport();
  await server.connect(transport);

  // The SDK drops a line it cannot parse; JSON-RPC wants an answer, so give one and go on.
  const sdkOnError = transport.onerror;
  transport.onerror = (error) => {
    sdkOnError?.(error);
    const parseFailed = error instanceof SyntaxError;
    const invalid = !parseFailed && error.name === 'ZodError';
    if (!parseFailed && !invalid) return;
    const reply = {
      jsonrpc: '2.0' as const,
      id: null,
      error: parseFailed
        ? { code: -32700, message: `Parse error: ${error.message}` }
        : { code: -32600, message: 'Invalid Request: not a JSON-RPC 2.0 message' },
    };
    transport.send(reply as never).catch(() => {});
  };

  // The client went away: let running jobs finish and store their results, then leave.
  process.stdin.once('end', () => {
    void server.close().catch(() => {});
    void settleJobsAndExit(options.log, 'stdin closed');
  });
}

let exiting = false;

async function settleJobsAndExit(log: Logger, reason: string, cancel = false): Promise<void> {
  if (exiting) return;
  exiting = true;
  const managers = await openJobManagers();
  const running = managers.reduce((sum, jobs) => sum + jobs.runningCount(), 0);
  if (running) log.info(`${reason}: ${cancel ? 'cancelling' : 'waiting for'} ${running} running job(s)`);
  if (cancel) for (const jobs of managers) jobs.cancelAll();
  await Promise.all(managers.map((jobs) => jobs.settled()));
  const { allRecorded } = await import('./session/record.js');
  await allRecorded(); // calls answered just before the client left are still logged
  process.exit(0);
}

function installShutdown(log: Logger): void {
  // A write to a client that has gone (EPIPE) must not crash the jobs still running.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') log.error(`stdout: ${error.message}`);
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void settleJobsAndExit(log, signal, true));
  }
}

/** True when this module is the program being run, also through npx or a bin symlink. */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(resolve(script)) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      if (error instanceof UsageError) {
        process.stderr.write(`baton-mcp: ${error.message}\nRun baton-mcp --help for usage.\n`);
        process.exit(2);
      }
      if (isUserError(error)) {
        process.stderr.write(`baton-mcp: ${error.toLine()}\n`);
        process.exit(2);
      }
      process.stderr.write(`baton-mcp: unexpected failure: ${(error as Error)?.stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
