import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { gitRepo, tempDir } from '../helpers/repo.js';
import { startServer } from '../helpers/server.js';

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

/** What the state dir keeps: every answered call, no credential, nothing readable by others. */
describe('state at rest', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let root: string;
  let state: string;
  beforeEach(async () => {
    dir = await tempDir();
    root = join(dir.path, 'repo');
    state = join(dir.path, 'state');
    await gitRepo(root, { 'a.txt': 'alpha\nbeta\n' });
  });
  afterEach(() => dir.cleanup());

  it('a server killed right after answering has logged every answered call', async () => {
    const server = await startServer({ root, stateDir: state });
    const calls = 40;
    for (let i = 0; i < calls; i++) {
      const result = await server.client.callTool({ name: 'repo-scan', arguments: { mode: 'read', path: 'a.txt', startLine: 1, endLine: 1 + (i % 2) } });
      expect(result.isError).toBeFalsy();
    }
    process.kill(server.transport.pid!, 'SIGKILL');
    await server.close().catch(() => {});
    const [log] = (await filesUnder(state)).filter((file) => file.endsWith('.jsonl'));
    const events = (await readFile(log!, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(events.filter((event) => event.type === 'call' && event.tool === 'repo-scan')).toHaveLength(calls);
  });

  it('keeps no credential verbatim, and creates its folders 0700 and files 0600', async () => {
    const secrets = {
      openai: 'sk-proj-' + 'Zy9Xw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe',
      github: 'ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8',
      aws: 'AKIA' + 'IOSFODNN7EXAMPLE',
      password: 'correct-horse-battery',
    };
    const server = await startServer({ root, stateDir: state });
    await server.client.callTool({ name: 'repo-scan', arguments: { mode: 'search', query: `token=${secrets.openai}` } });
    await server.client.callTool({ name: 'repo-scan', arguments: { mode: 'search', query: `${secrets.github} ${secrets.aws}` } });
    await server.client.callTool({
      name: 'session',
      arguments: { action: 'checkpoint', goal: 'rotate keys', notes: `db is postgres://admin:${secrets.password}@db.example/app; key ${secrets.openai}` },
    });
    await server.close();

    const files = await filesUnder(state);
    expect(files.some((file) => file.endsWith('.jsonl'))).toBe(true);
    for (const file of files) {
      const text = await readFile(file, 'utf8');
      for (const secret of Object.values(secrets)) expect(text, `${file} keeps ${secret}`).not.toContain(secret);
      expect((await stat(file)).mode & 0o077, `${file} is readable by others`).toBe(0);
    }
    const [workspaceDir] = await readdir(state);
    expect((await stat(join(state, workspaceDir!))).mode & 0o777).toBe(0o700);
    const log = await readFile(files.find((file) => file.endsWith('.jsonl'))!, 'utf8');
    expect(log).toContain('sk-proj-…[redacted]'); // the kind of key stays visible, for the brief
  });
});
