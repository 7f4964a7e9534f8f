import { fileURLToPath } from 'node:url';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { RootsListChangedNotificationSchema, SetLevelRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Config } from './config.js';
import { describeError } from './core/errors.js';
import type { Logger } from './log.js';
import type { WorkspaceServices } from './core/context.js';
import { whenIdle } from './mcp/idle.js';
import { installTools, type AskRoots, type WorkspaceSource } from './mcp/tools.js';
import { registerSessionResources } from './session/resources.js';
import { servicesFor } from './services.js';
import { TOOLS } from './tools/index.js';
import { VERSION } from './version.js';

export const INSTRUCTIONS = [
  "Baton gives you the tools of a coding agent for one workspace (the client's first root, else the folder Baton was started in).",
  'All paths are relative to that root and use "/"; line numbers are 1-based.',
  'Outputs respect maxTokens; when a result says truncated, pass its nextCursor to get the rest.',
  'Long calls answer {status: "running", jobId}: call the same tool again with {jobId} to wait for the result, or {jobId, cancel: true} to stop it.',
  'At the start of a new context window, call `session` (action "resume") to get the brief of the work so far; after each milestone, call `session` with action "checkpoint" (goal, plan, decisions, next). Tool calls are logged to the session automatically.',
].join('\n');

export interface ServerOptions {
  config: Config;
  /** Absolute state dir (already checked to be writable). */
  stateDir: string;
  /** Root used until (or unless) the client offers MCP roots. */
  fallbackRoot: string;
  /** Ask for the client's roots as soon as it is initialized (stdio), not on its first call (HTTP). */
  eagerRoots: boolean;
  log: Logger;
}

/** One MCP server: one per stdio process, one per HTTP session. */
export function createServer(options: ServerOptions): McpServer {
  const server = new McpServer({ name: 'baton', title: 'Baton', version: VERSION }, { capabilities: { logging: {} }, instructions: INSTRUCTIONS });
  const log = options.log.forClient((level, data) => {
    server.server.sendLoggingMessage({ level, logger: 'baton', data }).catch(() => {});
  });
  server.server.onerror = (error) => log.debug(`protocol: ${describeError(error)}`);

  // The SDK's own handler would forward every level until the client sets one; Baton stays
  // quiet towards the client until asked.
  server.server.setRequestHandler(SetLevelRequestSchema, (request) => {
    log.setClientLevel(request.params.level);
    return {};
  });

  const workspace = trackRoots(server, options, log);
  // Over HTTP the workspace is settled by the first call (its roots travel on that call's stream).
  const warm = (): void => warmUp(options.eagerRoots ? workspace : undefined, log);
  installTools(server, TOOLS, { config: options.config, log, workspace }, warm);
  const initialized = server.server.oninitialized;
  server.server.oninitialized = () => {
    initialized?.();
    setTimeout(warm, WARM_UP_AFTER_INITIALIZED_MS).unref();
  };
  registerSessionResources(server, async () => ({ ...(await workspace()), config: options.config, log }));
  return server;
}

/**
 * The workspace follows the client's MCP roots when it offers them (asked again after
 * roots/list_changed); otherwise, or when the roots are unusable, the fallback root.
 *
 * Over stdio the roots are asked for as soon as the client is initialized. Over Streamable HTTP
 * a request from the server needs a stream to travel on, which the client may not have open
 * yet: the roots are asked for on the first call, on that call's own response stream, and the
 * call waits for the answer, so nothing is read or written before the workspace is settled.
 */
function trackRoots(server: McpServer, options: ServerOptions, log: Logger): WorkspaceSource {
  const fallback = (): Promise<WorkspaceServices> => servicesFor(options.fallbackRoot, options.stateDir);
  let current: Promise<WorkspaceServices> | undefined;
  let stale = true; // until the client's roots (or their absence) are known

  const ask = (askRoots: AskRoots): Promise<WorkspaceServices> =>
    askRoots()
      .then(({ roots }) => {
        const first = roots.find((root) => root.uri.startsWith('file://'));
        if (!first) {
          log.info('the client offers no file:// root; using the fallback root');
          return fallback();
        }
        return servicesFor(fileURLToPath(first.uri), options.stateDir);
      })
      .catch((error: unknown) => {
        log.warning(`could not use the client's roots (${describeError(error)}); using ${options.fallbackRoot}`);
        return fallback();
      });
  const direct: AskRoots = () => server.server.listRoots(undefined, { timeout: ROOTS_TIMEOUT_MS });

  server.server.oninitialized = () => {
    if (options.eagerRoots && server.server.getClientCapabilities()?.roots) {
      current = ask(direct);
      stale = false;
    }
  };
  server.server.setNotificationHandler(RootsListChangedNotificationSchema, () => {
    stale = true;
    if (options.eagerRoots) {
      current = ask(direct);
      stale = false;
    }
  });

  return (askRoots) => {
    if (stale || !current) {
      const capabilities = server.server.getClientCapabilities();
      if (capabilities?.roots) {
        current = ask(askRoots ?? direct);
        stale = false;
      } else {
        current ??= fallback();
        stale = capabilities === undefined; // not initialized yet: the roots may still come
      }
    }
    return current;
  };
}

const ROOTS_TIMEOUT_MS = 5000;

/**
 * What the first calls need, loaded while the client is busy with its own start: the tokenizer,
 * the tools' schemas and modules, the workspace and its session store. Started once the client
 * has its tool list (or shortly after initialize), so neither initialize nor tools/list waits.
 */
const WARM_UP_AFTER_INITIALIZED_MS = 100;
let warmed = false;
function warmUp(workspace: WorkspaceSource | undefined, log: Logger): void {
  if (warmed) return;
  warmed = true;
  // Each step waits until no call is in flight: a call that came first loads what it needs itself.
  void (async () => {
    await whenIdle();
    const { warmTokenizer } = await import('./core/budget.js');
    await whenIdle();
    await warmTokenizer();
    await whenIdle();
    await Promise.all(TOOLS.map((tool) => tool.schemas()));
    await whenIdle();
    const [{ SessionStore }, { languageTable }, { isGitRepository }] = await Promise.all([
      import('./session/store.js'),
      import('./tools/repo-scan/languages.js'),
      import('./core/git.js'),
      import('./session/session.js'),
      import('./tools/repo-scan/scan.js'),
    ]);
    await whenIdle();
    await languageTable();
    if (!workspace) return;
    const { workspace: files, state } = await workspace();
    await whenIdle();
    // The first git call also loads the process wrapper; its answer is cached for the root.
    await Promise.all([SessionStore.for(state).current(), isGitRepository(files.root)]);
  })().catch((error: unknown) => log.debug(`warm-up: ${describeError(error)}`));
}
