import { defineTool } from '../spec.js';
import type { ApplyPatchInput, ApplyPatchOutput } from './schema.js';
import { renderApply } from './render.js';

export const applyPatchTool = defineTool<typeof ApplyPatchInput, typeof ApplyPatchOutput>({
  name: 'apply-patch',
  title: 'Apply patch',
  description:
    // Short: tools/list is under 8 KB for all tools (DESIGN.md §5).
    'Atomic file edits: patch (unified diff, Codex patch or SEARCH/REPLACE blocks) or edits (unique oldText). Undo with the checkpoint id.',
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
  schemas: async () => {
    const { ApplyPatchInput, ApplyPatchOutput } = await import('./schema.js');
    return { input: ApplyPatchInput, output: ApplyPatchOutput };
  },
  run: async (input, context) => (await import('./patch.js')).applyPatch(input, context),
  render: renderApply,
  logged: true,
  facts: (output) =>
    output.applied && !output.dryRun ? { files: output.files.map(({ path, action, additions, deletions }) => ({ path, action, additions, deletions })) } : {},
});
