import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { gitRepo, tempDir } from '../helpers/repo.js';

/** The table-driven CLI (src/cli/commands.ts), run as a person would: the built bin. */
describe('command line commands', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let repo: string;
  let state: string;
  beforeEach(async () => {
    dir = await tempDir();
    repo = join(dir.path, 'repo');
    state = join(dir.path, 'state');
    await gitRepo(repo, { 'src/a.ts': 'export const a = 1;\n', 'README.md': '# demo\n' });
  });
  afterEach(() => dir.cleanup());
  const cli = (args: string[], input?: string) => runCli(args, { HOME: dir.path }, input);

  it('takes the common options before or after the command word', async () => {
    const before = await cli(['--root', repo, '--state-dir', state, 'scan', 'tree', '--json']);
    const after = await cli(['scan', 'tree', '--json', '--root', repo, '--state-dir', state]);
    const mixed = await cli(['--root', repo, 'scan', '--state-dir', state, 'tree', '--json']);
    for (const result of [before, after, mixed]) {
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout).entries.map((e: { path: string }) => e.path)).toEqual(['README.md', 'src/a.ts']);
    }
  });

  it('generates each command help from its table entry', async () => {
    const help = await cli(['scan', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: baton-mcp scan \[mode\] \[options\]/);
    expect(help.stdout).toMatch(/--max-tokens N\s+output budget/);
    expect(help.stdout).toMatch(/--focus F\s+map: a file to rank around \(repeatable\)/);
    expect(help.stdout).toMatch(/Common options:\n(.*\n)*\s+--root DIR/);
    for (const command of ['serve', 'doctor', 'apply', 'test', 'delegate', 'session']) {
      expect((await cli([command, '--help'])).stdout).toMatch(new RegExp(`^Usage: baton-mcp ${command}`));
    }
  });

  it.each([
    [['scan', 'search', '--context', 'lots'], /--context needs a whole number, got "lots"/],
    [['scan', 'sideways'], /^baton-mcp: mode: Invalid option/],
    [['test', '--timeout', '0'], /^baton-mcp: --timeout: Too small/],
    [['scan', 'tree', 'extra'], /unexpected argument "extra"/],
    [['session', 'checkpoint', '--frobnicate'], /Unknown option '--frobnicate'/],
  ])('refuses %j as a usage error naming the flag (exit 2)', async (args, message) => {
    const result = await cli([...args, '--root', repo, '--state-dir', state]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });

  it('session: checkpoint, resume and list from the command line', async () => {
    const common = ['--root', repo, '--state-dir', state];
    const checkpoint = await cli([
      'session',
      'checkpoint',
      '--goal',
      'Ship the parser',
      '--plan',
      'write the lexer=done',
      '--plan',
      'write the parser',
      '--decision',
      'hand-written, no generator',
      ...common,
    ]);
    expect(checkpoint.stderr).toBe('');
    expect(checkpoint.code).toBe(0);
    const brief = await cli(['session', ...common, '--max-tokens', '1500']);
    expect(brief.code).toBe(0);
    expect(brief.stdout).toMatch(/Ship the parser/);
    expect(brief.stdout).toMatch(/write the lexer/);
    expect(brief.stdout).toMatch(/hand-written, no generator/);
    const list = JSON.parse((await cli(['session', 'list', '--json', ...common])).stdout);
    expect(list.sessions).toEqual([expect.objectContaining({ goal: 'Ship the parser' })]);
  });

  it('apply: a patch from stdin applies (exit 0); one that does not fit is refused (exit 1)', async () => {
    const common = ['--root', repo, '--state-dir', state];
    const patch = '*** Begin Patch\n*** Update File: src/a.ts\n@@\n-export const a = 1;\n+export const a = 2;\n*** End Patch\n';
    const applied = await cli(['apply', ...common], patch);
    expect(applied.code).toBe(0);
    expect(await readFile(join(repo, 'src/a.ts'), 'utf8')).toBe('export const a = 2;\n');
    const refused = await cli(['apply', ...common], patch);
    expect(refused.code).toBe(1);
    expect(await readFile(join(repo, 'src/a.ts'), 'utf8')).toBe('export const a = 2;\n');
  });

  it('apply: SEARCH/REPLACE blocks from stdin apply, with --format search-replace and by detection', async () => {
    const common = ['--root', repo, '--state-dir', state];
    const blocks = (from: string, to: string) => `src/a.ts\n<<<<<<< SEARCH\n${from}\n=======\n${to}\n>>>>>>> REPLACE\n`;
    const before = await readFile(join(repo, 'src/a.ts'), 'utf8');
    const line = before.trimEnd();
    const forced = await cli(['apply', ...common, '--format', 'search-replace'], blocks(line, 'export const a = 3;'));
    expect(forced.code).toBe(0);
    expect(await readFile(join(repo, 'src/a.ts'), 'utf8')).toBe('export const a = 3;\n');
    const detected = await cli(['apply', ...common], blocks('export const a = 3;', line));
    expect(detected.code).toBe(0);
    expect(await readFile(join(repo, 'src/a.ts'), 'utf8')).toBe(before);
  });
});
