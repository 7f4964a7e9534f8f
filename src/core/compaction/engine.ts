import { countTokens } from '../budget.js';
import type { Summarizer } from './summarizer.js';

/**
 * The compaction engine, shared by the session brief and the delegate agent loop: keep the
 * most recent items verbatim within a share of the budget, and replace everything older by a
 * hand-off summary (written by a model when one is configured, else extracted).
 */
export interface CompactOptions<T> {
  /** Tokens the compacted list may take in all. */
  budget: number;
  /** Share of the budget for the recent items kept verbatim (default 0.5). */
  recentShare?: number;
  /**
   * Keep at most this many recent items, whatever their size: for callers whose own count
   * says the context is full (the API's token count beats ours).
   */
  keepAtMost?: number;
  render: (item: T) => string;
  summarizer: Summarizer;
  /** The summary of items before these, if an earlier compaction wrote one. */
  previousSummary?: string;
  signal?: AbortSignal;
}

export interface Compacted<T> {
  /** A summary of the folded items (and of the previous summary), when anything was folded. */
  summary?: string;
  /** How many leading items the summary covers. */
  folded: number;
  /** The recent items, verbatim. */
  kept: T[];
}

export async function compactItems<T>(items: readonly T[], options: CompactOptions<T>): Promise<Compacted<T>> {
  const recentBudget = Math.floor(options.budget * (options.recentShare ?? 0.5));
  let used = 0;
  let firstKept = items.length;
  const lowest = Math.max(0, items.length - (options.keepAtMost ?? items.length));
  while (firstKept > lowest) {
    const cost = await countTokens(options.render(items[firstKept - 1]!) + '\n');
    if (used + cost > recentBudget) break;
    used += cost;
    firstKept--;
  }
  if (firstKept === 0) return { folded: 0, kept: [...items], ...(options.previousSummary ? { summary: options.previousSummary } : {}) };
  const summary = await options.summarizer.summarize({
    ...(options.previousSummary ? { previous: options.previousSummary } : {}),
    events: items.slice(0, firstKept).map(options.render),
    budget: options.budget - used,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { summary, folded: firstKept, kept: items.slice(firstKept) };
}
