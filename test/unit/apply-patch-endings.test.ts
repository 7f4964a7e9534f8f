import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WorkspaceState } from '../../src/core/state.js';
import { Workspace } from '../../src/core/workspace.js';
import { applyPatch } from '../../src/tools/apply-patch/patch.js';
import { ApplyPatchInput } from '../../src/tools/apply-patch/schema.js';
import { gitRepo, tempDir } from '../helpers/repo.js';

/**
 * Patches that change line endings, a BOM or the final newline, made by `git diff` in a temp
 * repository: applied to the old file, they must give the new file byte for byte.
 */
describe('apply-patch: patches that change line endings, a BOM or the final newline', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let repo: string;

  beforeEach(async () => {
    dir = await tempDir();
    repo = join(dir.path, 'repo');
    await gitRepo(repo, { 'seed.txt': 'seed\n' });
    execFileSync('git', ['config', 'core.autocrlf', 'false'], { cwd: repo });
  });
  afterEach(() => dir.cleanup());

  /** Commits `before`, makes `git diff` of `after`, puts `before` back, applies the diff: the file must be `after`. */
  async function roundTrip(before: string, after: string): Promise<string> {
    const file = join(repo, 'f.txt');
    await writeFile(file, before);
    execFileSync('git', ['add', '-A'], { cwd: repo });
    execFileSync('git', ['commit', '-qm', 'before'], { cwd: repo });
    await writeFile(file, after);
    const patch = execFileSync('git', ['diff'], { cwd: repo, encoding: 'utf8' });
    await writeFile(file, before);
    const workspace = await Workspace.open(repo);
    const services = { workspace, state: await WorkspaceState.open(join(dir.path, 'state'), workspace.root) };
    const result = await applyPatch(ApplyPatchInput.parse({ patch }), services);
    expect(result.errors).toEqual([]);
    return readFile(file, 'utf8');
  }

  it('converts a file from CRLF to LF', async () => {
    expect(await roundTrip('one\r\ntwo\r\nthree\r\n', 'one\ntwo\nthree\n')).toBe('one\ntwo\nthree\n');
  });

  it('converts a file from LF to CRLF', async () => {
    expect(await roundTrip('one\ntwo\nthree\n', 'one\r\ntwo\r\nthree\r\n')).toBe('one\r\ntwo\r\nthree\r\n');
  });

  it('converts part of a mixed file and edits it in the same hunk', async () => {
    const before = 'a\r\nb\r\nc\nd\n';
    const after = 'a\nB\nc\nd\n';
    expect(await roundTrip(before, after)).toBe(after);
  });

  it('adds and removes a BOM', async () => {
    expect(await roundTrip('one\ntwo\n', '\uFEFFone\ntwo\n')).toBe('\uFEFFone\ntwo\n');
    expect(await roundTrip('\uFEFFone\ntwo\n', 'one\ntwo\n')).toBe('one\ntwo\n');
  });

  it('converts line endings and the final newline together ("\\ No newline at end of file" on either side)', async () => {
    expect(await roundTrip('one\ntwo', 'one\r\ntwo\r\n')).toBe('one\r\ntwo\r\n');
    expect(await roundTrip('one\r\ntwo\r\n', 'one\ntwo')).toBe('one\ntwo');
  });
});
