import { budgetOf, channelTokens, countTokens } from '../core/budget.js';
import type { ToolContext } from '../core/context.js';
import type { ToolSpec } from './spec.js';

/** Tries before a result over budget is given up on: each retry asks for what the last one missed. */
const REFIT_TRIES = 3;

/**
 * Runs a tool as every caller does (MCP, the CLI): the capability, then its rendering. When the
 * result is over `maxTokens` in either channel and the tool allows a re-run, it runs again with
 * the budget scaled down by how far it was over.
 */
export async function runTool(spec: ToolSpec, args: Record<string, unknown>, context: ToolContext): Promise<{ output: Record<string, unknown>; text: string }> {
  const budget = budgetOf(args.maxTokens as number | undefined);
  const first = (await spec.run(args, context)) as Record<string, unknown>;
  let best = { output: first, text: spec.render(first) };
  if (!spec.refit?.(args)) return cutToFit(spec, best, budget);
  let asked = budget;
  for (let attempt = 1; ; attempt++) {
    const used = await channelTokens(best.output, best.text, budget);
    if (used <= budget) return best;
    if (attempt > REFIT_TRIES) break;
    // Scaled from what the tool filled, not from what it was asked: a page that ends with its
    // list (its text well within budget, its JSON not) is the same page for any larger ask.
    const filled = Math.min(asked, await countTokens(best.text));
    asked = Math.floor((filled * budget) / used) - 20;
    // A budget the tool refuses as too small ends the tries; the last result stands.
    const output = (await spec.run({ ...args, maxTokens: asked }, context).catch(() => undefined)) as Record<string, unknown> | undefined;
    if (!output) break;
    best = { output, text: spec.render(output) };
  }
  context.log.warning(`${spec.name}: the result is over maxTokens ${budget} in one of its channels after ${REFIT_TRIES} smaller tries`);
  return best;
}

/** Shortest a cut string becomes: enough to say what it was. */
const MIN_KEPT_CHARS = 200;
const CUT_MARK = '\n…[cut to fit maxTokens]';

/**
 * A result that cannot be fetched again (tests ran, files were written) and is still over
 * budget in a channel: its longest strings (an output tail, a diff, an excerpt) are cut, longest
 * first, until both channels fit. The shape stays what the schema says; the cut is marked.
 */
async function cutToFit(
  spec: ToolSpec,
  result: { output: Record<string, unknown>; text: string },
  budget: number,
): Promise<{ output: Record<string, unknown>; text: string }> {
  let current = result;
  for (let round = 0; round < 6; round++) {
    const used = await channelTokens(current.output, current.text, budget);
    if (used <= budget) return current;
    const output = structuredClone(current.output);
    const strings = longStrings(output).sort((a, b) => b.value.length - a.value.length);
    if (!strings.length) break;
    // Cut the longest strings enough to save what is over, with a margin for the marks.
    let toSave = Math.ceil(((used - budget) / used) * JSON.stringify(output).length * 1.2) + 200;
    for (const entry of strings) {
      if (toSave <= 0) break;
      const keep = Math.max(MIN_KEPT_CHARS, entry.value.length - toSave);
      if (keep >= entry.value.length) continue;
      toSave -= entry.value.length - keep;
      entry.set(entry.value.slice(0, keep) + CUT_MARK);
    }
    current = { output, text: spec.render(output) };
  }
  return current;
}

interface StringLeaf {
  value: string;
  set(value: string): void;
}

function longStrings(node: unknown, out: StringLeaf[] = []): StringLeaf[] {
  if (!node || typeof node !== 'object') return out;
  const holder = node as Record<string | number, unknown>;
  for (const [key, item] of Array.isArray(node) ? node.entries() : Object.entries(node)) {
    if (typeof item !== 'string') longStrings(item, out);
    else if (item.length > MIN_KEPT_CHARS + CUT_MARK.length) {
      out.push({
        value: item,
        set: (value) => {
          holder[key] = value;
        },
      });
    }
  }
  return out;
}
