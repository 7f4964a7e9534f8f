import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { UserError } from './core/errors.js';

/** MCP logging levels, least severe first. */
export const LOG_LEVELS = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const DEFAULT_HTTP_PORT = 8765;

/**
 * Reasoning efforts as the Responses API has them, least first; each model's supported subset
 * is in `delegate.models`, and an effort a model lacks is clamped to the nearest it has.
 */
export const EFFORTS = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'] as const;
export type Effort = (typeof EFFORTS)[number];

/**
 * The whole configuration. Flags, `BATON_*` variables and the optional JSON file all feed
 * this one schema, so every source is validated the same way. Unknown keys are refused:
 * a typo in a config file should fail loudly, not be ignored.
 */
export const ConfigSchema = z
  .object({
    root: z.string().min(1).optional(),
    stateDir: z.string().min(1).optional(),
    logLevel: z.enum(LOG_LEVELS).default('info'),
    http: z
      .object({
        enabled: z.boolean().default(false),
        port: z.number().int().min(0).max(65535).default(DEFAULT_HTTP_PORT),
        host: z.string().min(1).default('127.0.0.1'),
        /** Bearer token; required when `host` is not a loopback address. */
        token: z.string().min(16, 'must be at least 16 characters').optional(),
        /** Extra Host header values to accept (for example a DNS name of this machine). */
        allowedHosts: z.array(z.string().min(1)).default([]),
        /** Open sessions at most; a new one beyond it is refused (503) until one ends or expires. */
        maxSessions: z.number().int().min(1).max(10_000).default(100),
        /** A session with no request for this long is closed; its client must initialize again. */
        sessionIdleSec: z
          .number()
          .int()
          .min(1)
          .max(7 * 24 * 3600)
          .default(1800),
      })
      .strict()
      .prefault({}),
    runTests: z
      .object({
        /**
         * Commands `run-tests` may run when given an explicit `command`: each entry is an argv
         * prefix written as a string ("make test", "npm run test:e2e").
         */
        allowCommands: z.array(z.string().min(1)).default([]),
        /** The most output a run may write to its log; past it the run is stopped, as a run that never ends would fill the disk. */
        maxLogMB: z
          .number()
          .int()
          .min(1)
          .max(1 << 20)
          .default(256),
      })
      .strict()
      .prefault({}),
    delegate: z
      .object({
        /** Narrow tasks, and the rest of a run once 90 % of its token budget is spent. */
        smallModel: z.string().min(1).default('gpt-5.1-codex-mini'),
        /** Broad, long-horizon tasks. */
        largeModel: z.string().min(1).default('gpt-5.1-codex-max'),
        /** Every model Baton may use: its context window and the reasoning efforts it supports. */
        models: z
          .record(z.string().min(1), z.object({ contextWindow: z.number().int().min(1000), efforts: z.array(z.enum(EFFORTS)).min(1) }).strict())
          .default({
            'gpt-5.1-codex-max': { contextWindow: 400_000, efforts: ['low', 'medium', 'high', 'xhigh'] },
            'gpt-5.1-codex': { contextWindow: 400_000, efforts: ['low', 'medium', 'high'] },
            'gpt-5.1-codex-mini': { contextWindow: 400_000, efforts: ['medium', 'high'] },
          }),
        /** The Codex CLI binary; default `codex` from PATH. */
        codexBinary: z.string().min(1).optional(),
      })
      .strict()
      .prefault({}),
    /** Any Responses-compatible endpoint, for delegate-to-codex and the session's summaries. */
    openai: z
      .object({
        /** From OPENAI_API_KEY. */
        apiKey: z.string().min(1).optional(),
        /** From OPENAI_BASE_URL; the SDK's default endpoint otherwise. */
        baseUrl: z.url().optional(),
      })
      .strict()
      .prefault({}),
    session: z
      .object({
        /** The model that writes hand-off summaries when an OpenAI endpoint is configured. */
        summaryModel: z.string().min(1).default('gpt-5.1-codex-mini'),
      })
      .strict()
      .prefault({}),
    env: z
      .object({
        /** Secret-looking variables that child processes may nevertheless receive. */
        pass: z.array(z.string().min(1)).default([]),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type Config = z.infer<typeof ConfigSchema>;
type ConfigInput = z.input<typeof ConfigSchema>;

/** Flags as the CLI parsed them; each one overrides the file and the environment. */
/** Flags as parsed; a flag not given may be present as undefined. */
export interface ConfigFlags {
  root?: string | undefined;
  stateDir?: string | undefined;
  config?: string | undefined;
  logLevel?: string | undefined;
  http?: boolean | undefined;
  port?: string | undefined;
  host?: string | undefined;
}

type Env = Record<string, string | undefined>;

/** Reads and validates the configuration; a bad source becomes one UserError line naming the field. */
export function loadConfig(flags: ConfigFlags = {}, env: Env = process.env): Config {
  const file = flags.config ?? env.BATON_CONFIG;
  const layers: Array<[string, Record<string, unknown>]> = [];
  if (file) layers.push([file, readConfigFile(file)]);
  layers.push(['environment', fromEnv(env)]);
  layers.push(['flags', fromFlags(flags)]);

  const merged: Record<string, unknown> = {};
  for (const [, layer] of layers) deepMerge(merged, layer);

  const parsed = ConfigSchema.safeParse(merged as ConfigInput);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.length ? issue.path.join('.') : '(top level)';
    // The last layer that sets the field is the one whose value won.
    const source = [...layers].reverse().find(([, layer]) => hasPath(layer, issue.path))?.[0] ?? 'defaults';
    throw new UserError(`invalid configuration: ${field} (from ${source}): ${issue.message}`);
  }
  return parsed.data;
}

export function defaultStateDir(env: Env = process.env): string {
  if (env.XDG_STATE_HOME) return join(env.XDG_STATE_HOME, 'baton');
  return join(homedir(), '.local', 'state', 'baton');
}

/** The state dir the configuration names, else the XDG default. */
export function stateDirOf(config: Config, env: Env = process.env): string {
  return resolve(config.stateDir ?? defaultStateDir(env));
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UserError(`cannot read config file ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UserError(`config file ${path} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UserError(`config file ${path} must hold a JSON object`);
  }
  return value as Record<string, unknown>;
}

function fromEnv(env: Env): Record<string, unknown> {
  const http: Record<string, unknown> = {};
  if (env.BATON_HTTP_HOST) http.host = env.BATON_HTTP_HOST;
  if (env.BATON_HTTP_PORT) http.port = toNumber(env.BATON_HTTP_PORT);
  if (env.BATON_HTTP_TOKEN) http.token = env.BATON_HTTP_TOKEN;
  const out: Record<string, unknown> = { http };
  if (env.BATON_ROOT) out.root = env.BATON_ROOT;
  if (env.BATON_STATE_DIR) out.stateDir = env.BATON_STATE_DIR;
  if (env.BATON_LOG_LEVEL) out.logLevel = env.BATON_LOG_LEVEL;
  const openai: Record<string, unknown> = {};
  if (env.OPENAI_API_KEY?.trim()) openai.apiKey = env.OPENAI_API_KEY.trim();
  if (env.OPENAI_BASE_URL?.trim()) openai.baseUrl = env.OPENAI_BASE_URL.trim();
  out.openai = openai;
  if (env.BATON_SUMMARY_MODEL?.trim()) out.session = { summaryModel: env.BATON_SUMMARY_MODEL.trim() };
  if (env.BATON_PASS_ENV)
    out.env = {
      pass: env.BATON_PASS_ENV.split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    };
  return out;
}

function fromFlags(flags: ConfigFlags): Record<string, unknown> {
  const http: Record<string, unknown> = {};
  if (flags.http) http.enabled = true;
  if (flags.host !== undefined) http.host = flags.host;
  if (flags.port !== undefined) http.port = toNumber(flags.port);
  const out: Record<string, unknown> = { http };
  if (flags.root !== undefined) out.root = flags.root;
  if (flags.stateDir !== undefined) out.stateDir = flags.stateDir;
  if (flags.logLevel !== undefined) out.logLevel = flags.logLevel;
  return out;
}

/** A number when the text is one, else the text itself, so the schema reports the bad value. */
function toNumber(text: string): number | string {
  return /^\s*\d+\s*$/.test(text) ? Number(text) : text;
}

function deepMerge(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (isPlainObject(value) && isPlainObject(existing)) deepMerge(existing, value);
    else if (isPlainObject(value)) {
      const copy: Record<string, unknown> = {};
      deepMerge(copy, value);
      target[key] = copy;
    } else target[key] = value;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether a layer sets the value at `path`, through objects and array indexes alike. */
function hasPath(obj: Record<string, unknown>, path: readonly PropertyKey[]): boolean {
  let node: unknown = obj;
  for (const key of path) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, String(key))) return false;
    node = (node as Record<string, unknown>)[String(key)];
  }
  return true;
}
