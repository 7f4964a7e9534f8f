import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { countTokens } from '../../src/core/budget.js';
import { WorkspaceState } from '../../src/core/state.js';
import { SessionStore } from '../../src/session/store.js';
import { SessionInput } from '../../src/session/schema.js';
import { session } from '../../src/session/session.js';
import type { Summarizer } from '../../src/core/compaction/summarizer.js';
import type { SessionEvent } from '../../src/session/types.js';
import { tempDir } from '../helpers/repo.js';

/** A long session with facts planted throughout, written straight to the log file. */
function syntheticLog(count: number): string {
  const at = (i: number) => new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString();
  const lines: SessionEvent[] = [];
  for (let i = 0; i < count; i++) {
    if (i === 10)
      lines.push({ type: 'checkpoint', at: at(i), goal: 'Port the billing module to the new API', constraints: ['Never change the public CSV format'] });
    else if (i === Math.floor(count / 3))
      lines.push({ type: 'checkpoint', at: at(i), decisions: ['Use integer cents everywhere'], constraints: ['Keep Node 20 support'] });
    else if (i === Math.floor(count / 2)) lines.push({ type: 'checkpoint', at: at(i), retire: ['Keep Node 20 support'], notes: 'halfway: invoices done' });
    else if (i % 997 === 0)
      lines.push({
        type: 'call',
        at: at(i),
        tool: 'apply-patch',
        args: `patch=*** Begin Patch ${i}`,
        ok: true,
        result: 'applied to 1 file',
        ms: 5,
        files: [{ path: `src/billing/file${i % 7}.ts`, action: 'update', additions: 3, deletions: 1 }],
      });
    else if (i === count - 5)
      lines.push({
        type: 'call',
        at: at(i),
        tool: 'run-tests',
        args: '',
        ok: true,
        result: 'FAILED: 41 passed, 2 failed',
        ms: 900,
        tests: { status: 'failed', total: 43, passed: 41, failed: 2, skipped: 0, failing: ['invoice > rounds cents', 'csv > keeps header'] },
      });
    else
      lines.push({
        type: 'call',
        at: at(i),
        tool: 'repo-scan',
        args: `mode=search query=term${i}`,
        ok: i % 50 !== 0,
        result: i % 50 !== 0 ? `${i % 9} matching lines` : 'invalid regex: unterminated group',
        ms: 3,
      });
  }
  return lines.map((line) => JSON.stringify(line)).join('\n') + '\n';
}

