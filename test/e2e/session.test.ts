import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitRepo, tempDir } from '../helpers/repo.js';
import { startServer } from '../helpers/server.js';

describe('session over stdio', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let repo: string;
  beforeAll(async () => {
    dir = await tempDir();
    repo = join(dir.path, 'repo');
    await gitRepo(repo, { 'app.py': 'def main():\n    return 1\n' });
  });
  afterAll(() => dir.cleanup());

  it('a client works and disconnects; a fresh client gets the brief, as a tool, a resource and a prompt', async () => {
    const first = await startServer({ root: repo, stateDir: join(dir.path, 'state') });
    await first.client.callTool({ name: 'session', arguments: { action: 'checkpoint', goal: 'Make main return 2', constraints: ['Keep app.py importable'] } });
    await first.client.callTool({ name: 'repo-scan', arguments: { mode: 'search', query: 'return' } });
    await first.client.callTool({
      name: 'apply-patch',
      arguments: { patch: '*** Begin Patch\n*** Update File: app.py\n@@ def main():\n-    return 1\n+    return 2\n*** End Patch\n' },
    });
    await first.close();

    const second = await startServer({ root: repo, stateDir: join(dir.path, 'state') });
    try {
      const result = (await second.client.callTool({ name: 'session', arguments: {} })) as unknown as {
        structuredContent: { sessionId: string; brief: string };
      };
      const { brief, sessionId } = result.structuredContent;
      expect(brief).toContain('Make main return 2');
      expect(brief).toContain('Keep app.py importable');
      expect(brief).toMatch(/app\.py \(update\) \+1 -1/);
      expect(brief).toMatch(/repo-scan mode=search query=return → 1 matching lines/);

      const resource = await second.client.readResource({ uri: `baton://session/${sessionId}/brief` });
      expect((resource.contents[0] as { text: string }).text).toContain('Make main return 2');
      const log = await second.client.readResource({ uri: `baton://session/${sessionId}/log` });
      expect((log.contents[0] as { text: string }).text).toMatch(/#4 \S+ apply-patch/);
      const templates = await second.client.listResourceTemplates();
      expect(templates.resourceTemplates.map((t) => t.uriTemplate)).toEqual(['baton://session/{id}/brief', 'baton://session/{id}/log']);

      const prompt = await second.client.getPrompt({ name: 'resume', arguments: { sessionId } });
      expect((prompt.messages[0]!.content as { text: string }).text).toContain('Make main return 2');
      const completion = await second.client.complete({ ref: { type: 'ref/prompt', name: 'resume' }, argument: { name: 'sessionId', value: 's-' } });
      expect(completion.completion.values).toContain(sessionId);
      expect(second.client.getInstructions()).toMatch(/call `session`/);
    } finally {
      await second.close();
    }
  });
});
