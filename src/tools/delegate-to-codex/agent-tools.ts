import { z } from 'zod';
import { describeError } from '../../core/errors.js';
import type { ToolContext } from '../../core/context.js';
import { fileHash } from '../../core/files.js';
import type { ToolSpec } from '../spec.js';
import { Finding } from './schema.js';

/**
 * Baton's own capabilities as function tools for the model in the Responses agent loop.
 * They run in-process with the same safety rules as over MCP; `read-only` offers only the
 * reading tools.
 */

export interface ToolRun {
  /** What goes back to the model as the function's output. */
  output: string;
  /** A command run, for the report (tests). */
  command?: { command: string; exitCode: number | null };
  /** A file the run read, with its content hash, for the cache key. '*' means "the whole tree". */
  read?: { path: string; hash: string };
  /** The model asked to finish, with this report. */
  finish?: string;
  /** A review's findings, as the model gave them to `finish`. */
  findings?: Finding[];
}

/** `task`: the agent works on the task; `review`: it reviews a change and finishes with findings. */
export type AgentMode = 'task' | 'review';

export type AgentToolContext = ToolContext;

/** Runs one of Baton's own tools as its MCP call would: the same validation, capability and rendering. */
async function runBatonTool(
  name: string,
  args: Record<string, unknown>,
  context: AgentToolContext,
): Promise<{ output: Record<string, unknown>; text: string }> {
  const { TOOLS } = await import('../index.js');
  const spec = TOOLS.find((tool) => tool.name === name) as ToolSpec;
  const output = (await spec.run((await spec.schemas()).input.parse(args), context)) as Record<string, unknown>;
  return { output, text: spec.render(output) };
}

const ScanArgs = z
  .object({
    mode: z.enum(['overview', 'tree', 'search', 'symbols', 'map', 'read']),
    path: z.string().optional(),
    glob: z.string().optional(),
    query: z.string().optional(),
    regex: z.boolean().optional(),
    startLine: z.number().int().min(1).optional(),
    endLine: z.number().int().min(1).optional(),
    cursor: z.string().optional(),
  })
  .strict();
const PatchArgs = z.object({ patch: z.string() }).strict();
const TestArgs = z.object({ path: z.string().optional(), files: z.array(z.string()).optional(), testNamePattern: z.string().optional() }).strict();
const FinishArgs = z.object({ report: z.string() }).strict();
const FinishReviewArgs = z.object({ report: z.string(), findings: z.array(Finding) }).strict();

interface AgentTool {
  name: string;
  description: string;
  schema: z.ZodObject;
  readOnly: boolean;
  run(args: never, context: AgentToolContext): Promise<ToolRun>;
}

const TOOLS: AgentTool[] = [
  {
    name: 'repo_scan',
    description: 'Look at the repository: overview, tree, search (git grep), symbols, map (ranked files), read (a file or line range).',
    schema: ScanArgs,
    readOnly: true,
    async run(args: z.output<typeof ScanArgs>, context) {
      const { output, text } = await runBatonTool('repo-scan', { ...args, maxTokens: 6000 }, context);
      const path = typeof output.path === 'string' ? output.path : args.path;
      const read = args.mode === 'read' && path ? { path, hash: await fileHash(context.workspace, path) } : { path: '*', hash: '*' };
      return { output: text, read };
    },
  },
  {
    name: 'apply_patch',
    description:
      'Change files with a Codex patch (*** Begin Patch / *** Update File: path / @@ context / -old / +new / *** End Patch). All hunks must apply or nothing is written.',
    schema: PatchArgs,
    readOnly: false,
    async run(args: z.output<typeof PatchArgs>, context) {
      return { output: (await runBatonTool('apply-patch', { patch: args.patch, maxTokens: 3000 }, context)).text };
    },
  },
  {
    name: 'run_tests',
    description: "Run the project's tests (the runner is detected) and get pass/fail with each failure.",
    schema: TestArgs,
    readOnly: false,
    async run(args: z.output<typeof TestArgs>, context) {
      const { output, text } = await runBatonTool('run-tests', { ...args, waitSec: 3600, maxTokens: 3000 }, context);
      const command = (output.command as string[]).join(' ') || 'run-tests';
      return { output: text, command: { command, exitCode: output.exitCode as number | null } };
    },
  },
  {
    name: 'finish',
    description: 'Finish the task with a short report: what you did, what you found, what is left.',
    schema: FinishArgs,
    readOnly: true,
    async run(args: z.output<typeof FinishArgs>) {
      return { output: 'ok', finish: args.report };
    },
  },
];

/** Review mode's `finish`: the findings are structured, so nothing has to be parsed from prose. */
const FINISH_REVIEW: AgentTool = {
  name: 'finish',
  description:
    'Finish the review: a short overall verdict in report, and findings (an empty list when the change is fine), each with path (relative to the root), line (of the new code), severity (high: breaks behaviour or security; medium: a real bug in a narrower case; low: minor), title and body (why it is wrong, when it shows).',
  schema: FinishReviewArgs,
  readOnly: true,
  async run(args: z.output<typeof FinishReviewArgs>) {
    return { output: 'ok', finish: args.report, findings: args.findings };
  },
};

function toolsFor(sandbox: 'read-only' | 'workspace-write', mode: AgentMode): AgentTool[] {
  const tools = TOOLS.filter((tool) => sandbox === 'workspace-write' || tool.readOnly);
  return mode === 'review' ? tools.map((tool) => (tool.name === 'finish' ? FINISH_REVIEW : tool)) : tools;
}

/** The tool definitions the model is offered, for the sandbox and mode asked for. */
export function toolDefinitions(
  sandbox: 'read-only' | 'workspace-write',
  mode: AgentMode = 'task',
): Array<{ type: 'function'; name: string; description: string; parameters: Record<string, unknown>; strict: false }> {
  return toolsFor(sandbox, mode).map((tool) => ({
    type: 'function',
    name: tool.name,
    description: tool.description,
    parameters: z.toJSONSchema(tool.schema, { target: 'draft-7', io: 'input' }) as Record<string, unknown>,
    strict: false,
  }));
}

export function isReadOnlyTool(name: string): boolean {
  return TOOLS.find((tool) => tool.name === name)?.readOnly ?? false;
}

/**
 * Runs one function call. Mistakes of the model (an unknown tool, bad arguments, a tool the
 * sandbox does not allow, a patch that does not apply) go back to it as the output, so it can
 * correct itself; they do not end the run.
 */
export async function runAgentTool(
  name: string,
  rawArguments: string,
  sandbox: 'read-only' | 'workspace-write',
  context: AgentToolContext,
  mode: AgentMode = 'task',
): Promise<ToolRun> {
  const tool = (mode === 'review' && name === 'finish' ? FINISH_REVIEW : undefined) ?? TOOLS.find((candidate) => candidate.name === name);
  if (!tool)
    return {
      output: `error: unknown tool "${name}"; available: ${toolDefinitions(sandbox, mode)
        .map((t) => t.name)
        .join(', ')}`,
    };
  if (!tool.readOnly && sandbox === 'read-only') return { output: `error: ${name} is not available in the read-only sandbox` };
  let args: unknown;
  try {
    args = JSON.parse(rawArguments || '{}');
  } catch {
    return { output: `error: the arguments of ${name} are not valid JSON` };
  }
  const parsed = tool.schema.safeParse(args);
  if (!parsed.success)
    return { output: `error: invalid arguments for ${name}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ')}` };
  try {
    return await tool.run(parsed.data as never, context);
  } catch (error) {
    return { output: `error: ${describeError(error)}` };
  }
}
