import { describe, expect, it } from 'vitest';
import { callStarted, whenIdle } from '../../src/mcp/idle.js';

/** Background work waits for calls in flight; a call never waits for it. */
describe('whenIdle', () => {
  it('resolves at once (after a turn of the event loop) when no call is in flight', async () => {
    let idle = false;
    const waiting = whenIdle().then(() => (idle = true));
    await waiting;
    expect(idle).toBe(true);
  });

  it('waits until every call in flight has finished, including one that starts meanwhile', async () => {
    const first = callStarted();
    let idle = false;
    const waiting = whenIdle().then(() => (idle = true));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(idle).toBe(false);
    const second = callStarted();
    first();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(idle).toBe(false);
    second();
    second(); // a second finish of the same call counts once
    await waiting;
    expect(idle).toBe(true);
  });

  it('sees a call that arrives in the same turn as the wait begins', async () => {
    let idle = false;
    const waiting = whenIdle().then(() => (idle = true));
    const finished = callStarted(); // before the event loop turns
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(idle).toBe(false);
    finished();
    await waiting;
    expect(idle).toBe(true);
  });
});
