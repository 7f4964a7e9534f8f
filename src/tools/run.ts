import { budgetOf, channelTokens } from '../core/budget.js';
import type { ToolContext } from '../core/context.js';
import type { ToolSpec } from './spec.js';

/** Tries before a result over budget is given up on: each retry asks for what the last one missed. */
const REFIT_TRIES = 3;

/**
 * Runs a tool as every caller does (MCP, the CLI): the capability, then its rendering. When the
 * result is over `maxTokens` in either channel and the tool allows a re-run, it runs again with
 * the budget scaled down by how far it was over.
 */
export async function runTool(
  spec: ToolSpec,
  args: Record<string, unknown>,
  context: ToolContext,
): Promise<{ output: Record<string, unknown>; text: string }> {
  const budget = budgetOf(args.maxTokens as number | undefined);
  const first = (await spec.run(args, context)) as Record<string, unknown>;
  let best = { output: first, text: spec.render(first) };
  if (!spec.refit?.(args)) return best;
  let asked = budget;
  for (let attempt = 1; ; attempt++) {
    const used = await channelTokens(best.output, best.text, budget);
    if (used <= budget) return best;
    if (attempt > REFIT_TRIES) break;
    asked = Math.floor((asked * budget) / used) - 20;
    // A budget the tool refuses as too small ends the tries; the last result stands.
    const output = (await spec.run({ ...args, maxTokens: asked }, context).catch(() => undefined)) as Record<string, unknown> | undefined;
    if (!output) break;
    best = { output, text: spec.render(output) };
  }
  context.log.warning(`${spec.name}: the result is over maxTokens ${budget} in one of its channels after ${REFIT_TRIES} smaller tries`);
  return best;
}

