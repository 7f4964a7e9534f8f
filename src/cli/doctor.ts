import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { stateDirOf, type Config } from '../config.js';
import { describeError } from '../core/errors.js';
import { runProcess } from '../core/process.js';
import { redactSecrets } from '../core/secrets.js';
import { ensureWritableDir } from '../core/state.js';
import { checkClientConfigs, renderClientSetups } from './clients.js';

/**
 * `baton-mcp doctor`: checks what Baton relies on and prints ready-to-paste client
 * configuration. It reports whether secrets are set, never their values.
 */
interface Check {
  name: string;
  ok: boolean;
  /** Missing but optional: reported, does not fail the doctor. */
  optional?: boolean;
  /** Works, but something in it needs attention (printed WARN); does not fail the doctor. */
  warn?: boolean;
  detail: string;
}

/** How long the endpoint gets to list its models: the doctor must answer promptly. */
const MODELS_TIMEOUT_MS = 5000;

export async function runDoctor(config: Config, cliPath = entryScript(), env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const checks = (await Promise.all([checkNode(), checkGit(), checkStateDir(config, env), checkCodex(), checkOpenAi(config), checkModels(config)])).filter(
    (check): check is Check => check !== undefined,
  );
  const clients = await checkClientConfigs(config.root ?? process.cwd());
  const out: string[] = ['Baton doctor', ''];
  for (const check of checks) out.push(`${check.warn ? 'WARN' : check.ok ? 'ok  ' : check.optional ? 'note' : 'FAIL'}  ${check.name}: ${check.detail}`);
  out.push('', 'Client configurations found:');
  out.push(...(clients.length ? clients.map((c) => `${c.ok ? 'ok  ' : 'note'}  ${c.file}: ${c.detail}`) : ['  none']));
  out.push('', "# Client set-up (configuration and the permissions that let Baton's tools run)", '', renderClientSetups(cliPath));
  process.stdout.write(out.join('\n') + '\n');
  return checks.every((check) => check.ok || check.optional) ? 0 : 1;
}

async function checkNode(): Promise<Check> {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const ok = major > 20 || (major === 20 && minor >= 19);
  return { name: 'node', ok, detail: ok ? `v${process.versions.node}` : `v${process.versions.node}; Baton needs Node >= 20.19` };
}

async function checkGit(): Promise<Check> {
  const version = await versionOf('git', ['--version']);
  return { name: 'git', ok: version !== undefined, detail: version ?? 'not found; install git (apt-get install git, brew install git)' };
}

async function checkStateDir(config: Config, env: NodeJS.ProcessEnv): Promise<Check> {
  const dir = stateDirOf(config, env);
  try {
    await ensureWritableDir(dir);
    return { name: 'state dir', ok: true, detail: `${dir} (writable)` };
  } catch (error) {
    return { name: 'state dir', ok: false, detail: describeError(error) };
  }
}

async function checkCodex(): Promise<Check> {
  const version = await versionOf('codex', ['--version']);
  return {
    name: 'codex CLI',
    ok: version !== undefined,
    optional: true,
    detail: version ?? 'not found; delegate-to-codex can still use the Responses API. To install: npm install -g @openai/codex',
  };
}

async function checkOpenAi(config: Config): Promise<Check> {
  const { apiKey, baseUrl } = config.openai;
  const key = apiKey ? 'an API key is set (OPENAI_API_KEY or openai.apiKey)' : 'no API key is set (OPENAI_API_KEY)';
  let base = 'no base URL is set (OPENAI_BASE_URL): the default endpoint';
  if (baseUrl) {
    const url = new URL(baseUrl); // validated by the config schema
    url.username = url.password = ''; // credentials in a URL are secrets too
    base = `base URL ${url.toString()}`;
  }
  return { name: 'OpenAI settings', ok: Boolean(apiKey || baseUrl), optional: true, detail: `${key}; ${base}` };
}

/**
 * Asks the configured endpoint for its models (`GET /models`, one attempt, a short timeout) and
 * flags the configured model names it does not serve, with the configuration key of each and
 * the names it does serve. Skipped when no endpoint is configured; never prints the key.
 */
async function checkModels(config: Config): Promise<Check | undefined> {
  const { apiKey, baseUrl } = config.openai;
  if (!apiKey && !baseUrl) return undefined;
  const endpoint = baseUrl ? printableUrl(baseUrl) : 'https://api.openai.com/v1';
  const served: string[] = [];
  try {
    const { default: OpenAI } = await import('openai');
    // A local compatible endpoint often needs no key, but the SDK refuses to start without one.
    const client = new OpenAI({
      apiKey: apiKey ?? 'unused',
      ...(baseUrl ? { baseURL: baseUrl } : {}),
      timeout: MODELS_TIMEOUT_MS,
      maxRetries: 0,
      logLevel: 'off',
    });
    for await (const model of client.models.list({ timeout: MODELS_TIMEOUT_MS })) served.push(model.id);
  } catch (error) {
    const status = (error as { status?: number }).status;
    const message = error instanceof Error ? error.message : String(error);
    // The SDK starts its messages with the status already.
    const why = status ? `HTTP ${status}: ${message.replace(new RegExp(`^${status}\\s+`), '')}` : message;
    return { name: 'models', ok: false, optional: true, detail: `${endpoint} did not list its models (${withoutKey(why, apiKey)})` };
  }
  const configured = new Map<string, string[]>();
  const add = (model: string, key: string) => configured.set(model, [...(configured.get(model) ?? []), key]);
  add(config.delegate.smallModel, 'delegate.smallModel');
  add(config.delegate.largeModel, 'delegate.largeModel');
  add(config.session.summaryModel, 'session.summaryModel');
  for (const model of Object.keys(config.delegate.models)) if (!configured.has(model)) add(model, 'delegate.models');
  const missing = [...configured].filter(([model]) => !served.includes(model));
  if (!missing.length) return { name: 'models', ok: true, detail: `${endpoint} serves every configured model (${[...configured.keys()].join(', ')})` };
  const shown = served.length > 20 ? `${served.slice(0, 20).join(', ')}, … (${served.length} in all)` : served.join(', ') || 'none';
  return {
    name: 'models',
    ok: true,
    warn: true,
    detail: `${endpoint} does not serve ${missing.map(([model, keys]) => `${model} (${keys.join(', ')})`).join(', ')}; it serves: ${shown}`,
  };
}

function printableUrl(baseUrl: string): string {
  const url = new URL(baseUrl); // validated by the config schema
  url.username = url.password = ''; // credentials in a URL are secrets too
  return url.toString().replace(/\/+$/, '');
}

/** An error message can echo the key back ("Incorrect API key provided: sk-…"). */
function withoutKey(text: string, apiKey: string | undefined): string {
  const line = redactSecrets(text.split('\n', 1)[0] ?? '');
  return apiKey ? line.replaceAll(apiKey, '…[redacted]') : line;
}

/** The script being run (dist/cli.js), also when started through npx or a bin symlink. */
function entryScript(): string {
  const script = process.argv[1] ?? 'baton-mcp';
  try {
    return realpathSync(resolve(script));
  } catch {
    return script;
  }
}

async function versionOf(command: string, args: string[]): Promise<string | undefined> {
  try {
    const result = await runProcess(command, args, { cwd: process.cwd(), timeoutMs: 10_000 });
    return result.exitCode === 0 ? result.stdout.trim().split('\n')[0] : undefined;
  } catch {
    return undefined;
  }
}
