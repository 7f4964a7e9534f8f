import { createHash } from 'node:crypto';
import { z } from 'zod';
import { UserError } from './errors.js';

/** Output budgets, in o200k tokens (DESIGN.md §2). */
export const DEFAULT_MAX_TOKENS = 4000;
export const MAX_TOKENS_CAP = 20000;

/** The shared `maxTokens` input: any positive budget, clamped to the hard cap by `budgetOf`. */
export const maxTokensInput = z.number().int().min(1).optional().describe(`default ${DEFAULT_MAX_TOKENS}, max ${MAX_TOKENS_CAP}`);

export function budgetOf(maxTokens: number | undefined): number {
  return Math.min(maxTokens ?? DEFAULT_MAX_TOKENS, MAX_TOKENS_CAP);
}

type Encoder = { countTokens(text: string): number };
let encoder: Promise<Encoder> | undefined;

/** The o200k counter, loaded on first use: start-up must not pay for it (bench/startup.mjs). */
function loadEncoder(): Promise<Encoder> {
  encoder ??= import('./o200k.js').then(async ({ loadTokenCounter }) => {
    const counter = await loadTokenCounter();
    return { countTokens: (text: string) => counter.count(text) };
  });
  return encoder;
}

/**
 * A token never covers less than one byte, so text of at most N UTF-8 bytes has at most N
 * tokens. Small outputs are therefore known to fit without loading the tokenizer at all.
 */
function surelyFits(text: string, budget: number): boolean {
  return text.length <= budget && Buffer.byteLength(text) <= budget;
}

/** Loads the tokenizer ahead of need (the server does it once the client has its tool list). */
export async function warmTokenizer(): Promise<void> {
  (await loadEncoder()).countTokens('warm up');
}

export async function countTokens(text: string): Promise<number> {
  if (!text) return 0;
  return countPieces(await loadEncoder(), text, Infinity);
}

/**
 * BPE merges one pre-token in time quadratic in its length: a 64k-character run of one letter
 * takes seconds, a line of a few MB hours, all of it blocking the event loop. Runs of
 * RUN_CHARS or more (of non-space, or of space) are therefore counted in pieces of that
 * length; the rest of the text is counted as it is, so ordinary text counts exactly as the
 * tokenizer counts it. Counting stops once it passes `limit`.
 */
const RUN_CHARS = 256;

