import { execFileSync } from 'node:child_process';
import { constants, closeSync, openSync } from 'node:fs';
import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkspaceState } from '../../src/core/state.js';
import { Workspace } from '../../src/core/workspace.js';
import { renderScan } from '../../src/tools/repo-scan/render.js';
import { repoScan } from '../../src/tools/repo-scan/scan.js';
import { RepoScanInput } from '../../src/tools/repo-scan/schema.js';
import { gitRepo, tempDir, writeFiles } from '../helpers/repo.js';

/**
 * Every path any repo-scan mode reads is contained: a symlink that leads outside the root is
 * reported and never read, a FIFO or device is never opened for reading, and a file or line
 * of any size is read within bounded memory.
 */

const SECRET = 'OUTSIDE-SECRET-7f3a';
type Services = { workspace: Workspace; state: WorkspaceState };

/** Fails instead of hanging when a call blocks (a FIFO, /dev/zero). */
function within<T>(promise: Promise<T>, ms = 10_000): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Opens a FIFO for writing without blocking, which releases any reader stuck opening it. */
function releaseFifo(path: string): void {
  try {
    closeSync(openSync(path, constants.O_WRONLY | constants.O_NONBLOCK));
  } catch {
    // no reader waiting (ENXIO) or already gone
  }
}

