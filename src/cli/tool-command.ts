import type { z } from 'zod';
import { loadConfig, stateDirOf } from '../config.js';
import { ensureWritableDir } from '../core/state.js';
import { Logger } from '../log.js';
import { servicesFor } from '../services.js';
import { TOOLS } from '../tools/index.js';
import { runTool } from '../tools/run.js';
import { configFlags } from './args.js';
import { UsageError, type Command, type OptionSpec, type ParsedArgs } from './command.js';

/** A tool as a CLI command: the same spec, validation and rendering as over MCP. */
export interface ToolCommandSpec<Output> {
  name: string;
  tool: string;
  usage: string;
  summary: string;
  options: readonly OptionSpec[];
  /** Input fields that come from positionals, or from flags that do not map one to one. */
  input?(args: ParsedArgs): Record<string, unknown> | Promise<Record<string, unknown>>;
  /** Whether the work succeeded: exit code 0, else 1. */
  ok(output: Output): boolean;
}

const JSON_OPTION: OptionSpec = { name: 'json', type: 'boolean', help: 'print the structured result as JSON' };

export function toolCommand<Output>(spec: ToolCommandSpec<Output>): Command {
  const options = [...spec.options, JSON_OPTION];
  return {
    name: spec.name,
    usage: spec.usage,
    summary: spec.summary,
    options,
    async run(args) {
      const tool = TOOLS.find((candidate) => candidate.name === spec.tool);
      if (!tool) throw new Error(`the CLI names a tool that does not exist: ${spec.tool}`);
      const raw: Record<string, unknown> = {};
      for (const option of options) if (option.key && args.values[option.name] !== undefined) raw[option.key] = args.values[option.name];
      Object.assign(raw, await spec.input?.(args));
      const parsed = (await tool.schemas()).input.safeParse(raw);
      if (!parsed.success) throw usageErrorOf(parsed.error, options);

      const config = loadConfig(configFlags(args.values));
      const stateDir = stateDirOf(config);
      await ensureWritableDir(stateDir);
      const services = await servicesFor(config.root ?? process.cwd(), stateDir);
      const controller = new AbortController();
      process.once('SIGINT', () => controller.abort());
      const { output, text } = await runTool(tool, parsed.data, {
        ...services,
        config,
        log: new Logger(config.logLevel),
        signal: controller.signal,
        progress: (message) => process.stderr.write(`… ${message}\n`),
      });
      process.stdout.write((args.values.json ? JSON.stringify(output, null, 2) : text) + '\n');
      return spec.ok(output as Output) ? 0 : 1;
    },
  };
}

/** A schema complaint in the words of the command line: the flag, not the input field. */
function usageErrorOf(error: z.ZodError, options: readonly OptionSpec[]): UsageError {
  const issue = error.issues[0]!;
  const key = String(issue.path[0] ?? '');
  const option = options.find((candidate) => candidate.key === key);
  return new UsageError(`${option ? `--${option.name}` : key || 'input'}: ${issue.message}`);
}
