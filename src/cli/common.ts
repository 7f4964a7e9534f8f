import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadConfig, stateDirOf, type Config, type ConfigFlags } from '../config.js';
import { describeError } from '../core/errors.js';
import { ensureWritableDir } from '../core/state.js';
import { servicesFor, type WorkspaceServices } from '../services.js';

/** A mistake in the command line itself: reported with a pointer to --help. */
export class UsageError extends Error {}

/** Options every command accepts. */
export const COMMON_OPTIONS = {
  root: { type: 'string' },
  'state-dir': { type: 'string' },
  config: { type: 'string' },
  'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

export function parseCommand<O extends NonNullable<ParseArgsConfig['options']>>(argv: readonly string[], options: O) {
  try {
    return parseArgs({ args: [...argv], options: { ...COMMON_OPTIONS, ...options }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(describeError(error).replace(/\. To specify a positional argument.*$/, ''));
  }
}

export function configFlags(values: Record<string, unknown>): ConfigFlags {
  const text = (key: string): string | undefined => (typeof values[key] === 'string' ? (values[key] as string) : undefined);
  return { root: text('root'), stateDir: text('state-dir'), config: text('config'), logLevel: text('log-level') };
}

/** Configuration plus the workspace services of the root, as the server would open them. */
export async function openWorkspace(flags: ConfigFlags): Promise<{ config: Config; services: WorkspaceServices }> {
  const config = loadConfig(flags);
  const stateDir = stateDirOf(config);
  await ensureWritableDir(stateDir);
  return { config, services: await servicesFor(config.root ?? process.cwd(), stateDir) };
}

/** Parses a whole-number flag, or says which flag was wrong. */
export function intFlag(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number)) throw new UsageError(`--${name} needs a whole number, got "${String(value)}"`);
  return number;
}
