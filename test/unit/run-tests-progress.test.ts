import { describe, expect, it } from 'vitest';
import { throttled } from '../../src/core/progress.js';

describe('run-tests progress', () => {
  it('sends at most one message a second, the newest one when it does', () => {
    let now = 0;
    const sent: string[] = [];
    const say = throttled(
      (message) => sent.push(message),
      1000,
      () => now,
    );
    for (let i = 1; i <= 2000; i++) {
      now = i * 2; // 2000 tests over 4 s
      say(`${i} tests finished; running tests/test_${Math.floor(i / 100)}.py`);
    }
    expect(sent.length).toBe(4);
    expect(sent[1]).toBe('501 tests finished; running tests/test_5.py');
  });
});
