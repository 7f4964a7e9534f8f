import { countTokens, fitItems } from '../core/budget.js';
import type { CheckpointEvent, SessionEvent, SummaryEvent, TestOutcome } from './types.js';

/**
 * The brief: everything a fresh context window needs to carry on. Pinned facts (goal,
 * constraints, decisions, files changed, failing tests) always come first and are never
 * summarised away; then the summary of older work; then recent activity verbatim.
 */

export interface PinnedFacts {
  goal?: string;
  constraints: string[];
  decisions: string[];
  plan: Array<{ step: string; status: string }>;
  next: string[];
  notes?: string;
  files: Map<string, { action: string; additions: number; deletions: number }>;
  lastTests?: TestOutcome & { at: string };
  problems: string[];
}

export function pinnedFacts(events: readonly SessionEvent[]): PinnedFacts {
  const facts: PinnedFacts = { constraints: [], decisions: [], plan: [], next: [], files: new Map(), problems: [] };
  const failedCalls = new Map<string, string>(); // tool -> last error, cleared by a later success
  for (const event of events) {
    if (event.type === 'checkpoint') applyCheckpoint(facts, event);
    else if (event.type === 'call') {
      for (const file of event.files ?? []) {
        const known = facts.files.get(file.path);
        facts.files.set(file.path, {
          action: known?.action === 'add' && file.action !== 'delete' ? 'add' : file.action,
          additions: (known?.additions ?? 0) + file.additions,
          deletions: (known?.deletions ?? 0) + file.deletions,
        });
      }
      if (event.tests) facts.lastTests = { ...event.tests, at: event.at };
      if (event.ok) failedCalls.delete(event.tool);
      else failedCalls.set(event.tool, `${event.tool} failed: ${event.result}`);
    }
  }
  facts.problems = [...failedCalls.values()];
  return facts;
}

function applyCheckpoint(facts: PinnedFacts, event: CheckpointEvent): void {
  if (event.goal !== undefined) facts.goal = event.goal;
  for (const constraint of event.constraints ?? []) if (!facts.constraints.includes(constraint)) facts.constraints.push(constraint);
  for (const decision of event.decisions ?? []) if (!facts.decisions.includes(decision)) facts.decisions.push(decision);
  if (event.retire?.length) {
    const retired = new Set(event.retire);
    facts.constraints = facts.constraints.filter((c) => !retired.has(c));
    facts.decisions = facts.decisions.filter((d) => !retired.has(d));
  }
  if (event.plan) facts.plan = event.plan;
  if (event.next) facts.next = event.next;
  if (event.notes !== undefined) facts.notes = event.notes;
}

/** One event as one line of "recent activity". */
export function renderEvent(event: SessionEvent): string {
  const time = event.at.slice(11, 16);
  if (event.type === 'call') return `${time} ${event.tool} ${event.args} ${event.ok ? '→' : '✗'} ${event.result}`;
  if (event.type === 'summary') return `${time} (summary of events up to #${event.through})`;
  const parts = [
    event.goal && `goal: ${event.goal}`,
    event.notes && `notes: ${event.notes}`,
    event.decisions?.length && `decided: ${event.decisions.join('; ')}`,
    event.next?.length && `next: ${event.next.join('; ')}`,
  ].filter(Boolean);
  return `${time} checkpoint: ${parts.join(' | ') || 'session started'}`;
}

/** Sections of pinned facts; lists are cut to `limit` items (newest kept) with a pointer to the log. */
export function renderPinned(facts: PinnedFacts, sessionId: string, limit = Infinity): string {
  const more = (n: number): string => `  … ${n} more in baton://session/${sessionId}/log`;
  const list = (items: readonly string[]): string[] =>
    items.length > limit ? [...items.slice(-limit).map((i) => `- ${i}`), more(items.length - limit)] : items.map((i) => `- ${i}`);
  const out: string[] = [];
  out.push('## Goal', facts.goal ?? '(not set: record it with session action "checkpoint")');
  if (facts.constraints.length) out.push('## Constraints', ...list(facts.constraints));
  if (facts.plan.length) out.push('## Plan', ...facts.plan.map((p) => `- [${p.status}] ${p.step}`));
  if (facts.decisions.length) out.push('## Decisions', ...list(facts.decisions));
  if (facts.files.size) {
    const files = [...facts.files].map(([path, f]) => `${path} (${f.action}) +${f.additions} -${f.deletions}`);
    out.push(`## Files changed (${facts.files.size})`, ...list(files));
  }
  if (facts.lastTests) {
    const t = facts.lastTests;
    out.push(
      '## Tests',
      `last run ${t.at.slice(0, 16).replace('T', ' ')}: ${t.status}, ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped of ${t.total}`,
    );
    if (t.failing.length) out.push('failing now:', ...list(t.failing));
  }
  if (facts.problems.length) out.push('## Open problems', ...list(facts.problems));
  if (facts.next.length) out.push('## Next', ...facts.next.map((n) => `- ${n}`));
  if (facts.notes) out.push('## Notes', facts.notes);
  return out.join('\n');
}

export interface BriefParts {
  sessionId: string;
  events: readonly SessionEvent[];
  /** The newest summary event, if compaction ever ran. */
  summary?: SummaryEvent | undefined;
  budget: number;
}

export interface BriefText {
  text: string;
  tokens: number;
  /** Index of the first event shown verbatim; events between the summary and it are not covered. */
  firstRecent: number;
  /** Events neither summarised nor shown: compaction should fold them. */
  uncovered: number;
}

/** Renders the brief within budget; says how much older activity it could not cover. */
export async function renderBrief(parts: BriefParts): Promise<BriefText> {
  const { sessionId, events, summary, budget } = parts;
  const facts = pinnedFacts(events);
  const header = `# Session ${sessionId}: ${events.length} events, last activity ${events.at(-1)?.at ?? '-'}`;
  let pinned = renderPinned(facts, sessionId);
  for (const limit of [20, 8, 3]) {
    if ((await countTokens(pinned)) <= budget * 0.6) break;
    pinned = renderPinned(facts, sessionId, limit);
  }
  const summaryText = summary ? `## Earlier work (summary of events 1–${summary.through + 1})\n${summary.text}` : '';
  const fixed = `${header}\n${pinned}${summaryText ? `\n${summaryText}` : ''}\n## Recent activity`;
  const room = budget - (await countTokens(fixed)) - 2;
  const recent = unsummarised(events, summary);
  // A line costs at least one token, so no more than `room` of the newest events can fit.
  const candidates = recent.slice(-Math.max(0, room));
  const reversed = candidates.map((i) => renderEvent(events[i]!)).reverse();
  const kept = room > 0 ? await fitItems(reversed, (line) => line, room) : 0;
  const lines = reversed.slice(0, kept).reverse();
  const text = `${fixed}\n${lines.join('\n') || '(none)'}`;
  return { text, tokens: await countTokens(text), firstRecent: kept ? recent[recent.length - kept]! : events.length, uncovered: recent.length - kept };
}

/** Indices of the events after the summary's coverage (summary events themselves left out). */
export function unsummarised(events: readonly SessionEvent[], summary: SummaryEvent | undefined): number[] {
  const indices: number[] = [];
  for (let i = summary ? summary.through + 1 : 0; i < events.length; i++) if (events[i]!.type !== 'summary') indices.push(i);
  return indices;
}
