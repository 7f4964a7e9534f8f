import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claudeCodeSettings, claudeHookCommands, claudeToolNames, codexConfig } from '../../src/cli/clients.js';
import { runCodexCli } from '../../src/tools/delegate-to-codex/codex-cli.js';
import { runCli } from '../helpers/cli.js';
import { gitRepo, tempDir } from '../helpers/repo.js';
import { startResponsesServer, type RecordedRequest } from '../helpers/responses-server.js';
import { CLI } from '../helpers/server.js';

/** Runs a hook command the way Claude Code does: through the shell, its JSON on stdin, in the project. */
function runHook(command: string, project: string, home: string, input: object): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', command], { cwd: project, env: { PATH: process.env.PATH ?? '', HOME: home, CLAUDE_PROJECT_DIR: project } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(JSON.stringify(input));
  });
}

describe('client set-up', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let project: string;
  let home: string;
  beforeAll(async () => {
    dir = await tempDir();
    project = join(dir.path, 'my project'); // a space, as real paths have
    home = join(dir.path, 'home');
    await gitRepo(project, { 'a.txt': 'a\n' });
    await mkdir(home);
  });
  afterAll(() => dir.cleanup());

  it('Claude Code hooks, run as Claude Code runs them, print the brief and compact the log', async () => {
    const checkpoint = await runCli(['session', 'checkpoint', '--root', project, '--goal', 'Port the parser to Rust', '--next', 'write the lexer'], {
      HOME: home,
    });
    expect(checkpoint.code).toBe(0);
    const hooks = claudeHookCommands(CLI);
    const base = { session_id: 'abc', transcript_path: join(home, 't.jsonl'), cwd: project };

    const start = await runHook(hooks.sessionStart, project, home, { ...base, hook_event_name: 'SessionStart', source: 'compact' });
    expect(start.stderr).toBe('');
    expect(start.code).toBe(0);
    expect(start.stdout).toMatch(/Port the parser to Rust/);
    expect(start.stdout).toMatch(/write the lexer/);

    const compact = await runHook(hooks.preCompact, project, home, { ...base, hook_event_name: 'PreCompact', trigger: 'auto', custom_instructions: '' });
    expect(compact.stderr).toBe('');
    expect(compact.code).toBe(0);
    const settings = claudeCodeSettings(CLI) as { hooks: Record<string, Array<{ matcher: string; hooks: Array<{ command: string }> }>> };
    expect(settings.hooks.SessionStart![0]!.matcher.split('|')).toEqual(expect.arrayContaining(['startup', 'resume', 'compact']));
    expect(settings.hooks.SessionStart![0]!.hooks[0]!.command).toBe(hooks.sessionStart);
  });

  it('doctor says which Claude Code permissions are missing, and when they are all there', async () => {
    await writeFile(join(project, '.mcp.json'), JSON.stringify({ mcpServers: { baton: { command: 'node', args: [CLI] } } }));
    await mkdir(join(project, '.claude'), { recursive: true });
    await writeFile(join(project, '.claude', 'settings.json'), JSON.stringify({ permissions: { allow: ['mcp__baton__repo-scan'] } }));
    const missing = await runCli(['doctor', '--root', project], { HOME: home });
    expect(missing.stdout).toMatch(
      /Claude Code will refuse mcp__baton__apply-patch, mcp__baton__run-tests, mcp__baton__delegate-to-codex, mcp__baton__session/,
    );
    await writeFile(join(project, '.claude', 'settings.json'), JSON.stringify(claudeCodeSettings(CLI)));
    const allowed = await runCli(['doctor', '--root', project], { HOME: home });
    expect(allowed.stdout).toMatch(/every Baton tool is allowed/);
    expect(allowed.stdout).toMatch(/server "baton" is configured/);
    expect(claudeToolNames()).toHaveLength(5);
  });

  describe('the real Codex CLI with approval_policy = "never"', () => {
    /** Codex offers Baton's tools in the namespace `mcp__baton`; the script calls its session tool. */
    async function checkpointThroughCodex(approve: boolean): Promise<string> {
      const state = await mkdtemp(join(dir.path, 'state-'));
      const script = (request: RecordedRequest, index: number) => {
        if (index > 0) return { text: 'done' };
        const namespace = request.tools?.find((tool) => tool.type === 'namespace' && tool.name === 'mcp__baton') as
          | { tools?: Array<{ name: string }> }
          | undefined;
        const session = namespace?.tools?.find((tool) => tool.name.startsWith('session'));
        if (!session) return { text: `no Baton session tool offered: ${JSON.stringify(request.tools?.map((t) => t.name))}` };
        return { functionCalls: [{ namespace: 'mcp__baton', name: session.name, arguments: { action: 'checkpoint', goal: 'set by Codex' } }] };
      };
      const server = await startResponsesServer(script);
      try {
        const codexHome = await mkdtemp(join(dir.path, 'codex-home-'));
        // The server entry exactly as doctor prints it, with this test's root and state dir.
        const entry = codexConfig(CLI).replace(
          /^args = \[(.*)\]$/m,
          `args = [$1, "--root", ${JSON.stringify(project)}, "--state-dir", ${JSON.stringify(state)}]`,
        );
        await writeFile(join(codexHome, 'config.toml'), approve ? entry : entry.replace(/^default_tools_approval_mode.*$/m, ''));
        const result = await runCodexCli({
          binary: fileURLToPath(new URL('../../node_modules/.bin/codex', import.meta.url)),
          cwd: project,
          task: 'Record a checkpoint.',
          model: 'gpt-5.1-codex-mini',
          sandbox: 'read-only',
          extraConfig: [
            'approval_policy="never"',
            'model_provider="baton_test"',
            'model_providers.baton_test.name="baton test"',
            `model_providers.baton_test.base_url="${server.url}"`,
            'model_providers.baton_test.wire_api="responses"',
            'analytics.enabled=false',
            'features.plugins=false',
            'check_for_update_on_startup=false',
            'web_search="disabled"',
          ],
          env: { CODEX_HOME: codexHome },
          timeoutMs: 60_000,
          signal: new AbortController().signal,
          onProgress: () => {},
        });
        expect(result.status, result.error).toBe('completed');
        const logs = (await readdir(state, { recursive: true })).filter((file) => String(file).endsWith('.jsonl'));
        const texts = await Promise.all(logs.map((file) => readFile(join(state, String(file)), 'utf8')));
        return texts.join('\n');
      } finally {
        await server.close();
      }
    }

    it('runs Baton tools that change things with the configuration doctor prints', async () => {
      expect(await checkpointThroughCodex(true)).toContain('set by Codex');
    });
  });
});