/** `\s` as JavaScript's regexes define it. */
function isSpace(code: number): boolean {
  if (code < 0x80) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  return (
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/**
 * The [start, end) of each run of RUN_CHARS code points, all spaces or all non-spaces, left to
 * right and not overlapping: what `/\S{256}|\s{256}/gu` matches, found by one plain scan (a
 * regex costs several times more per character, and every count goes through here).
 */
export function* longRuns(text: string): Generator<[number, number]> {
  let start = 0;
  let length = 0;
  let space: boolean | undefined;
  for (let i = 0; i < text.length; ) {
    const code = text.codePointAt(i)!;
    const width = code > 0xffff ? 2 : 1;
    const kind = isSpace(code);
    if (kind !== space) {
      space = kind;
      start = i;
      length = 0;
    }
    i += width;
    if (++length === RUN_CHARS) {
      yield [start, i];
      start = i;
      length = 0;
    }
  }
}

function countPieces(encoder: Encoder, text: string, limit: number): number {
  if (text.length < RUN_CHARS) return encoder.countTokens(text);
  let total = 0;
  let from = 0;
  for (const [start, end] of longRuns(text)) {
    if (start > from) total += encoder.countTokens(text.slice(from, start));
    total += encoder.countTokens(text.slice(start, end));
    from = end;
    if (total > limit) return total;
  }
  return from < text.length ? total + encoder.countTokens(text.slice(from)) : total;
}

/**
 * The larger of what a result costs in its two channels: the structured content as JSON (what
 * Claude Code and the Codex CLI hand the model) and the text rendering (what other clients show).
 * `maxTokens` bounds both (DESIGN.md §2).
 */
export async function channelTokens(structured: unknown, text: string, budget: number): Promise<number> {
  const json = JSON.stringify(structured);
  if (surelyFits(json, budget) && surelyFits(text, budget)) return 0; // known to fit: not counted
  return Math.max(await countTokens(json), await countTokens(text));
}

export async function fitsBudget(text: string, budget: number): Promise<boolean> {
  return surelyFits(text, budget) || (await countTokens(text)) <= budget;
}

/**
 * How many of `items`, from the first, fit in `budget` tokens when each is rendered on its
 * own line(s). Counting per item is a close upper bound of counting the joined text; the
 * join is checked at the end so the answer is exact, never over.
 */
export async function fitItems<T>(items: readonly T[], render: (item: T) => string, budget: number): Promise<number> {
  const texts = items.map((item) => render(item) + '\n');
  if (surelyFits(texts.join(''), budget)) return items.length;
  const encoder = await loadEncoder();
  const count = (text: string, limit = Infinity): number => countPieces(encoder, text, limit);
  let used = 0;
  let kept = 0;
  for (const text of texts) {
    const cost = count(text, budget - used);
    if (used + cost > budget) break;
    used += cost;
    kept++;
  }
  while (kept > 0 && count(texts.slice(0, kept).join('')) > budget) kept--;
  return kept;
}

/**
 * The length (in UTF-16 units, never splitting a surrogate pair) of the longest prefix of
 * `text` that fits in `budget` tokens: for text too long to show whole, such as one line
 * longer than a page. The text is measured in pieces cut before a space, where the
 * tokenizer's pre-splitting cuts too, so only the piece the budget ends in is searched.
 */
export async function fitPrefix(text: string, budget: number): Promise<number> {
  if (surelyFits(text, budget)) return text.length;
  const encoder = await loadEncoder();
  let used = 0;
  let from = 0;
  while (from < text.length) {
    const to = pieceEnd(text, from);
    const cost = countPieces(encoder, text.slice(from, to), budget - used);
    if (used + cost > budget) {
      // Binary search inside the piece: the longest head of it that still fits.
      let low = 0;
      let high = to - from - 1;
      while (low < high) {
        const middle = (low + high + 1) >> 1;
        if (used + countPieces(encoder, text.slice(from, from + middle), Infinity) <= budget) low = middle;
        else high = middle - 1;
      }
      return avoidSplitPair(text, from + low);
    }
    used += cost;
    from = to;
  }
  return text.length;
}

const PIECE_CHARS = 1024;

/** Where the piece starting at `from` ends: before the last space preceded by a non-space, or at a hard limit. */
function pieceEnd(text: string, from: number): number {
  const limit = Math.min(text.length, from + PIECE_CHARS);
  if (limit === text.length) return limit;
  for (let i = limit - 1; i > from + 1; i--) {
    if (text.charCodeAt(i) === 32 && !/\s/.test(text[i - 1]!)) return i;
  }
  return avoidSplitPair(text, from + RUN_CHARS) || limit;
}

function avoidSplitPair(text: string, at: number): number {
  const code = text.charCodeAt(at - 1);
  return at > 0 && at < text.length && code >= 0xd800 && code <= 0xdbff ? at - 1 : at;
}

export interface FittedText {
  text: string;
  truncated: boolean;
  /** Lines kept, counted from the start (or from the end for `fitTail`). */
  keptLines: number;
  totalLines: number;
}

/** The head of `text` that fits the budget, cut at a line boundary. */
export async function fitHead(text: string, budget: number): Promise<FittedText> {
  const lines = splitLines(text);
  const kept = await fitItems(lines, (line) => line, budget);
  return { text: lines.slice(0, kept).join('\n'), truncated: kept < lines.length, keptLines: kept, totalLines: lines.length };
}

/** The tail of `text` that fits the budget, cut at a line boundary: where test output says what failed. */
export async function fitTail(text: string, budget: number): Promise<FittedText> {
  const lines = splitLines(text).reverse();
  const kept = await fitItems(lines, (line) => line, budget);
  return {
    text: lines.slice(0, kept).reverse().join('\n'),
    truncated: kept < lines.length,
    keptLines: kept,
    totalLines: lines.length,
  };
}

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * Cursors are opaque to callers: base64url JSON with the offset to continue from and a
 * digest of the query they belong to, so a cursor replayed against another query is refused.
 */
export function queryKey(query: unknown): string {
  return createHash('sha256').update(JSON.stringify(query)).digest('base64url').slice(0, 12);
}

/** `within`: a position inside the item at `offset` (a column inside a line), for pages that cut an item. */
export function encodeCursor(key: string, offset: number, within?: number): string {
  return Buffer.from(JSON.stringify(within ? { k: key, o: offset, w: within } : { k: key, o: offset })).toString('base64url');
}

export function decodeCursor(cursor: string | undefined, key: string): number {
  return decodeCursorPosition(cursor, key).offset;
}

export function decodeCursorPosition(cursor: string | undefined, key: string): { offset: number; within: number } {
  if (cursor === undefined) return { offset: 0, within: 0 };
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const shape = parsed as { k?: unknown; o?: unknown; w?: unknown } | undefined;
  const position = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0;
  if (typeof shape?.k !== 'string' || !position(shape.o) || (shape.w !== undefined && !position(shape.w))) {
    throw new UserError('cursor is malformed', 'Pass the nextCursor of an earlier result unchanged, or omit it to start over');
  }
  if (shape.k !== key) {
    throw new UserError('cursor belongs to a different query', 'Repeat the query that returned it, with the same arguments, or omit cursor');
  }
  return { offset: shape.o, within: shape.w ?? 0 };
}
