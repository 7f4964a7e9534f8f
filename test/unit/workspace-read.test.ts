import { execFileSync } from 'node:child_process';
import { symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isUserError } from '../../src/core/errors.js';
import { isPathError } from '../../src/core/reading.js';
import { Workspace } from '../../src/core/workspace.js';
import { tempDir, writeFiles } from '../helpers/repo.js';

/** The workspace's one way to read: contained (symlinks resolved), regular files only, bounded. */
describe('workspace reads', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let outside: Awaited<ReturnType<typeof tempDir>>;
  let ws: Workspace;
  beforeEach(async () => {
    dir = await tempDir();
    outside = await tempDir();
    await writeFiles(dir.path, { 'src/a.ts': 'export const a = 1;\n', 'big.txt': 'x'.repeat(10_000) });
    await writeFile(join(outside.path, 'secret'), 'secret\n');
    ws = await Workspace.open(dir.path);
  });
  afterEach(async () => {
    await dir.cleanup();
    await outside.cleanup();
  });

  const problemOf = (read: () => unknown): string | undefined => {
    try {
      read();
      return undefined;
    } catch (error) {
      expect(isUserError(error)).toBe(true);
      return isPathError(error) ? error.problem : 'not a PathError';
    }
  };

  it('reads a file, also through a symlink that stays inside the root', async () => {
    await symlink('src/a.ts', join(dir.path, 'inner.ts'));
    expect(ws.readFileSync('src/a.ts').toString()).toBe('export const a = 1;\n');
    expect((await ws.readFile('inner.ts')).toString()).toBe('export const a = 1;\n');
    const file = ws.openFile('inner.ts');
    expect(file.path).toBe('inner.ts');
    expect(file.size).toBe(20);
    file.close();
  });

  it('refuses a symlink out of the root, and says so for listings', async () => {
    await symlink(join(outside.path, 'secret'), join(dir.path, 'leak'));
    expect(problemOf(() => ws.openFile('leak'))).toBe('escapes');
    await expect(ws.readFile('leak')).rejects.toMatchObject({ note: 'symlink leads outside the root, not read' });
  });

  it('refuses a FIFO and a device without opening them for reading', async () => {
    execFileSync('mkfifo', [join(dir.path, 'pipe')]);
    expect(problemOf(() => ws.openFile('pipe'))).toBe('special');
    expect(() => ws.readFileSync('pipe')).toThrow(/not a regular file \(FIFO\)/);
    await symlink('/dev/null', join(dir.path, 'null'));
    expect(problemOf(() => ws.openFile('null'))).toBe('escapes');
  });

  it('bounds reads by size: refused whole, or only the head', async () => {
    expect(problemOf(() => ws.readFileSync('big.txt', { maxBytes: 100 }))).toBe('too-large');
    expect(ws.readFileSync('big.txt', { maxBytes: 100, head: true }).length).toBe(100);
    expect((await ws.readFile('big.txt', { maxBytes: 100, head: true })).length).toBe(100);
  });

  it('turns OS errors on a user path into user errors', async () => {
    await symlink('loop', join(dir.path, 'loop'));
    expect(problemOf(() => ws.openFile('a'.repeat(5000)))).toBe('too-long');
    expect(problemOf(() => ws.openFile('loop'))).toBe('loop');
    expect(problemOf(() => ws.openFile('src/a.ts/x'))).toBe('not-folder');
    expect(problemOf(() => ws.openFile('src'))).toBe('folder');
    expect(problemOf(() => ws.openFile('missing'))).toBe('missing');
    await expect(ws.resolve('a'.repeat(5000))).rejects.toThrow(/too long/);
    const message = (await ws.resolve('loop').catch((e: Error) => e)) as Error;
    expect(message.message).toMatch(/symlink loop/);
    expect(message.message.length).toBeLessThan(200);
  });
});