describe('session', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let state: WorkspaceState;
  const run = (input: Partial<SessionInput>, extra: { summarizer?: Summarizer } = {}) => session(SessionInput.parse(input), { state, ...extra });

  beforeEach(async () => {
    dir = await tempDir();
    state = await WorkspaceState.open(join(dir.path, 'state'), join(dir.path, 'ws'));
  });
  afterEach(() => dir.cleanup());

  async function plantSession(count: number): Promise<{ id: string; file: string }> {
    const store = SessionStore.for(state);
    const id = await store.create();
    const file = state.path('sessions', `${id}.jsonl`);
    appendFileSync(file, syntheticLog(count));
    return { id, file };
  }

  it('keeps every pinned fact of a long session within budget, and never rewrites the log', async () => {
    const { id, file } = await plantSession(30_000);
    const before = readFileSync(file, 'utf8');
    const result = await run({ maxTokens: 3000 });
    expect(result.sessionId).toBe(id);
    expect(result.tokens).toBeLessThanOrEqual(3000);
    expect(await countTokens(result.brief!)).toBeLessThanOrEqual(3000);
    expect(result.brief).toContain('Port the billing module to the new API');
    expect(result.brief).toContain('Never change the public CSV format');
    expect(result.brief).toContain('Use integer cents everywhere');
    expect(result.brief).not.toMatch(/- Keep Node 20 support/); // retired
    expect(result.brief).toMatch(/src\/billing\/file\d\.ts \(update\) \+\d+ -\d+/);
    expect(result.brief).toContain('invoice > rounds cents');
    expect(result.brief).toContain('csv > keeps header');
    expect(result.summarizedThrough).toBeGreaterThan(0);
    expect(result.compactions).toBe(1);
    expect(result.brief).toMatch(/## Earlier work \(summary of events 1–\d+\)/);
    const after = readFileSync(file, 'utf8');
    expect(after.startsWith(before)).toBe(true); // appended to, never rewritten
    // A second resume finds the summary and compacts no further.
    expect((await run({ maxTokens: 3000 })).compactions).toBe(1);
  });

  it('accumulates constraints and decisions across checkpoints and replaces goal, plan and next', async () => {
    await run({ action: 'checkpoint', goal: 'first goal', constraints: ['c1'], decisions: ['d1'], next: ['a'] });
    await run({ action: 'checkpoint', goal: 'second goal', constraints: ['c2'], plan: [{ step: 'write parser', status: 'done' }], next: ['b'] });
    const checkpoint = await run({ action: 'checkpoint', retire: ['c1'], decisions: ['d2'] });
    expect(checkpoint).toMatchObject({ events: 4, compactionRecommended: false });
    const brief = (await run({})).brief!;
    expect(brief).toContain('second goal');
    expect(brief).not.toContain('first goal\n');
    expect(brief).toMatch(/## Constraints\n- c2\n/);
    expect(brief).toMatch(/## Decisions\n- d1\n- d2/);
    expect(brief).toContain('- [done] write parser');
    expect(brief).toMatch(/## Next\n- b/);
    await expect(run({ action: 'checkpoint' })).rejects.toThrow(/needs at least one/);
  });

  it('uses a model summary when one is configured, and falls back to the extract when it fails', async () => {
    await plantSession(3000);
    const seen: string[][] = [];
    const model: Summarizer = { kind: 'model', summarize: async ({ events }) => (seen.push(events), 'MODEL HAND-OFF: invoices ported, CSV pending') };
    const result = await run({ maxTokens: 2000 }, { summarizer: model });
    expect(result.brief).toContain('MODEL HAND-OFF');
    expect(seen[0]!.length).toBeGreaterThan(100);
    const failing: Summarizer = { kind: 'model', summarize: async () => Promise.reject(new Error('503 from the endpoint')) };
    const fallback = await run({ action: 'compact', maxTokens: 1500 }, { summarizer: failing });
    expect(fallback.compactions).toBe(2);
    expect(fallback.brief).toMatch(/earlier events: repo-scan ×\d+/);
  });

  it('skips a torn last line and keeps appending after it', async () => {
    const { id, file } = await plantSession(20);
    appendFileSync(file, '{"type":"call","at":"2026-11-22T10:00:00.000Z","tool":"repo-sc');
    const store = SessionStore.for(state);
    expect((await store.read(id)).length).toBe(21);
    await run({ action: 'checkpoint', notes: 'after the crash' });
    const events = await store.read(id);
    expect(events.length).toBe(22);
    expect(events.at(-1)).toMatchObject({ type: 'checkpoint', notes: 'after the crash' });
  });

  it('lists sessions and refuses an unknown one', async () => {
    await run({ action: 'checkpoint', goal: 'listed goal' });
    const { sessions } = await run({ action: 'list' });
    expect(sessions).toEqual([expect.objectContaining({ goal: 'listed goal', events: 2 })]);
    await expect(run({ sessionId: 's-20000101-000000-abcd' })).rejects.toThrow(/no session/);
    await expect(run({ sessionId: '../../etc/passwd' })).rejects.toThrow(/no session/);
  });

  it('builds a brief over 100k events', async () => {
    await mkdir(state.path('sessions'), { recursive: true });
    const { id, file } = await plantSession(100_000);
    writeFileSync(file, readFileSync(file)); // same content; the read below is cold for this store
    const result = await run({ sessionId: id, maxTokens: 4000 });
    expect(result.events).toBeGreaterThanOrEqual(100_000);
    expect(result.tokens).toBeLessThanOrEqual(4000);
  });
});
