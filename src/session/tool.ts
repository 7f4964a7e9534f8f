import type { ToolContext } from '../core/context.js';
import { defineTool } from '../tools/spec.js';
import { renderSession } from './render.js';
import type { SessionInput, SessionOutput } from './schema.js';

export type SessionContext = Pick<ToolContext, 'state' | 'config' | 'log'> & { signal?: AbortSignal };

/** The capability with the summarizer the configuration allows, loaded on first use. */
export async function runSession(input: SessionInput, context: SessionContext): Promise<SessionOutput> {
  const [{ session }, { configuredSummarizer }] = await Promise.all([import('./session.js'), import('../core/compaction/model-summarizer.js')]);
  const summarizer = configuredSummarizer(context.config);
  return session(input, {
    state: context.state,
    ...(context.signal ? { signal: context.signal } : {}),
    ...(summarizer ? { summarizer } : {}),
    onSummarizerError: (message) => context.log.warning(message),
  });
}

export const sessionTool = defineTool<typeof SessionInput, typeof SessionOutput>({
  name: 'session',
  title: 'Session state',
  description:
    'State that survives context windows. resume (default): the brief of the work so far; call it in every new context window. ' +
    'checkpoint: record goal, constraints, plan, decisions, notes, next after milestones. list; compact.',
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  schemas: async () => {
    const { SessionInput, SessionOutput } = await import('./schema.js');
    return { input: SessionInput, output: SessionOutput };
  },
  run: runSession,
  render: renderSession,
  // A brief or a list is read again at no cost; a checkpoint is written once.
  refit: (input) => input.action !== 'checkpoint',
  logged: false, // the session tool records its own checkpoints
});
