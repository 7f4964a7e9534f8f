import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  CallToolRequestSchema,
  ListRootsResultSchema,
  ListToolsRequestSchema,
  type CallToolResult,
  type ListRootsResult,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import type { Config } from '../config.js';
import type { WorkspaceServices } from '../core/context.js';
import { describeError, isUserError, LoggedBug } from '../core/errors.js';
import { readableStack } from '../core/stack.js';
import type { Logger } from '../log.js';
import { recordCall } from '../session/record.js';
import { runTool } from '../tools/run.js';
import type { ToolSpec } from '../tools/spec.js';
import { toolDefinitions } from './definitions.js';
import { callStarted } from './idle.js';

declare const __BATON_TOOL_LIST__: Tool[] | undefined;

/** Test-only: the tool whose calls throw a bug, so tests can see how bugs are reported. */
const FAULT_FOR_TESTS = process.env.BATON_TEST_FAULT;

/** Sends `roots/list` to the client (on the stream of the request being served, where there is one). */
export type AskRoots = () => Promise<ListRootsResult>;

/** The workspace of the current root (MCP roots, else --root, else the cwd). */
export type WorkspaceSource = (askRoots?: AskRoots) => Promise<WorkspaceServices>;

/** What the server gives every tool call: configuration, logging and the current workspace. */
export interface ToolHost {
  config: Config;
  log: Logger;
  workspace: WorkspaceSource;
}

/**
 * The MCP side of Baton's tools, in one place: tools/list and tools/call for the given specs.
 * Installed as the server's own request handlers, so nothing depends on how or when the SDK
 * would install its handlers.
 */
export function installTools(server: McpServer, tools: readonly ToolSpec[], host: ToolHost, onListed: () => void = () => {}): void {
  server.server.registerCapabilities({ tools: { listChanged: false } });
  const byName = new Map(tools.map((tool) => [tool.name, tool]));

  // The list never changes while Baton runs: the build bakes it in (scripts/build.mjs); from
  // source it is computed on the first call.
  let list: Tool[] | Promise<Tool[]> | undefined = typeof __BATON_TOOL_LIST__ !== 'undefined' ? __BATON_TOOL_LIST__ : undefined;
  server.server.setRequestHandler(ListToolsRequestSchema, async () => {
    list ??= toolDefinitions(tools);
    const answer = { tools: await list };
    onListed();
    return answer;
  });

  server.server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const spec = byName.get(request.params.name);
    if (!spec) return errorResult(`Tool ${request.params.name} not found`);
    const askRoots: AskRoots = () => extra.sendRequest({ method: 'roots/list' }, ListRootsResultSchema, { timeout: 5000 });
    return callTool(spec, request.params.arguments ?? {}, host, askRoots, {
      signal: extra.signal,
      progress: progressSender(extra._meta?.progressToken, (params) => extra.sendNotification({ method: 'notifications/progress', params })),
    });
  });
}

/** One call, from raw arguments to the result both channels carry; errors shaped, the call logged. */
async function callTool(
  spec: ToolSpec,
  rawArgs: Record<string, unknown>,
  host: ToolHost,
  askRoots: AskRoots,
  call: { signal: AbortSignal; progress(message: string): void },
): Promise<CallToolResult> {
  const finished = callStarted();
  try {
    return await serveCall(spec, rawArgs, host, askRoots, call);
  } finally {
    finished();
  }
}

async function serveCall(
  spec: ToolSpec,
  rawArgs: Record<string, unknown>,
  host: ToolHost,
  askRoots: AskRoots,
  call: { signal: AbortSignal; progress(message: string): void },
): Promise<CallToolResult> {
  const started = performance.now();
  const parsed = (await spec.schemas()).input.safeParse(rawArgs);
  if (!parsed.success) return invalidArguments(spec.name, parsed.error);
  const args = parsed.data as Record<string, unknown>;
  let services: WorkspaceServices | undefined;
  try {
    if (FAULT_FOR_TESTS === spec.name) throw new TypeError(`injected fault in ${spec.name} (BATON_TEST_FAULT)`);
    services = await host.workspace(askRoots);
    const context = { ...services, config: host.config, log: host.log, ...call };
    const { output, text } = await runTool(spec, args, context);
    // Logged before the answer leaves: a server killed right after answering loses no call.
    if (spec.logged) {
      const facts = spec.facts?.(output) ?? {};
      await recordCall(services.state, spec.name, args, { ok: true, text, ...facts }, performance.now() - started, (m) => host.log.warning(m));
    }
    return { structuredContent: output, content: [{ type: 'text', text }] };
  } catch (error) {
    const result = toolError(spec.name, error, host.log);
    if (services && spec.logged) {
      await recordCall(services.state, spec.name, args, { ok: false, error: (result.content[0] as { text: string }).text }, performance.now() - started, (m) =>
        host.log.warning(m),
      );
    }
    return result;
  }
}

/** The SDK's own wording for arguments that do not match the schema, so clients see one style. */
function invalidArguments(tool: string, error: z.ZodError): CallToolResult {
  const issues = error.issues.map((issue) => `${issue.path.join('.') || 'arguments'}: ${issue.message}`).join('; ');
  return errorResult(`Input validation error: Invalid arguments for tool ${tool}: ${issues}`);
}

function errorResult(text: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text }] };
}

/** A user's mistake comes back as its one line; anything else is a bug, logged with its stack once. */
export function toolError(tool: string, error: unknown, log: Logger): CallToolResult {
  if (isUserError(error)) return errorResult(error.toLine());
  if (!(error instanceof LoggedBug)) log.error(`${tool}: ${readableStack(error)}`);
  return errorResult(`${tool} failed unexpectedly: ${describeError(error)}. This is a bug in Baton; the server log (stderr) has details`);
}

function progressSender(
  token: string | number | undefined,
  send: (params: { progressToken: string | number; progress: number; message: string }) => Promise<void>,
): (message: string) => void {
  if (token === undefined) return () => {};
  let sequence = 0; // MCP requires progress to increase with every notification
  return (message) => {
    sequence++;
    send({ progressToken: token, progress: sequence, message }).catch(() => {}); // a client that went away cannot be told; the job carries on
  };
}
