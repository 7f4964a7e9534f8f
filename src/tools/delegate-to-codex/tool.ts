import { defineTool } from '../spec.js';
import type { DelegateInput, DelegateOutput } from './schema.js';
import { renderDelegate } from './render.js';

export const delegateTool = defineTool<typeof DelegateInput, typeof DelegateOutput>({
  name: 'delegate-to-codex',
  title: 'Delegate to Codex',
  description:
    "Hand a task to Codex (Responses API via Baton's loop, or the Codex CLI): report, files changed, diff; mode review: findings on the current change. " +
    'Long runs: running + jobId, call again with it. sessionId continues.',
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  schemas: async () => {
    const { DelegateInput, DelegateOutput } = await import('./schema.js');
    return { input: DelegateInput, output: DelegateOutput };
  },
  // The capability and its dependencies (openai, the agent loop) load on the first call.
  run: async (input, context) => (await import('./delegate.js')).delegate(input, context),
  render: renderDelegate,
  logged: true,
  // What a delegation changed counts as changed in the session, whoever wrote it.
  facts: (output) => ({ files: output.filesChanged.map((file) => ({ path: file.path, action: file.kind, additions: 0, deletions: 0 })) }),
});
