import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { TOOLS } from '../tools/index.js';

/**
 * Ready-to-copy configuration for the clients people use, with what each needs besides the
 * server entry for Baton's tools to run at all: Claude Code runs an MCP tool only when an allow
 * rule names it, and the Codex CLI with `approval_policy = "never"` runs only read-only tools
 * unless the server's tools are approved in its configuration.
 */

export interface ClientSetup {
  client: string;
  files: Array<{ path: string; content: string }>;
  note?: string;
}

const SERVER = 'baton';

/** The names Claude Code gives Baton's tools: `mcp__<server>__<tool>`. */
export function claudeToolNames(): string[] {
  return TOOLS.map((tool) => `mcp__${SERVER}__${tool.name}`);
}

/** The shell commands of the Claude Code hooks: the brief into every new or compacted context. */
export function claudeHookCommands(cliPath: string): { sessionStart: string; preCompact: string } {
  const cli = `node ${shellQuote(cliPath)}`;
  return {
    sessionStart: `${cli} session resume --max-tokens 2000 --root "$CLAUDE_PROJECT_DIR"`,
    preCompact: `${cli} session compact --max-tokens 2000 --root "$CLAUDE_PROJECT_DIR"`,
  };
}

export function claudeCodeSettings(cliPath: string): Record<string, unknown> {
  const hooks = claudeHookCommands(cliPath);
  const hook = (command: string) => [{ type: 'command', command, timeout: 30 }];
  return {
    permissions: { allow: claudeToolNames() },
    hooks: {
      SessionStart: [{ matcher: 'startup|resume|clear|compact', hooks: hook(hooks.sessionStart) }],
      PreCompact: [{ matcher: '', hooks: hook(hooks.preCompact) }],
    },
  };
}

export function codexConfig(cliPath: string): string {
  return [
    `[mcp_servers.${SERVER}]`,
    'command = "node"',
    `args = [${JSON.stringify(cliPath)}]`,
    'tool_timeout_sec = 120               # long calls answer "running" with a jobId well before this',
    'default_tools_approval_mode = "approve"  # lets apply-patch, run-tests, session and delegate-to-codex run without a prompt',
  ].join('\n');
}

export function clientSetups(cliPath: string): ClientSetup[] {
  const json = (value: unknown): string => JSON.stringify(value, null, 2);
  const server = { command: 'node', args: [cliPath] };
  return [
    {
      client: 'Claude Code',
      files: [
        { path: '.mcp.json', content: json({ mcpServers: { [SERVER]: server } }) },
        { path: '.claude/settings.json', content: json(claudeCodeSettings(cliPath)) },
      ],
      note: `Claude Code runs an MCP tool only when an allow rule names it (readOnlyHint is not enough); "mcp__${SERVER}" allows all of them. The hooks print the brief into every new or compacted context and compact Baton's log before Claude Code compacts its own. With --state-dir in the server's args, add the same flag to the hook commands.`,
    },
    {
      client: 'Codex CLI',
      files: [{ path: '~/.codex/config.toml', content: codexConfig(cliPath) }],
      note: 'With approval_policy = "never" Codex runs only tools marked read-only (repo-scan) unless the server\'s tools are approved as above; per tool: [mcp_servers.baton.tools.run-tests] approval_mode = "approve".',
    },
    {
      client: 'Claude Desktop',
      files: [{ path: 'claude_desktop_config.json', content: json({ mcpServers: { [SERVER]: server } }) }],
      note: 'Claude Desktop asks before each tool call; "Allow always" in that dialog keeps the answer.',
    },
    {
      client: 'Cursor',
      files: [{ path: '.cursor/mcp.json', content: json({ mcpServers: { [SERVER]: server } }) }],
      note: 'Cursor asks before running MCP tools unless auto-run is enabled for them in its settings (Chat > Auto-run).',
    },
    {
      client: 'VS Code',
      files: [{ path: '.vscode/mcp.json', content: json({ servers: { [SERVER]: { type: 'stdio', ...server } } }) }],
      note: 'VS Code asks before each tool call; "Always allow" in that dialog (or chat.tools.autoApprove) keeps the answer.',
    },
  ];
}

export function renderClientSetups(cliPath: string): string {
  return clientSetups(cliPath)
    .map((setup) => [`## ${setup.client}`, ...setup.files.map((file) => `${file.path}:\n${file.content}`), ...(setup.note ? [setup.note] : [])].join('\n\n'))
    .join('\n\n');
}

