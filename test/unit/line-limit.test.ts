import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LineLimit, requestIdIn } from '../../src/mcp/line-limit.js';

async function through(chunks: Buffer[], max: number) {
  const dropped: Array<{ head: string; bytes: number }> = [];
  const out: string[] = [];
  const limit = new LineLimit(max, (head, bytes) => dropped.push({ head, bytes }));
  for await (const line of Readable.from(chunks).pipe(limit)) out.push((line as Buffer).toString());
  return { out, dropped };
}

describe('LineLimit', () => {
  it('passes whole lines on, however the input is chunked', async () => {
    const text = '{"a":1}\n{"b":"two"}\n{"c":3}\n';
    for (const size of [1, 2, 3, 7, 100]) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < text.length; i += size) chunks.push(Buffer.from(text.slice(i, i + size)));
      const { out, dropped } = await through(chunks, 64);
      expect(out.join('')).toBe(text);
      expect(out.every((piece) => piece.endsWith('\n'))).toBe(true); // never half a line
      expect(dropped).toEqual([]);
    }
  });

  it('drops a line over the limit, tells its head and size, and goes on with the next', async () => {
    const big = `{"jsonrpc":"2.0","id":"req-9","params":"${'x'.repeat(500)}"}\n`;
    const chunks = [Buffer.from('{"ok":1}\n' + big.slice(0, 100)), Buffer.from(big.slice(100, 300)), Buffer.from(big.slice(300) + '{"ok":2}\n')];
    const { out, dropped } = await through(chunks, 128);
    expect(out.join('')).toBe('{"ok":1}\n{"ok":2}\n');
    expect(dropped).toHaveLength(1);
    expect(dropped[0]!.bytes).toBe(big.length);
    expect(requestIdIn(dropped[0]!.head)).toBe('req-9');
  });

  it('finds numeric, string and missing ids', () => {
    expect(requestIdIn('{"jsonrpc":"2.0","id":42,"method"')).toBe(42);
    expect(requestIdIn('{"id" : "a\\"b"')).toBe('a"b');
    expect(requestIdIn('{"method":"x"')).toBeNull();
  });
});
