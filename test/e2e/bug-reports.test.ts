import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/repo.js';
import { startServer } from '../helpers/server.js';

/** A bug in the built server: the client hears it is a bug, the log says where in src/ it happened. */
describe('bug reports', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => (dir = await tempDir()));
  afterEach(() => dir.cleanup());

  it('shape a bug as one line for the client, and log its stack mapped to src/ files and lines', async () => {
    const server = await startServer({ root: dir.path, stateDir: `${dir.path}/.state`, env: { BATON_TEST_FAULT: 'repo-scan' } });
    const result = await server.client.callTool({ name: 'repo-scan', arguments: { mode: 'tree' } });
    expect(result.isError).toBe(true);
    expect((result.content as Array<{ text: string }>)[0]!.text).toMatch(/^repo-scan failed unexpectedly: injected fault .*This is a bug in Baton/);
    await server.close();
    const stack = server.stderr().slice(server.stderr().indexOf('TypeError'));
    expect(stack).toMatch(/^TypeError: injected fault in repo-scan/);
    expect(stack).toMatch(/\n\s+at .*src\/mcp\/tools\.ts:\d+:\d+/);
    expect(stack).not.toMatch(/chunk-[A-Z0-9]+\.js/);
  });
});
