import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import bpe from 'gpt-tokenizer/bpeRanks/o200k_base';
import { encode } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import { buildVocabulary, deserializeVocabulary, serializeVocabulary, TokenCounter } from '../../src/core/o200k.js';

// Baton's counter against gpt-tokenizer's encoder (the reference): equal counts on real code and
// on random text. Special tokens are text here, as they are in content a model is shown.
const reference = (text: string): number => encode(text, { disallowedSpecial: new Set() }).length;
const vocabulary = buildVocabulary(bpe);
const counter = new TokenCounter(vocabulary);

function* sourceFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sourceFiles(path);
    else yield path;
  }
}

describe('o200k token counter', () => {
  it('counts every source file of Baton and some of its dependencies as gpt-tokenizer does', () => {
    const files = [...sourceFiles('src'), ...sourceFiles('node_modules/diff/libesm'), 'README.md', 'node_modules/picomatch/lib/parse.js'];
    let checked = 0;
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      expect({ file, count: counter.count(text) }).toEqual({ file, count: reference(text) });
      checked++;
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('counts random text as gpt-tokenizer does', () => {
    const text = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 200 }),
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc
        .array(fc.constantFrom(' ', '\n', '\r\n', '\t', 'foo', 'Bar', "'s", '123456', 'é', '日本語', '🙂', '//', '<|endoftext|>', '\u0301'), { maxLength: 60 })
        .map((parts) => parts.join('')),
    );
    fc.assert(
      fc.property(text, (t) => counter.count(t) === reference(t)),
      { numRuns: 2000 },
    );
  });

  it('counts special-token text as plain text instead of refusing it', () => {
    expect(counter.count('a <|endoftext|> b')).toBe(reference('a <|endoftext|> b'));
    expect(counter.count('<|im_start|>')).toBeGreaterThan(1);
  });

  it('gives the same counts from the serialized table the build ships', () => {
    const loaded = new TokenCounter(deserializeVocabulary(serializeVocabulary(vocabulary)));
    const text = readFileSync('src/core/o200k.ts', 'utf8');
    expect(loaded.count(text)).toBe(reference(text));
  });

  it('refuses a file that is not a vocabulary', () => {
    expect(() => deserializeVocabulary(Buffer.from('not a vocabulary at all'))).toThrow(/not an o200k vocabulary/);
  });
});
