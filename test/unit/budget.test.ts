import { describe, expect, it } from 'vitest';
import { budgetOf, countTokens, decodeCursor, encodeCursor, fitHead, fitItems, fitTail, queryKey } from '../../src/core/budget.js';

describe('budget', () => {
  it('counts with the real o200k tokenizer', async () => {
    expect(await countTokens('')).toBe(0);
    expect(await countTokens('hello world')).toBe(2);
  });

  it('clamps maxTokens to the hard cap', () => {
    expect(budgetOf(undefined)).toBe(4000);
    expect(budgetOf(50_000)).toBe(20_000);
  });

  it('fits items exactly: never over the budget, and the next item would not fit', async () => {
    const items = Array.from({ length: 500 }, (_, i) => `src/module-${i}/file-${i * 7}.ts  ${'x'.repeat(i % 13)}`);
    for (const budget of [1, 50, 333, 1000]) {
      const kept = await fitItems(items, (s) => s, budget);
      const text = items.slice(0, kept).map((s) => s + '\n').join('');
      expect(await countTokens(text)).toBeLessThanOrEqual(budget);
      const more = items.slice(0, kept + 1).map((s) => s + '\n').join('');
      expect(await countTokens(more)).toBeGreaterThan(budget);
    }
  });

  it('keeps the head or the tail at line boundaries', async () => {
    const text = Array.from({ length: 200 }, (_, i) => `line ${i}`).join('\n');
    const head = await fitHead(text, 30);
    expect(head.truncated).toBe(true);
    expect(head.text.startsWith('line 0\nline 1')).toBe(true);
    const tail = await fitTail(text, 30);
    expect(tail.text.endsWith('line 198\nline 199')).toBe(true);
    expect(tail.keptLines).toBe(tail.text.split('\n').length);
    expect((await fitHead('short', 100)).truncated).toBe(false);
  });

  it('round-trips cursors and refuses foreign or malformed ones', () => {
    const key = queryKey({ mode: 'tree', path: 'src' });
    expect(decodeCursor(encodeCursor(key, 42), key)).toBe(42);
    expect(decodeCursor(undefined, key)).toBe(0);
    expect(() => decodeCursor(encodeCursor(queryKey({ mode: 'tree' }), 42), key)).toThrow(/different query/);
    expect(() => decodeCursor('not-a-cursor', key)).toThrow(/malformed/);
  });
});
