import { parseArgs } from 'node:util';
import type { ConfigFlags } from '../config.js';
import { describeError } from '../core/errors.js';
import { COMMON_OPTIONS, UsageError, type OptionSpec, type ParsedArgs } from './command.js';

/**
 * Finds the command word: the first word that is not an option or an option's value. Only the
 * common options (and, for the default command, its own) may stand before it, so their values
 * are the only ones to skip. `undefined`: no command word (serve).
 */
export function findCommandWord(argv: readonly string[], leadingOptions: readonly OptionSpec[]): { index: number; word: string } | undefined {
  const takesValue = new Set(leadingOptions.filter((o) => o.type !== 'boolean').map((o) => `--${o.name}`));
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') return argv[i + 1] === undefined ? undefined : { index: i + 1, word: argv[i + 1]! };
    if (token.startsWith('-')) {
      if (takesValue.has(token)) i++;
      continue;
    }
    return { index: i, word: token };
  }
  return undefined;
}

/** Parses a command's argv (the command word removed) against its options plus the common ones. */
export function parseOptions(argv: readonly string[], options: readonly OptionSpec[]): ParsedArgs {
  const all = [...COMMON_OPTIONS, ...options];
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...argv],
      options: Object.fromEntries(
        all.map((o) => [
          o.name,
          { type: o.type === 'boolean' ? 'boolean' : 'string', ...(o.short ? { short: o.short } : {}), ...(o.type === 'list' ? { multiple: true } : {}) },
        ]),
      ) as never,
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(describeError(error).replace(/\. To specify a positional argument.*$/, ''));
  }
  const values: ParsedArgs['values'] = {};
  for (const option of all) {
    const value = (parsed.values as Record<string, string | boolean | string[] | undefined>)[option.name];
    values[option.name] = option.type === 'int' && value !== undefined ? wholeNumber(option.name, value) : value;
  }
  return { values, positionals: parsed.positionals };
}

function wholeNumber(name: string, value: unknown): number {
  const number = Number(value);
  if (typeof value !== 'string' || !/^\s*-?\d+\s*$/.test(value) || !Number.isSafeInteger(number)) {
    throw new UsageError(`--${name} needs a whole number, got "${String(value)}"`);
  }
  return number;
}

/** The configuration flags every command takes. */
export function configFlags(values: ParsedArgs['values']): ConfigFlags {
  const text = (key: string): string | undefined => (typeof values[key] === 'string' ? (values[key] as string) : undefined);
  return { root: text('root'), stateDir: text('state-dir'), config: text('config'), logLevel: text('log-level') };
}
