import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { simpleGit } from 'simple-git';

/** A temp folder removed by `cleanup`; tests create everything they touch under one. */
export async function tempDir(prefix = 'baton-test-'): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, cleanup: () => rm(path, { recursive: true, force: true, maxRetries: 3 }) };
}

export async function writeFiles(root: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

/** A real git repository with `files` committed (and `untracked` left untracked). */
export async function gitRepo(root: string, files: Record<string, string>, untracked: Record<string, string> = {}): Promise<void> {
  await mkdir(root, { recursive: true });
  const git = simpleGit(root);
  await git.init(['-q', '-b', 'main']);
  await git.addConfig('user.name', 'Baton Test').addConfig('user.email', 'test@example.invalid').addConfig('commit.gpgsign', 'false');
  await writeFiles(root, files);
  await git.add('.');
  await git.commit('initial');
  await writeFiles(root, untracked);
}
