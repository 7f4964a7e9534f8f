import { defineTool } from '../spec.js';
import type { ApplyPatchInput, ApplyPatchOutput } from './schema.js';
import { renderApply } from './render.js';

export const applyPatchTool = defineTool<typeof ApplyPatchInput, typeof ApplyPatchOutput>({
  name: 'apply-patch',
  title: 'Apply patch',
  description:
    'Change files with a unified diff or a Codex "*** Begin Patch" patch: all hunks verified first, atomic, fuzzy only when unambiguous. ' +
    'Returns per-hunk results, the diff and a checkpoint for {undo}; a failed hunk shows the nearest lines.',
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  schemas: async () => {
    const { ApplyPatchInput, ApplyPatchOutput } = await import('./schema.js');
    return { input: ApplyPatchInput, output: ApplyPatchOutput };
  },
  run: async (input, context) => (await import('./patch.js')).applyPatch(input, context),
  render: renderApply,
  logged: true,
  facts: (output) =>
    output.applied && !output.dryRun
      ? { files: output.files.map(({ path, action, additions, deletions }) => ({ path, action, additions, deletions })) }
      : {},
});
