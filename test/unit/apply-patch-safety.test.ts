import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WorkspaceState } from '../../src/core/state.js';
import { Workspace } from '../../src/core/workspace.js';
import { applyPatch } from '../../src/tools/apply-patch/patch.js';
import { ApplyPatchInput } from '../../src/tools/apply-patch/schema.js';
import { tempDir, writeFiles } from '../helpers/repo.js';

describe('apply-patch safety', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let services: { workspace: Workspace; state: WorkspaceState };
  let ws: string;
  const apply = (input: Partial<ApplyPatchInput>) => applyPatch(ApplyPatchInput.parse(input), services);
  const modeOf = async (path: string) => (await stat(join(ws, path))).mode & 0o7777;

  beforeEach(async () => {
    dir = await tempDir();
    ws = join(dir.path, 'ws');
    await writeFiles(ws, { 'src/a.ts': 'export const a = 1;\n' });
    const workspace = await Workspace.open(ws);
    services = { workspace, state: await WorkspaceState.open(join(dir.path, 'state'), workspace.root) };
  });
  afterEach(() => dir.cleanup());

  const newFile = (path: string, mode: string) => `diff --git a/${path} b/${path}\nnew file mode ${mode}\n--- /dev/null\n+++ b/${path}\n@@ -0,0 +1 @@\n+echo ${mode}\n`;
  const modeChange = (path: string, from: string, to: string) => `diff --git a/${path} b/${path}\nold mode ${from}\nnew mode ${to}\n`;

  it('takes modes from a patch as git apply does: 0755 when the owner may execute, else 0644', async () => {
    const result = await apply({
      patch: [newFile('suid.sh', '104777'), newFile('open.sh', '100777'), newFile('group.txt', '100664'), newFile('sticky.sh', '101755')].join('') + modeChange('src/a.ts', '100644', '100777'),
    });
    expect(result.errors).toEqual([]);
    expect(await modeOf('suid.sh')).toBe(0o755);
    expect(await modeOf('open.sh')).toBe(0o755);
    expect(await modeOf('group.txt')).toBe(0o644);
    expect(await modeOf('sticky.sh')).toBe(0o755);
    expect(await modeOf('src/a.ts')).toBe(0o755);
    await apply({ patch: modeChange('src/a.ts', '100755', '100666') });
    expect(await modeOf('src/a.ts')).toBe(0o644);
    await expect(apply({ patch: newFile('dir', '040755') })).rejects.toThrow(/patch line 2: mode 040755 is not a regular file's/);
  });

  it('positive control: the usual modes 100755 and 100644 are written as they are', async () => {
    await apply({ patch: newFile('run.sh', '100755') + newFile('plain.txt', '100644') });
    expect(await modeOf('run.sh')).toBe(0o755);
    expect(await modeOf('plain.txt')).toBe(0o644);
  });
});
