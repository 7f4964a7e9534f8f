import { stateDirOf, type Config } from '../config.js';
import { ensureWritableDir } from '../core/state.js';
import { Workspace } from '../core/workspace.js';
import { Logger } from '../log.js';
import type { ServerOptions } from '../server.js';
import { openJobManagers } from '../services.js';
import { allRecorded } from '../session/record.js';

/** Serves MCP until a signal or the client leaves; never resolves. */
export async function serve(config: Config): Promise<number> {
  const log = new Logger(config.logLevel);
  const root = (await Workspace.open(config.root ?? process.cwd())).root;
  const stateDir = stateDirOf(config);
  await ensureWritableDir(stateDir);
  const options: ServerOptions = { config, stateDir, fallbackRoot: root, log, eagerRoots: !config.http.enabled };
  installShutdown(log);

  if (config.http.enabled) {
    const { serveHttp } = await import('../http.js');
    const handle = await serveHttp(options);
    log.info(`serving MCP over HTTP at ${handle.url}`);
    return new Promise<number>(() => {}); // runs until a signal
  }
  await serveStdio(options);
  return new Promise<number>(() => {});
}

async function serveStdio(options: ServerOptions): Promise<void> {
  const [{ StdioServerTransport }, { createServer }, { LineLimit, MAX_MESSAGE_BYTES, requestIdIn }] = await Promise.all([
    import('@modelcontextprotocol/sdk/server/stdio.js'),
    import('../server.js'),
    import('../mcp/line-limit.js'),
  ]);
  const server = createServer(options);
  // Over-size messages are answered and dropped before the SDK's reader sees them.
  const input = process.stdin.pipe(
    new LineLimit(MAX_MESSAGE_BYTES, (head, bytes) => {
      const message = `Request too large: ${bytes} bytes; Baton reads messages of at most ${MAX_MESSAGE_BYTES} bytes over stdio. Send smaller requests (split a large patch into several calls)`;
      options.log.warning(message);
      transport.send({ jsonrpc: '2.0', id: requestIdIn(head), error: { code: -32600, message } } as never).catch(() => {});
    }),
  );
  const transport = new StdioServerTransport(input as unknown as typeof process.stdin, process.stdout, { maxBufferSize: 2 * MAX_MESSAGE_BYTES });
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

  // The client went away: clients stop a server that lingers (SIGTERM, then SIGKILL, within
  // a fraction of a second), so Baton leaves at once, as on a signal.
  process.stdin.once('end', () => {
    void server.close().catch(() => {});
    exitSoon('stdin closed', options.log);
  });
}

/** Longest wait for the session log's last fdatasync on the way out: clients escalate fast. */
const FLUSH_WAIT_MS = 50;
let exiting = false;

function runningJobs(): number {
  return openJobManagers().reduce((sum, jobs) => sum + jobs.runningCount(), 0);
}

/**
 * Leaves within a few milliseconds: every call's record was written before its answer (only its
 * fdatasync may still be under way), so there is nothing to wait for but that, briefly. Running
 * jobs are cancelled (their process groups get SIGTERM now); what they already stored stays.
 */
function exitSoon(reason: string, log?: Logger): void {
  if (exiting) return;
  exiting = true;
  const running = runningJobs();
  if (running) log?.info(`${reason}: cancelling ${running} running job(s)`);
  for (const jobs of openJobManagers()) jobs.cancelAll();
  const waited = new Promise((resolve) => setTimeout(resolve, FLUSH_WAIT_MS).unref());
  void Promise.race([allRecorded(), waited]).finally(() => process.exit(0));
}

function installShutdown(log: Logger): void {
  // A write to a client that has gone (EPIPE) must not crash the jobs still running.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') log.error(`stdout: ${error.message}`);
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => exitSoon(signal, log));
  }
}
