import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Config } from './config.js';
import { describeError, isUserError } from './core/errors.js';
import type { Logger } from './log.js';
import { recordCall } from './session/record.js';
import type { ListedTool } from './tool-list.js';
import type { WorkspaceServices } from './services.js';

/** What a capability gets besides its input: the workspace, its state and the call's signal. */
export interface ToolContext extends WorkspaceServices {
  config: Config;
  log: Logger;
  /** Aborted when the client cancels the request (notifications/cancelled). */
  signal: AbortSignal;
  /** Sends a progress notification when the client asked for progress; otherwise does nothing. */
  progress(message: string): void;
}

/** A tool's zod schemas: the MCP input and output schemas, and the boundary validation. */
export interface ToolSchemas<In extends z.ZodObject, Out extends z.ZodObject> {
  input: In;
  output: Out;
}

/**
 * A tool as its `tool.ts` declares it. The schemas load on first use: building every tool's
 * zod schemas is a tenth of start-up, and neither initialize nor tools/list (baked in at
 * build time) needs them. `run` is the plain capability, `render` the readable text beside
 * the structured content.
 */
export interface ToolSpec<In extends z.ZodObject, Out extends z.ZodObject> {
  name: string;
  title: string;
  description: string;
  schemas(): Promise<ToolSchemas<In, Out>>;
  annotations: ToolAnnotations;
  run(input: z.output<In>, context: ToolContext): Promise<z.output<Out>>;
  render(output: z.output<Out>): string;
}

/** What the server gives every registration: configuration, logging and the current workspace. */
export interface ServerContext {
  config: Config;
  log: Logger;
  /** Every registered tool, as tools/list shows it. */
  listed: ListedTool[];
  /** The workspace of the current root (MCP roots, else --root, else the cwd). */
  workspace(): Promise<WorkspaceServices>;
}

/** The one way a tool is registered: error shaping and progress wiring live here, once. */
export function registerTool<In extends z.ZodObject, Out extends z.ZodObject>(
  server: McpServer,
  context: ServerContext,
  spec: ToolSpec<In, Out>,
): void {
  const annotations = spec.annotations; // the title is the tool's own `title`; not repeated here
  context.listed.push({ name: spec.name, title: spec.title, description: spec.description, schemas: spec.schemas, annotations });
  server.registerTool(
    spec.name,
    // The SDK passes the arguments through; they are validated below against the real schema.
    { title: spec.title, description: spec.description, inputSchema: ANY_ARGUMENTS, annotations },
    (async (rawArgs: Record<string, unknown>, extra: ToolExtra): Promise<CallToolResult> => {
      const started = performance.now();
      const parsed = (await spec.schemas()).input.safeParse(rawArgs);
      if (!parsed.success) return invalidArguments(spec.name, parsed.error);
      const args = parsed.data as z.output<In>;
      const services = await context.workspace().catch(() => undefined);
      const record = (outcome: Parameters<typeof recordCall>[3]): void => {
        if (services) recordCall(services.state, spec.name, args as Record<string, unknown>, outcome, performance.now() - started, (m) => context.log.debug(m));
      };
      try {
        if (!services) await context.workspace(); // rethrows why the workspace could not be opened
        const output = await spec.run(args, {
          ...services!,
          config: context.config,
          log: context.log,
          signal: extra.signal,
          progress: progressSender(extra),
        });
        const text = spec.render(output);
        record({ ok: true, output: output as Record<string, unknown>, text });
        return { structuredContent: output as Record<string, unknown>, content: [{ type: 'text', text }] };
      } catch (error) {
        const result = toolError(spec.name, error, context.log);
        record({ ok: false, error: (result.content[0] as { text: string }).text });
        return result;
      }
    }) as never,
  );
}

/**
 * The output schema as clients see it: the fields every result has, with their types, and
 * any other field allowed. Full schemas would cost several KB per tool in every tools/list
 * (DESIGN.md: under 8 KB for all tools together); this looser schema still matches every
 * result, and Baton's own code and tests keep the full shape from the zod schema.
 */
export function compactOutputSchema(schema: z.ZodObject): z.ZodObject {
  const required = Object.entries(schema.shape).filter(([, field]) => !(field instanceof z.ZodOptional));
  return z.looseObject(Object.fromEntries(required.map(([key, field]) => [key, compactField(field as z.ZodType)])));
}

function compactField(field: z.ZodType): z.ZodType {
  if (field instanceof z.ZodNullable) return compactField(field.unwrap() as z.ZodType).nullable();
  if (field instanceof z.ZodArray) return z.array(z.any());
  if (field instanceof z.ZodObject || field instanceof z.ZodRecord) return z.record(z.string(), z.any());
  return field;
}

const ANY_ARGUMENTS = z.looseObject({});

/** The SDK's own wording for arguments that do not match the schema, so clients see one style. */
function invalidArguments(tool: string, error: z.ZodError): CallToolResult {
  const issues = error.issues.map((issue) => `${issue.path.join('.') || 'arguments'}: ${issue.message}`).join('; ');
  return { isError: true, content: [{ type: 'text', text: `Input validation error: Invalid arguments for tool ${tool}: ${issues}` }] };
}

interface ToolExtra {
  signal: AbortSignal;
  _meta?: { progressToken?: string | number };
  sendNotification(notification: { method: 'notifications/progress'; params: Record<string, unknown> }): Promise<void>;
}

function progressSender(extra: ToolExtra): (message: string) => void {
  const token = extra._meta?.progressToken;
  if (token === undefined) return () => {};
  let sequence = 0; // MCP requires progress to increase with every notification
  return (message) => {
    sequence++;
    extra
      .sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: sequence, message } })
      .catch(() => {}); // a client that went away cannot be told; the job carries on
  };
}

function toolError(tool: string, error: unknown, log: Logger): CallToolResult {
  if (isUserError(error)) return { isError: true, content: [{ type: 'text', text: error.toLine() }] };
  log.error(`${tool}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  const text = `${tool} failed unexpectedly: ${describeError(error)}. This is a bug in Baton; the server log (stderr) has details`;
  return { isError: true, content: [{ type: 'text', text }] };
}
