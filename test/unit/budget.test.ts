import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  budgetOf,
  countTokens,
  decodeCursor,
  decodeCursorPosition,
  encodeCursor,
  fitHead,
  fitItems,
  fitPrefix,
  fitTail,
  longRuns,
  queryKey,
} from '../../src/core/budget.js';

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
      const text = items
        .slice(0, kept)
        .map((s) => s + '\n')
        .join('');
      expect(await countTokens(text)).toBeLessThanOrEqual(budget);
      const more = items
        .slice(0, kept + 1)
        .map((s) => s + '\n')
        .join('');
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

  it('carries a position inside an item in the cursor', () => {
    const key = queryKey({ mode: 'read', path: 'a' });
    expect(decodeCursorPosition(encodeCursor(key, 12, 4000), key)).toEqual({ offset: 12, within: 4000 });
    expect(decodeCursorPosition(encodeCursor(key, 12), key)).toEqual({ offset: 12, within: 0 });
    const bad = Buffer.from(JSON.stringify({ k: key, o: 1, w: -3 })).toString('base64url');
    expect(() => decodeCursorPosition(bad, key)).toThrow(/malformed/);
  });

  it('counts long runs of one character in pieces, as many tokens as whole', async () => {
    // 'x' * 8 is one token, so the run counts the same cut in pieces of 256.
    expect(await countTokens('x'.repeat(64_000))).toBe(8000);
    expect(await countTokens(`a ${'='.repeat(10_000)} b`)).toBeGreaterThan(0);
  });

  it('finds the longest prefix that fits, in ordinary text and in one long run', async () => {
    const words = Array.from({ length: 3000 }, (_, i) => `word${i % 97}`).join(' ');
    for (const text of [words, 'x'.repeat(50_000), '😀'.repeat(5000)]) {
      for (const budget of [7, 100, 1000]) {
        const length = await fitPrefix(text, budget);
        expect(await countTokens(text.slice(0, length))).toBeLessThanOrEqual(budget);
        expect(length).toBeGreaterThan(0);
        expect(length).toBeLessThan(text.length);
        expect(await countTokens(text.slice(0, length + 16))).toBeGreaterThan(budget); // and not far short of it
        expect(text.charCodeAt(length - 1) >= 0xd800 && text.charCodeAt(length - 1) <= 0xdbff).toBe(false); // no half surrogate pair
      }
    }
    expect(await fitPrefix('short', 100)).toBe(5);
  });
});

describe('long runs', () => {
  it('are exactly what /\\S{256}|\\s{256}/gu matches', () => {
    const reference = (text: string) => [...text.matchAll(/\S{256}|\s{256}/gu)].map((m) => [m.index, m.index + m[0].length]);
    const piece = fc.oneof(
      fc.constantFrom(' ', '\t', '\n', '\u00a0', '\u2003', '\u3000', '\ufeff', 'a', 'é', '🙂', '\u0085', '\u180e'),
      fc.string({ unit: 'binary', maxLength: 3 }),
    );
    const text = fc.array(fc.tuple(piece, fc.integer({ min: 1, max: 300 })), { maxLength: 8 }).map((parts) => parts.map(([p, n]) => p.repeat(n)).join(''));
    fc.assert(
      fc.property(text, (t) => {
        expect([...longRuns(t)]).toEqual(reference(t));
      }),
      { numRuns: 500 },
    );
  });
});
