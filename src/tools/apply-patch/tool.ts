import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { registerTool, type ServerContext } from '../../register.js';
import { renderApply } from './render.js';


export function registerApplyPatch(server: McpServer, context: ServerContext): void {
  registerTool(server, context, {
    name: 'apply-patch',
    title: 'Apply patch',
    description:
      'Change files with a unified diff or a Codex "*** Begin Patch" patch: all hunks verified first, atomic, fuzzy only when unambiguous. ' +
      'Returns per-hunk results, the diff and a checkpoint for {undo}; a failed hunk shows the nearest lines.',
    schemas: async () => {
      const { ApplyPatchInput, ApplyPatchOutput } = await import('./schema.js');
      return { input: ApplyPatchInput, output: ApplyPatchOutput };
    },
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    // The capability and its dependencies load on the first call, not at start-up.
    run: async (input, context) => (await import('./patch.js')).applyPatch(input, context),
    render: renderApply,
  });
}
