import { budgetOf } from '../core/budget.js';
import { UserError } from '../core/errors.js';
import { redactDeep } from '../core/secrets.js';
import type { ToolContext } from '../core/context.js';
import { renderBrief, renderEvent, unsummarised } from './brief.js';
import { compactItems, type Compacted } from '../core/compaction/engine.js';
import { extractiveSummarizer } from '../core/compaction/extractive.js';
import { SessionStore } from './store.js';
import type { SessionInput, SessionOutput } from './schema.js';
import type { Summarizer } from '../core/compaction/summarizer.js';
import type { CheckpointEvent, SessionEvent, SummaryEvent } from './types.js';

type Services = Pick<ToolContext, 'state'> & { signal?: AbortSignal; summarizer?: Summarizer; onSummarizerError?: (message: string) => void };

/** Share of the brief budget the rolling summary and recent activity get when compacting. */
const COMPACT_SHARE = 0.6;

/** session: resume (the brief), checkpoint, list, compact. */
export async function session(input: SessionInput, services: Services): Promise<SessionOutput> {
  const store = SessionStore.for(services.state);
  if (input.action === 'list') return { sessions: await store.list() };
  const id = await store.resolve(input.sessionId);
  const budget = budgetOf(input.maxTokens);

  if (input.action === 'checkpoint') {
    const fields = {
      goal: input.goal,
      constraints: input.constraints,
      retire: input.retire,
      plan: input.plan,
      decisions: input.decisions,
      notes: input.notes,
      next: input.next,
    };
    if (Object.values(fields).every((value) => value === undefined)) {
      throw new UserError('a checkpoint needs at least one of goal, constraints, retire, plan, decisions, notes, next');
    }
    const checkpoint: CheckpointEvent = { type: 'checkpoint', at: new Date().toISOString(), ...definedOnly(fields) };
    await store.append(id, redactDeep(checkpoint));
    const events = await store.read(id);
    const brief = await renderBrief({ sessionId: id, events, summary: latestSummary(events), budget });
    return { sessionId: id, events: events.length, briefTokens: brief.tokens, compactionRecommended: brief.uncovered > 0 || brief.tokens > budget * 0.9 };
  }

  let events = await store.read(id);
  // Every event takes at least a token: more unsummarised events than the budget cannot fit,
  // so compaction is due without rendering a brief to find out.
  const surelyOverflows = unsummarised(events, latestSummary(events)).length > budget;
  let brief = surelyOverflows ? undefined : await renderBrief({ sessionId: id, events, summary: latestSummary(events), budget });
  if (!brief || brief.uncovered > 0 || input.action === 'compact') {
    await compact(store, id, events, budget, services);
    events = await store.read(id);
    brief = await renderBrief({ sessionId: id, events, summary: latestSummary(events), budget });
  }
  const summary = latestSummary(events);
  return {
    sessionId: id,
    brief: brief.text,
    tokens: brief.tokens,
    events: events.filter((e) => e.type !== 'summary').length,
    summarizedThrough: summary ? summary.through + 1 : 0,
    compactions: events.filter((e) => e.type === 'summary').length,
  };
}

function latestSummary(events: readonly SessionEvent[]): SummaryEvent | undefined {
  for (let i = events.length - 1; i >= 0; i--) if (events[i]!.type === 'summary') return events[i] as SummaryEvent;
  return undefined;
}

/**
 * Folds the oldest unsummarised events into the rolling summary, keeping recent ones
 * verbatim; appends the new summary as an event. The log itself is never rewritten.
 */
async function compact(store: SessionStore, id: string, events: readonly SessionEvent[], budget: number, services: Services): Promise<void> {
  const previous = latestSummary(events);
  const pending = unsummarised(events, previous);
  const options = {
    budget: Math.floor(budget * COMPACT_SHARE),
    render: (index: number) => renderEvent(events[index]!),
    ...(previous ? { previousSummary: previous.text } : {}),
    ...(services.signal ? { signal: services.signal } : {}),
  };
  let summarizer = services.summarizer ?? extractiveSummarizer;
  let result: Compacted<number>;
  try {
    result = await compactItems(pending, { ...options, summarizer });
  } catch (error) {
    // A model that fails must not lose the session its summary: the extract always works.
    services.onSummarizerError?.(`model summary failed (${(error as Error).message}); used the extractive summary`);
    summarizer = extractiveSummarizer;
    result = await compactItems(pending, { ...options, summarizer });
  }
  if (!result.folded || result.summary === undefined) return;
  await store.append(id, { type: 'summary', at: new Date().toISOString(), through: pending[result.folded - 1]!, text: result.summary, by: summarizer.kind });
}

/** The fields that were given: an absent field and one set to undefined are one thing to the log. */
function definedOnly<T extends Record<string, unknown>>(fields: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
