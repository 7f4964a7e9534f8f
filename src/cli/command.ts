/**
 * The shape of one CLI command in the table (src/cli/commands.ts): its options drive parsing,
 * the generated help and, for tool commands, which input field each flag fills.
 */

export interface OptionSpec {
  /** The long name, without dashes. */
  name: string;
  short?: string;
  /** `int`: a whole number; `list`: repeatable, collected into an array. */
  type: 'string' | 'boolean' | 'int' | 'list';
  help: string;
  /** The value's name in the help (`--root DIR`). */
  value?: string;
  /** The tool input field this flag fills (tool commands). */
  key?: string;
}

export interface ParsedArgs {
  /** Option values by long name; `int` options are numbers, `list` options arrays. */
  values: Record<string, string | boolean | number | string[] | undefined>;
  positionals: string[];
}

export interface Command {
  name: string;
  /** What follows `baton-mcp` in the usage line, e.g. `scan [mode]`. */
  usage: string;
  summary: string;
  options: readonly OptionSpec[];
  /** Runs the command; the number is the exit code (0 ok, 1 the work failed, 2 bad usage). */
  run(args: ParsedArgs): Promise<number>;
}

/** A mistake in the command line itself: reported with a pointer to --help, exit code 2. */
export class UsageError extends Error {}

/** Options every command accepts, before or after the command word. */
export const COMMON_OPTIONS: readonly OptionSpec[] = [
  { name: 'root', type: 'string', value: 'DIR', help: 'workspace root when the client offers no MCP roots (default: the current folder)' },
  {
    name: 'state-dir',
    type: 'string',
    value: 'DIR',
    help: 'where Baton keeps its state (default: $BATON_STATE_DIR, $XDG_STATE_HOME/baton or ~/.local/state/baton)',
  },
  { name: 'config', type: 'string', value: 'FILE', help: 'JSON configuration file (default: $BATON_CONFIG)' },
  { name: 'log-level', type: 'string', value: 'LEVEL', help: 'stderr log level: debug, info, notice, warning, error, … (default info)' },
  { name: 'help', short: 'h', type: 'boolean', help: 'show this help' },
];

/** The help text of a command, generated from its table entry. */
export function commandHelp(command: Command): string {
  return [
    `Usage: baton-mcp ${command.usage} [options]`,
    '',
    command.summary,
    '',
    'Options:',
    ...optionLines(command.options),
    '',
    'Common options:',
    ...optionLines(COMMON_OPTIONS),
    '',
  ].join('\n');
}

export function optionLines(options: readonly OptionSpec[]): string[] {
  const left = options.map(
    (option) =>
      `${option.short ? `-${option.short}, ` : '    '}--${option.name}${option.value ? ` ${option.value}` : option.type === 'int' ? ' N' : option.type === 'boolean' ? '' : ' VALUE'}`,
  );
  const width = Math.max(...left.map((text) => text.length)) + 2;
  return options.map((option, i) => `  ${left[i]!.padEnd(width)}${option.help}${option.type === 'list' ? ' (repeatable)' : ''}`);
}