export interface ClientCheck {
  file: string;
  ok: boolean;
  detail: string;
}

/**
 * Looks at the client configurations it finds for this project and this user, and says for
 * each whether Baton is configured there and whether its tools are allowed to run.
 */
export async function checkClientConfigs(root: string, home = homedir()): Promise<ClientCheck[]> {
  const checks: Array<ClientCheck | undefined> = await Promise.all([
    checkMcpJson(join(root, '.mcp.json'), 'mcpServers'),
    checkClaudeSettings(root),
    checkMcpJson(join(root, '.cursor', 'mcp.json'), 'mcpServers'),
    checkMcpJson(join(home, '.cursor', 'mcp.json'), 'mcpServers'),
    checkMcpJson(join(root, '.vscode', 'mcp.json'), 'servers'),
    checkCodex(join(home, '.codex', 'config.toml')),
    checkCodex(join(root, '.codex', 'config.toml')),
  ]);
  return checks.filter((check): check is ClientCheck => check !== undefined);
}

async function readText(path: string): Promise<string | undefined> {
  return readFile(path, 'utf8').catch(() => undefined);
}

async function checkMcpJson(path: string, key: 'mcpServers' | 'servers'): Promise<ClientCheck | undefined> {
  const text = await readText(path);
  if (text === undefined) return undefined;
  try {
    const servers = (JSON.parse(text) as Record<string, Record<string, unknown> | undefined>)[key] ?? {};
    const named = Object.keys(servers).find((name) => JSON.stringify(servers[name]).includes('cli.js') || name === SERVER);
    return named ? { file: path, ok: true, detail: `server "${named}" is configured` } : { file: path, ok: false, detail: `no Baton server under "${key}"` };
  } catch (error) {
    return { file: path, ok: false, detail: `not valid JSON: ${(error as Error).message}` };
  }
}

async function checkClaudeSettings(root: string): Promise<ClientCheck | undefined> {
  const files = [join(root, '.claude', 'settings.json'), join(root, '.claude', 'settings.local.json')];
  const allowed = new Set<string>();
  let found: string | undefined;
  for (const file of files) {
    const text = await readText(file);
    if (text === undefined) continue;
    found ??= file;
    try {
      const rules = ((JSON.parse(text) as { permissions?: { allow?: unknown } }).permissions?.allow ?? []) as unknown[];
      for (const rule of rules) if (typeof rule === 'string') allowed.add(rule);
    } catch (error) {
      return { file, ok: false, detail: `not valid JSON: ${(error as Error).message}` };
    }
  }
  if (!found && !(await readText(join(root, '.mcp.json')))) return undefined;
  const missing = allowed.has(`mcp__${SERVER}`) ? [] : claudeToolNames().filter((name) => !allowed.has(name));
  return {
    file: found ?? join(root, '.claude', 'settings.json'),
    ok: missing.length === 0,
    detail: missing.length
      ? `Claude Code will refuse ${missing.join(', ')}: add them to permissions.allow`
      : "every Baton tool is allowed in Claude Code's permissions",
  };
}

async function checkCodex(path: string): Promise<ClientCheck | undefined> {
  const text = await readText(path);
  if (text === undefined) return undefined;
  const section = new RegExp(`^\\[mcp_servers\\.${SERVER}\\]\\s*$([\\s\\S]*?)(?=^\\[(?!mcp_servers\\.${SERVER}\\.)|(?![\\s\\S]))`, 'm').exec(text);
  if (!section) return { file: path, ok: false, detail: `no [mcp_servers.${SERVER}] section` };
  const body = section[1] ?? '';
  const approved = /^\s*default_tools_approval_mode\s*=\s*"approve"/m.test(body);
  const never = /^\s*approval_policy\s*=\s*"never"/m.test(text);
  if (never && !approved) {
    return {
      file: path,
      ok: false,
      detail: `with approval_policy = "never", Codex may refuse Baton's tools that change things: add default_tools_approval_mode = "approve" to [mcp_servers.${SERVER}]`,
    };
  }
  return {
    file: path,
    ok: true,
    detail: approved ? 'Baton is configured and its tools are approved' : 'Baton is configured; Codex will ask before its tools that change things',
  };
}

function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
