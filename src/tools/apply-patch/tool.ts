import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { registerTool, type ServerContext } from '../../register.js';
import { renderApply } from './render.js';
import { ApplyPatchInput, ApplyPatchOutput } from './schema.js';

export function registerApplyPatch(server: McpServer, context: ServerContext): void {
  registerTool(server, context, {
    name: 'apply-patch',
    title: 'Apply patch',
    description:
      'Change files with a unified diff or a Codex "*** Begin Patch" patch. All hunks are verified before anything is written; ' +
      'writes are atomic; fuzzy matches only when unambiguous. Returns per-hunk results, the diff written and a checkpoint id for {undo}. ' +
      'A failed hunk shows the expected lines and the nearest lines found.',
    input: ApplyPatchInput,
    output: ApplyPatchOutput,
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    // The capability and its dependencies load on the first call, not at start-up.
    run: async (input, context) => (await import('./patch.js')).applyPatch(input, context),
    render: renderApply,
  });
}
