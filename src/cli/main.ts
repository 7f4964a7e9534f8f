import { VERSION } from '../version.js';
import { findCommandWord, parseOptions } from './args.js';
import { COMMON_OPTIONS, commandHelp, optionLines, UsageError, type Command } from './command.js';
import { COMMANDS, SERVE_OPTIONS } from './commands.js';

/** Runs the command argv names (without node and the script); resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const found = findCommandWord(argv, [...COMMON_OPTIONS, ...SERVE_OPTIONS]);
  let command: Command = COMMANDS[0]!; // serve
  let rest = [...argv];
  if (found) {
    const named = COMMANDS.find((candidate) => candidate.name === found.word);
    if (!named) throw new UsageError(`unknown command "${found.word}"`);
    command = named;
    rest = [...argv.slice(0, found.index), ...argv.slice(found.index + 1)];
  }
  const args = parseOptions(rest, command.options);
  if (args.values.version && command.name === 'serve') return print(`${VERSION}\n`);
  if (args.values.help) return print(found ? commandHelp(command) : overallHelp());
  return command.run(args);
}

function print(text: string): number {
  process.stdout.write(text);
  return 0;
}

function overallHelp(): string {
  const width = Math.max(...COMMANDS.map((command) => command.usage.length)) + 2;
  return [
    `baton-mcp ${VERSION}: an MCP server with the tools of a coding agent`,
    '',
    'Usage: baton-mcp [command] [options]     (no command: serve MCP over stdio)',
    '',
    'Commands:',
    ...COMMANDS.map((command) => `  ${command.usage.padEnd(width)}${command.summary.split(/(?<=\.) /)[0]}`),
    '',
    'Serve options:',
    ...optionLines(SERVE_OPTIONS),
    '',
    'Common options (before or after the command):',
    ...optionLines(COMMON_OPTIONS),
    '',
    'Run baton-mcp COMMAND --help for the options of a command.',
    '',
  ].join('\n');
}