describe('repo-scan containment', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let outside: string;
  let services: Services;
  let plainServices: Services;
  const fifos: string[] = [];
  const scan = (input: Partial<RepoScanInput> & { mode: RepoScanInput['mode'] }, on: Services) => repoScan(RepoScanInput.parse(input), on);
  const open = async (root: string): Promise<Services> => {
    const workspace = await Workspace.open(root);
    return { workspace, state: await WorkspaceState.open(join(dir.path, 'state'), workspace.root) };
  };

  beforeAll(async () => {
    dir = await tempDir();
    outside = join(dir.path, 'outside');
    await writeFiles(outside, {
      hostname: `${SECRET}\n`,
      'secret.ts': `export function secretFunction(): string {\n  return '${SECRET}';\n}\n`,
      'package.json': JSON.stringify({ name: 'leaked-package-name' }),
    });

    // A git repository whose README.md, package.json and one source file are committed symlinks
    // to files outside it, next to a symlink that stays inside (the positive control).
    const repo = join(dir.path, 'repo');
    await gitRepo(repo, { 'src/real.ts': 'export function realFunction(): number {\n  return 1;\n}\n', 'docs/intro.md': '# Inside intro\n' });
    await symlink(join(outside, 'hostname'), join(repo, 'README.md'));
    await symlink(join(outside, 'package.json'), join(repo, 'package.json'));
    await symlink(join(outside, 'secret.ts'), join(repo, 'src', 'leak.ts'));
    await symlink('real.ts', join(repo, 'src', 'inner.ts'));
    execFileSync('git', ['add', '-A'], { cwd: repo });
    execFileSync('git', ['commit', '-q', '-m', 'symlinks'], { cwd: repo });
    services = await open(repo);

    // A plain folder (no git) with the same kind of links, plus files that contain the needle.
    const plain = join(dir.path, 'plain');
    await writeFiles(plain, { 'real.txt': `${SECRET} inside\n`, 'README.md': '# Plain readme\n' });
    await symlink(join(outside, 'hostname'), join(plain, 'leak.txt'));
    await symlink('real.txt', join(plain, 'inner.txt'));
    plainServices = await open(plain);
  });
  afterAll(async () => {
    for (const fifo of fifos) releaseFifo(fifo);
    await dir.cleanup();
  });

  it('overview reports a README and a manifest that are symlinks out of the root, and reads neither', async () => {
    const result = await scan({ mode: 'overview' }, services);
    expect(JSON.stringify(result)).not.toContain(SECRET);
    expect(JSON.stringify(result)).not.toContain('leaked-package-name');
    expect(result.readme).toBeUndefined();
    expect(result.skipped).toEqual(expect.arrayContaining([{ path: 'README.md', reason: 'symlink leads outside the root, not read' }]));
    expect(renderScan(result)).toMatch(/README\.md: symlink leads outside the root, not read/);
  });

  it('overview follows a README symlink that stays inside the root', async () => {
    const repo = join(dir.path, 'inside-readme');
    await gitRepo(repo, { 'docs/intro.md': '# Inside intro\n' });
    await symlink('docs/intro.md', join(repo, 'README.md'));
    const result = await scan({ mode: 'overview' }, await open(repo));
    expect(result.readme).toBe('# Inside intro\n');
    expect(result.skipped).toBeUndefined();
  });

  it('symbols and map never list what an escaping source symlink points at, but follow one inside', async () => {
    const symbols = await scan({ mode: 'symbols', path: 'src', maxTokens: 20000 }, services);
    expect(JSON.stringify(symbols)).not.toContain('secretFunction');
    expect(symbols.files!.map((f) => f.path)).toEqual(['src/inner.ts', 'src/real.ts']);
    expect(symbols.files![0]!.symbols!.map((s) => s.name)).toEqual(['realFunction']);
    expect(symbols.skipped).toEqual([{ path: 'src/leak.ts', reason: 'symlink leads outside the root, not read' }]);
    expect(renderScan(symbols)).toMatch(/src\/leak\.ts: symlink leads outside the root, not read/);

    const map = await scan({ mode: 'map', maxTokens: 20000 }, services);
    expect(JSON.stringify(map)).not.toContain('secretFunction');
    expect(map.map).toMatch(/realFunction/);
    expect(map.skipped).toEqual([{ path: 'src/leak.ts', reason: 'symlink leads outside the root, not read' }]);
  });

  it('search outside git skips an escaping symlink and follows one inside', async () => {
    const result = await scan({ mode: 'search', query: SECRET }, plainServices);
    expect(result.matches!.map((m) => m.path)).toEqual(['inner.txt', 'real.txt']);
    expect(result.skipped).toEqual([{ path: 'leak.txt', reason: 'symlink leads outside the root, not read' }]);
  });

  it('read refuses an escaping symlink and reads one that stays inside', async () => {
    await expect(scan({ mode: 'read', path: 'README.md' }, services)).rejects.toThrow(/outside the workspace root/);
    const inner = await scan({ mode: 'read', path: 'src/inner.ts' }, services);
    expect(inner.text).toMatch(/realFunction/);
  });

  it('a FIFO named README.md answers promptly, unread', async () => {
    const folder = join(dir.path, 'fifo');
    await writeFiles(folder, { 'a.ts': 'export const a = 1;\n' });
    const fifo = join(folder, 'README.md');
    execFileSync('mkfifo', [fifo]);
    fifos.push(fifo);
    const special = await open(folder);
    try {
      const overview = await within(scan({ mode: 'overview' }, special));
      expect(overview.readme).toBeUndefined();
      expect(overview.skipped).toEqual([{ path: 'README.md', reason: 'not a regular file (FIFO), not read' }]);
      const search = await within(scan({ mode: 'search', query: 'a' }, special));
      expect(search.matches!.map((m) => m.path)).toEqual(['a.ts']);
      expect(search.skipped).toEqual([{ path: 'README.md', reason: 'not a regular file (FIFO), not read' }]);
      // read of a FIFO is in test/e2e/repo-scan-hardening.test.ts: a blocking read there cannot hang this process.
    } finally {
      releaseFifo(fifo); // frees the thread-pool threads a blocked open holds, so later tests can run
    }
  });

  it('a symlink to /dev/zero is never read', async () => {
    const folder = join(dir.path, 'zero');
    await writeFiles(folder, { 'a.ts': 'export const a = 1;\n' });
    await symlink('/dev/zero', join(folder, 'README.md'));
    await symlink('/dev/zero', join(folder, 'zero.ts'));
    const special = await open(folder);
    const overview = await within(scan({ mode: 'overview' }, special));
    expect(overview.readme).toBeUndefined();
    expect(overview.skipped).toEqual([
      { path: 'README.md', reason: 'symlink leads outside the root, not read' },
      { path: 'zero.ts', reason: 'symlink leads outside the root, not read' },
    ]);
    const search = await within(scan({ mode: 'search', query: 'a' }, special));
    expect(search.matches!.map((m) => m.path)).toEqual(['a.ts']);
    const symbols = await within(scan({ mode: 'symbols' }, special));
    expect(symbols.files!.map((f) => f.path)).toEqual(['a.ts']);
    expect(symbols.skipped).toEqual([{ path: 'zero.ts', reason: 'symlink leads outside the root, not read' }]);
  });
});
