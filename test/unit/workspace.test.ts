import { mkdir, readdir, readFile, rename, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RootWriter, Workspace, withPathLocks, writeFileAtomic } from '../../src/core/workspace.js';
import { tempDir } from '../helpers/repo.js';

describe('workspace', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let outside: Awaited<ReturnType<typeof tempDir>>;
  let ws: Workspace;
  beforeEach(async () => {
    dir = await tempDir();
    outside = await tempDir();
    await mkdir(join(dir.path, 'src'));
    await mkdir(join(dir.path, '.git'));
    await writeFile(join(dir.path, 'src', 'a.ts'), 'a');
    ws = await Workspace.open(dir.path);
  });
  afterEach(async () => {
    await dir.cleanup();
    await outside.cleanup();
  });

  it('refuses a root that does not exist or is a file', async () => {
    await expect(Workspace.open(join(dir.path, 'nope'))).rejects.toThrow(/does not exist/);
    await expect(Workspace.open(join(dir.path, 'src', 'a.ts'))).rejects.toThrow(/not a folder/);
  });

  it('resolves relative and absolute paths inside the root', async () => {
    expect(await ws.resolve('src/a.ts')).toBe(join(ws.root, 'src', 'a.ts'));
    expect(await ws.resolve(join(ws.root, 'src'))).toBe(join(ws.root, 'src'));
    expect(await ws.resolve('')).toBe(ws.root);
    expect(await ws.resolve('src/new/deep.ts')).toBe(join(ws.root, 'src', 'new', 'deep.ts'));
    expect(ws.relative(join(ws.root, 'src', 'a.ts'))).toBe('src/a.ts');
  });

  it('refuses .. escapes, absolute paths outside and NUL bytes', async () => {
    await expect(ws.resolve('../x')).rejects.toThrow(/outside the workspace root/);
    await expect(ws.resolve('src/../../x')).rejects.toThrow(/outside the workspace root/);
    await expect(ws.resolve('/etc/passwd')).rejects.toThrow(/outside the workspace root/);
    await expect(ws.resolve('a\0b')).rejects.toThrow(/NUL/);
  });

  it('refuses symlink escapes, for existing and new paths', async () => {
    await symlink(outside.path, join(dir.path, 'link'));
    await expect(ws.resolve('link')).rejects.toThrow(/symlink/);
    await expect(ws.resolve('link/new-file.ts')).rejects.toThrow(/symlink/);
    await symlink(join(dir.path, 'src'), join(dir.path, 'inner'));
    expect(await ws.resolve('inner/a.ts')).toBe(join(ws.root, 'inner', 'a.ts'));
  });

  it('refuses writes into .git/, also through a symlink, but allows reading', async () => {
    await expect(ws.resolve('.git/config', { forWrite: true })).rejects.toThrow(/\.git/);
    await expect(ws.resolve('sub/.GIT/hooks/x', { forWrite: true })).rejects.toThrow(/\.git/);
    await symlink(join(dir.path, '.git'), join(dir.path, 'g'));
    await expect(ws.resolve('g/config', { forWrite: true })).rejects.toThrow(/\.git/);
    expect(await ws.resolve('.git/config')).toBe(join(ws.root, '.git', 'config'));
  });

  it('writes atomically and keeps the mode of an existing file', async () => {
    const file = join(ws.root, 'run.sh');
    await writeFile(file, 'old', { mode: 0o755 });
    await writeFileAtomic(file, 'new');
    expect(await readFile(file, 'utf8')).toBe('new');
    expect((await stat(file)).mode & 0o777).toBe(0o755);
    await writeFileAtomic(join(ws.root, 'fresh.txt'), 'x');
    expect((await stat(join(ws.root, 'fresh.txt'))).mode & 0o777).toBe(0o644);
  });

  it('a RootWriter keeps writing into the folder it opened, and never through a link swapped in outside the root', async () => {
    const src = join(ws.root, 'src');
    const writer = new RootWriter(ws.root, 'tagged');
    try {
      await writer.write(join(src, 'one.ts'), '1');
      await rename(src, join(ws.root, 'src-moved'));
      await symlink(outside.path, src);
      await writer.write(join(src, 'two.ts'), '2', { mode: 0o755 });
      await writer.sync();
    } finally {
      await writer.close();
    }
    expect(await readdir(outside.path)).toEqual([]);
    expect((await readdir(join(ws.root, 'src-moved'))).sort()).toEqual(['a.ts', 'one.ts', 'two.ts']);
    expect((await stat(join(ws.root, 'src-moved', 'two.ts'))).mode & 0o777).toBe(0o755);

    await writeFile(join(outside.path, 'victim.ts'), 'v');
    const fresh = new RootWriter(ws.root);
    try {
      await expect(fresh.write(join(src, 'three.ts'), '3')).rejects.toThrow(/outside the workspace root/);
      await expect(fresh.remove(join(src, 'victim.ts'))).rejects.toThrow(/outside the workspace root/);
      await expect(fresh.write(join(ws.root, 'deep', 'er', 'new.ts'), 'n')).resolves.toBeUndefined();
    } finally {
      await fresh.close();
    }
    expect(await readdir(outside.path)).toEqual(['victim.ts']);
    expect(await readFile(join(ws.root, 'deep', 'er', 'new.ts'), 'utf8')).toBe('n');
  });

  it('a RootWriter names its temp files by its tag, so leftovers can be found and removed', async () => {
    const file = join(ws.root, 'src', 'a.ts');
    const leftover = join(ws.root, 'src', RootWriter.tempName('a.ts', 'cafe'));
    expect(leftover).toBe(join(ws.root, 'src', '.a.ts.baton-cafe.tmp'));
    await writeFile(leftover, 'half');
    const writer = new RootWriter(ws.root);
    try {
      await writer.removeTemp(file, 'cafe');
      expect(await writer.read(file)).toEqual({ data: Buffer.from('a'), mode: expect.any(Number) });
      expect(await writer.read(join(ws.root, 'src', 'missing.ts'))).toBeUndefined();
    } finally {
      await writer.close();
    }
    expect(await readdir(join(ws.root, 'src'))).toEqual(['a.ts']);
  });

  it('serialises work on the same path and runs other paths concurrently', async () => {
    const order: string[] = [];
    const slow = (name: string, ms: number) => async () => {
      order.push(`${name}:start`);
      await new Promise((r) => setTimeout(r, ms));
      order.push(`${name}:end`);
    };
    await Promise.all([withPathLocks(['/p'], slow('a', 30)), withPathLocks(['/p', '/q'], slow('b', 1))]);
    expect(order).toEqual(['a:start', 'a:end', 'b:start', 'b:end']);
    order.length = 0;
    await Promise.all([withPathLocks(['/x'], slow('c', 30)), withPathLocks(['/y'], slow('d', 1))]);
    expect(order.indexOf('d:end')).toBeLessThan(order.indexOf('c:end'));
  });
});
