import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecordStream } from '../../src/tools/repo-scan/search-records.js';

/** Hits as git grep -z -n --column prints them: the column counts bytes, the hit's column UTF-16 units. */
const text = fc.string({ unit: fc.constantFrom('a', ' ', 'é', '😀', '\0', ':'), maxLength: 12 });
const hit = fc.record({
  path: fc.constantFrom('a.ts', 'dir/b é.py', 'c:d'),
  line: fc.nat({ max: 999 }),
  before: text,
  after: text,
  crlf: fc.boolean(),
});
type Hit = { path: string; line: number; before: string; after: string; crlf: boolean };

/** `before` is the text before the match; a CRLF line keeps its CR in git's output. */
function record(h: Hit): string {
  return `${h.path}\0${h.line + 1}\0${Buffer.byteLength(h.before) + 1}\0${h.before}${h.after}${h.crlf ? '\r' : ''}\n`;
}

function expected(h: Hit) {
  return { path: h.path, line: h.line + 1, column: h.before.length + 1, text: h.before + h.after };
}

/** The bytes cut at the given points, as a pipe would deliver them. */
function chunks(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let from = 0;
  for (const point of [...points, bytes.length]) {
    out.push(bytes.subarray(from, point));
    from = point;
  }
  return out;
}

describe('search records', () => {
  it('counts every record and keeps the window, then as many as fit, however the output is cut', () => {
    fc.assert(
      fc.property(
        fc.array(hit, { maxLength: 40 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.nat({ max: 45 }),
        fc.integer({ min: 1, max: 45 }),
        fc.nat({ max: 200 }),
        fc.boolean(),
        (hits, cuts, offset, limit, keepBytes, lastLineFeed) => {
          let output = Buffer.from(hits.map(record).join(''));
          if (!lastLineFeed && output.length) output = output.subarray(0, -1); // robust to a missing last line feed
          const stream = new RecordStream(offset, offset + limit, keepBytes);
          for (const chunk of chunks(output, cuts)) stream.push(chunk);
          const { total, run } = stream.finish();
          const all = hits.map(expected);

          expect(total).toBe(hits.length);
          expect(run.first).toBe(offset);
          // The whole window is kept whatever its size; more only within keepBytes (plus what shares a chunk).
          expect(run.count).toBeGreaterThanOrEqual(Math.min(limit, Math.max(0, total - offset)));
          expect(run.count).toBeLessThanOrEqual(Math.max(0, total - offset));
          expect(run.window(offset, limit)).toEqual(all.slice(offset, offset + limit));
          // Any window inside the run, in any order (consecutive pages skip from where the last ended).
          for (const from of [offset + run.count - 1, offset + 1, offset]) {
            if (!run.covers(from)) continue;
            expect(run.window(from, 3)).toEqual(all.slice(from, Math.min(from + 3, offset + run.count)));
          }
          expect(run.covers(offset + run.count)).toBe(false);
          expect(run.covers(offset - 1)).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('stops keeping at keepBytes once the window is kept, and counts on', () => {
    const line = (i: number) => ['f.ts', String(i).padStart(4, '0'), '1', `${'x'.repeat(87)}\n`].join('\0'); // 100 bytes each
    const big = new RecordStream(10, 20, 2500);
    for (let i = 1; i <= 1000; i++) big.push(Buffer.from(line(i)));
    const { total, run } = big.finish();
    expect(total).toBe(1000);
    expect(run.count).toBe(25);
    expect(run.size).toBe(2500);
    expect(run.window(30, 100).map((hit) => hit.line)).toEqual([31, 32, 33, 34, 35]);
    expect(run.covers(35)).toBe(false);

    const small = new RecordStream(10, 20, 500); // a window larger than keepBytes is kept whole
    for (let i = 1; i <= 1000; i++) small.push(Buffer.from(line(i)));
    expect(small.finish().run.count).toBe(10);
  });
});
