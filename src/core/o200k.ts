// Token counting with OpenAI's o200k_base vocabulary, the unit every `maxTokens` is given in.
//
// Only counts are needed, never token ids, so the vocabulary is kept as an open-addressing hash
// table over the tokens' bytes in typed arrays. The build writes that table to `dist/o200k.bin`
// (scripts/build.mjs), and loading it is one file read: no 200k-entry Map is built and no
// 2 MB array literal is compiled, which is what made the first call of a fresh server wait
// (bench/first-call.mjs). Run from source (tests), the table is built from gpt-tokenizer's
// ranks instead; the counting code is the same either way.
import { readFileSync } from 'node:fs';

/** The o200k pre-tokenizer: text is split into pieces that BPE then encodes one by one. */
const CONTRACTION = "(?:'(?:[sS]|[dD]|[mM]|[tT]|[lL][lL]|[vV][eE]|[rR][eE]))?";
const SPLIT = new RegExp(
  String.raw`[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+${CONTRACTION}` +
    String.raw`|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*${CONTRACTION}` +
    String.raw`|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+`,
  'gu',
);

const MAGIC = 0x4b323030; // "002K", little-endian
const HEADER_WORDS = 4;

/** The vocabulary as a hash table: token bytes -> rank. */
export interface Vocabulary {
  /** offsets[rank] .. offsets[rank + 1]: the token's bytes in `bytes` (empty for an unused rank). */
  offsets: Uint32Array;
  /** Open addressing, linear probing: rank + 1, or 0 for an empty slot. Its length is a power of two. */
  table: Uint32Array;
  bytes: Uint8Array;
}

function hashBytes(bytes: Uint8Array, from: number, to: number): number {
  let hash = 0x811c9dc5;
  for (let i = from; i < to; i++) hash = Math.imul(hash ^ bytes[i]!, 0x01000193);
  return hash >>> 0;
}

/** Builds the table from ranks as gpt-tokenizer gives them: a string, or the bytes of a token that is not valid UTF-8. */
export function buildVocabulary(ranks: ReadonlyArray<string | readonly number[] | undefined>): Vocabulary {
  const encoder = new TextEncoder();
  const tokens = ranks.map((token) => (token === undefined ? new Uint8Array(0) : typeof token === 'string' ? encoder.encode(token) : Uint8Array.from(token)));
  const offsets = new Uint32Array(tokens.length + 1);
  for (let rank = 0; rank < tokens.length; rank++) offsets[rank + 1] = offsets[rank]! + tokens[rank]!.length;
  const bytes = new Uint8Array(offsets[tokens.length]!);
  for (let rank = 0; rank < tokens.length; rank++) bytes.set(tokens[rank]!, offsets[rank]!);
  let size = 1;
  while (size < tokens.length * 2) size <<= 1; // at most half full: short probe runs
  const table = new Uint32Array(size);
  for (let rank = 0; rank < tokens.length; rank++) {
    if (!tokens[rank]!.length) continue;
    let slot = hashBytes(bytes, offsets[rank]!, offsets[rank + 1]!) & (size - 1);
    while (table[slot]) slot = (slot + 1) & (size - 1);
    table[slot] = rank + 1;
  }
  return { offsets, table, bytes };
}

/** One buffer: a header, the offsets, the table, the bytes (4-byte aligned, so views need no copy). */
export function serializeVocabulary({ offsets, table, bytes }: Vocabulary): Buffer {
  const words = HEADER_WORDS + offsets.length + table.length;
  const out = Buffer.alloc(words * 4 + bytes.length);
  const view = new Uint32Array(out.buffer, out.byteOffset, words);
  view.set([MAGIC, offsets.length, table.length, bytes.length]);
  view.set(offsets, HEADER_WORDS);
  view.set(table, HEADER_WORDS + offsets.length);
  out.set(bytes, words * 4);
  return out;
}

