import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { gitRepo, tempDir } from '../helpers/repo.js';
import { startServer, type RunningServer } from '../helpers/server.js';

describe('apply-patch over stdio', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let server: RunningServer;
  let repo: string;
  const call = async (args: Record<string, unknown>) =>
    (await server.client.callTool({ name: 'apply-patch', arguments: args })) as {
      isError?: boolean;
      structuredContent?: Record<string, unknown>;
      content: Array<{ text: string }>;
    };

  beforeAll(async () => {
    dir = await tempDir();
    repo = join(dir.path, 'repo');
    await gitRepo(repo, { 'hello.py': 'def hello():\n    return "hi"\n' });
    server = await startServer({ root: repo, stateDir: join(dir.path, 'state') });
  });
  afterAll(async () => {
    await server.close();
    await dir.cleanup();
  });

  it('is listed as destructive', async () => {
    const tool = (await server.client.listTools()).tools.find((t) => t.name === 'apply-patch')!;
    expect(tool.annotations).toMatchObject({ destructiveHint: true, readOnlyHint: false });
  });

  it('applies, reports and undoes a Codex patch', async () => {
    const patch = '*** Begin Patch\n*** Update File: hello.py\n@@ def hello():\n-    return "hi"\n+    return "hello"\n*** End Patch\n';
    const result = await call({ patch });
    expect(result.isError).toBeFalsy();
    expect(result.content[0]!.text).toMatch(/^applied to 1 file; undo with \{"undo": "cp-[0-9a-f]+"\}/);
    expect(await readFile(join(repo, 'hello.py'), 'utf8')).toContain('"hello"');
    const checkpoint = (result.structuredContent as { checkpoint: string }).checkpoint;
    const undone = await call({ undo: checkpoint });
    expect(undone.isError).toBeFalsy();
    expect(await readFile(join(repo, 'hello.py'), 'utf8')).toBe('def hello():\n    return "hi"\n');
  });

  it('returns a failed hunk as a result the model can act on, and bad input as a tool error', async () => {
    const failed = await call({ patch: '*** Begin Patch\n*** Update File: hello.py\n@@\n-    return "bye"\n+    return "x"\n*** End Patch\n' });
    expect(failed.isError).toBeFalsy();
    expect(failed.structuredContent).toMatchObject({ applied: false });
    expect(failed.content[0]!.text).toMatch(/NOT applied[\s\S]*expected:\n {4}\| {5}return "bye"[\s\S]*nearest in the file, from line 2/);
    const outside = await call({ patch: '*** Begin Patch\n*** Add File: ../x\n+x\n*** End Patch\n' });
    expect(outside.isError).toBe(true);
    expect(outside.content[0]!.text).toMatch(/outside the workspace root/);
    const garbage = await call({ patch: 'not a patch at all' });
    expect(garbage.isError).toBe(true);
    expect(garbage.content[0]!.text).toMatch(/not a patch at all/);
  });

  it('is available to people as baton-mcp apply', async () => {
    const patch = 'diff --git a/hello.py b/hello.py\n--- a/hello.py\n+++ b/hello.py\n@@ -1,2 +1,2 @@\n def hello():\n-    return "hi"\n+    return "hey"\n';
    const dry = await runCli(['apply', '--dry-run', '--root', repo, '--state-dir', join(dir.path, 'state')], {}, patch);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/dry run: the patch applies cleanly/);
    expect(await readFile(join(repo, 'hello.py'), 'utf8')).toContain('"hi"');
    const real = await runCli(['apply', '-', '--root', repo, '--state-dir', join(dir.path, 'state')], {}, patch);
    expect(real.code).toBe(0);
    expect(await readFile(join(repo, 'hello.py'), 'utf8')).toContain('"hey"');
  });
});