export function deserializeVocabulary(data: Uint8Array): Vocabulary {
  if (data.byteOffset % 4) data = Uint8Array.from(data); // typed views need alignment
  const header = new Uint32Array(data.buffer, data.byteOffset, HEADER_WORDS);
  const [magic, offsetCount, tableSize, byteCount] = header as unknown as [number, number, number, number];
  if (magic !== MAGIC || data.length !== (HEADER_WORDS + offsetCount + tableSize) * 4 + byteCount) throw new Error('not an o200k vocabulary file');
  const offsets = new Uint32Array(data.buffer, data.byteOffset + HEADER_WORDS * 4, offsetCount);
  const table = new Uint32Array(data.buffer, offsets.byteOffset + offsetCount * 4, tableSize);
  return { offsets, table, bytes: new Uint8Array(data.buffer, table.byteOffset + tableSize * 4, byteCount) };
}

/** Counts o200k tokens. Special-token text such as `<|endoftext|>` counts as the plain text it is. */
export class TokenCounter {
  private readonly encoder = new TextEncoder();
  private scratch = new Uint8Array(1024);
  /** Counts of pieces seen before: identifiers and keywords repeat all through code. */
  private readonly cache = new Map<string, number>();

  constructor(private readonly vocabulary: Vocabulary) {}

  count(text: string): number {
    let total = 0;
    for (const [piece] of text.matchAll(SPLIT)) total += this.countPiece(piece);
    return total;
  }

  private countPiece(piece: string): number {
    let count = this.cache.get(piece);
    if (count !== undefined) return count;
    if (this.scratch.length < piece.length * 3) this.scratch = new Uint8Array(piece.length * 3);
    const length = this.encoder.encodeInto(piece, this.scratch).written;
    count = this.rankOf(this.scratch, 0, length) >= 0 ? 1 : this.merge(this.scratch, length);
    if (this.cache.size >= 50_000) this.cache.clear();
    this.cache.set(piece, count);
    return count;
  }

  /** The rank of bytes[from, to), or -1 when they are no token. */
  private rankOf(bytes: Uint8Array, from: number, to: number): number {
    const { offsets, table, bytes: vocab } = this.vocabulary;
    const mask = table.length - 1;
    const length = to - from;
    for (let slot = hashBytes(bytes, from, to) & mask; table[slot]; slot = (slot + 1) & mask) {
      const rank = table[slot]! - 1;
      const start = offsets[rank]!;
      if (offsets[rank + 1]! - start !== length) continue;
      let i = 0;
      while (i < length && vocab[start + i] === bytes[from + i]) i++;
      if (i === length) return rank;
    }
    return -1;
  }

  /**
   * Byte-pair merging as tiktoken does it: start from single bytes and keep merging the
   * adjacent pair whose union has the lowest rank (the leftmost on a tie) until none is a token.
   * The number of parts left is the piece's token count.
   */
  private merge(bytes: Uint8Array, length: number): number {
    const starts: number[] = [];
    const ranks: number[] = [];
    const pairRank = (i: number): number => {
      const end = starts[i + 2];
      if (end === undefined) return Infinity;
      const rank = this.rankOf(bytes, starts[i]!, end);
      return rank < 0 ? Infinity : rank;
    };
    for (let i = 0; i <= length; i++) starts.push(i);
    for (let i = 0; i <= length; i++) ranks.push(pairRank(i));
    while (starts.length > 1) {
      let lowest = Infinity;
      let at = -1;
      for (let i = 0; i < ranks.length - 1; i++) {
        if (ranks[i]! < lowest) {
          lowest = ranks[i]!;
          at = i;
        }
      }
      if (at < 0) break;
      starts.splice(at + 1, 1);
      ranks.splice(at, 1);
      ranks[at] = pairRank(at);
      if (at > 0) ranks[at - 1] = pairRank(at - 1);
    }
    return starts.length - 1;
  }
}

/**
 * Where the build puts the table: beside the bundle's entry. The counter may be bundled into
 * the entry file or a chunk one folder down, so both places are tried.
 */
const VOCABULARY_FILES = ['./o200k.bin', '../o200k.bin'];

/** The counter, from the built table when there is one, else from gpt-tokenizer's ranks. */
export async function loadTokenCounter(): Promise<TokenCounter> {
  for (const file of VOCABULARY_FILES) {
    let data: Buffer;
    try {
      data = readFileSync(new URL(file, import.meta.url));
    } catch {
      continue;
    }
    return new TokenCounter(deserializeVocabulary(data));
  }
  const { default: ranks } = await import('gpt-tokenizer/bpeRanks/o200k_base');
  return new TokenCounter(buildVocabulary(ranks as ReadonlyArray<string | number[]>));
}
