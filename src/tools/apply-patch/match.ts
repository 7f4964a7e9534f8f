import type { Hunk } from './types.js';

/**
 * Where a hunk's old lines are in a file. Matching goes from strict to tolerant, and every
 * tolerant step must find exactly one place: a hunk applied in the wrong place corrupts a
 * file silently, a hunk that fails tells the model what to fix.
 */

export type MatchKind = 'exact' | 'offset' | 'whitespace' | 'unicode' | 'fuzz';

export interface HunkMatch {
  /** 0-based index of the first file line the (possibly trimmed) old lines cover. */
  start: number;
  kind: MatchKind;
  /** The place is certain (the only one, or the stated one of a trusted diff), not a first pick. */
  certain: boolean;
  /** Outer context lines left out (fuzz): the hunk is applied without them. */
  droppedBefore: number;
  droppedAfter: number;
}

export interface MatchFailure {
  reason: 'not-found' | 'ambiguous';
  /** 1-based first lines of the candidates, when ambiguous. */
  candidates: number[];
}

export interface MatchOptions {
  /** 0-based line where the patch says the hunk starts (its own line number plus the drift of earlier hunks). */
  expected?: number | undefined;
  /** 0-based line before which nothing may match: the end of the previous hunk. */
  from: number;
  /** Unified diffs may drop outer context (fuzz); Codex patches may not. */
  allowFuzz: boolean;
  /**
   * When several places match exactly, take the first (Codex semantics: search forward
   * from the previous chunk) instead of the one at `expected`.
   */
  firstExactWins: boolean;
  /**
   * Whether `expected` can be trusted when the hunk's lines occur more than once: the file
   * is the one the diff was made from (git `index` line), or an earlier hunk of the file
   * matched in exactly one place and `expected` includes the drift it showed.
   */
  expectedIsReliable: boolean;
}

type Normalise = (line: string) => string;

/** The tolerant steps of the ladder, in order (search/replace searches them too). */
export const LEVELS: ReadonlyArray<{ kind: MatchKind; normalise: Normalise }> = [
  { kind: 'whitespace', normalise: (line) => line.trimEnd() },
  { kind: 'whitespace', normalise: (line) => line.trim() },
  { kind: 'unicode', normalise: (line) => normaliseUnicode(line).trim().replace(/\s+/g, ' ') },
];

/** Dashes, quotes and spaces that models and editors swap for their ASCII look-alikes. */
export function normaliseUnicode(line: string): string {
  return line
    .replace(/[\u2010-\u2015\u2212\uFE58\uFE63\uFF0D]/g, '-')
    .replace(/[\u2018\u2019\u201A\u201B\u2032\uFF07]/g, "'")
    .replace(/[\u201C\u201D\u201E\u201F\u2033\uFF02]/g, '"')
    .replace(/[\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]/g, ' ')
    .replace(/[\u200B\uFEFF]/g, '');
}

/** The hunk's old side: context and removed lines, in order. */
export function oldLines(hunk: Hunk): string[] {
  return hunk.lines.filter((line) => line.kind !== '+').map((line) => line.text);
}

/**
 * Finds the hunk in `file` (lines without endings). Order: exact at the expected line;
 * exact elsewhere; ignoring trailing, then all outer whitespace; after normalising Unicode;
 * for unified diffs, the same again without up to two outer context lines.
 */
export function matchHunk(file: readonly string[], hunk: Hunk, options: MatchOptions): HunkMatch | MatchFailure {
  const old = oldLines(hunk);
  const expected = options.expected;
  // Where the place is known (a trusted line, or Codex's first match from the previous chunk),
  // other places do not matter, and the rest of the file need not be searched for them.
  if (expected !== undefined && options.expectedIsReliable && !options.firstExactWins && expected >= options.from && !hunk.atEnd) {
    if (expected + old.length <= file.length && sameAt(file, old, expected, (line) => line)) return at(expected, 'exact');
  }
  const exact = findAll(file, old, options, hunk.atEnd, (line) => line, options.firstExactWins ? 1 : Number.POSITIVE_INFINITY);
  if (exact.length) {
    // Codex patches state no line to be off from: the first place wins, not checked for others.
    if (options.firstExactWins) return at(exact[0]!, 'exact', false);
    if (expected !== undefined && exact.includes(expected) && (exact.length === 1 || options.expectedIsReliable)) return at(expected, 'exact');
    if (exact.length === 1) return at(exact[0]!, exact[0] === expected ? 'exact' : 'offset');
    return ambiguous(exact);
  }
  if (!old.length) return { reason: 'not-found', candidates: [] }; // a pure addition matched nowhere exactly (atEnd, or from past the end)

  for (const level of LEVELS) {
    const found = findAll(file, old, options, hunk.atEnd, level.normalise);
    if (found.length === 1) return at(found[0]!, level.kind);
    if (found.length > 1) return ambiguous(found);
  }
  if (options.allowFuzz) {
    for (let drop = 1; drop <= 2; drop++) {
      const trimmed = dropOuterContext(hunk, drop);
      if (!trimmed) break;
      const part = old.slice(trimmed.before, old.length - trimmed.after);
      for (const normalise of [(line: string) => line, ...LEVELS.map((level) => level.normalise)]) {
        const found = findAll(file, part, options, false, normalise);
        if (found.length === 1) return { start: found[0]!, kind: 'fuzz', certain: true, droppedBefore: trimmed.before, droppedAfter: trimmed.after };
        if (found.length > 1) return ambiguous(found);
      }
    }
  }
  return { reason: 'not-found', candidates: [] };
}

function at(start: number, kind: MatchKind, certain = true): HunkMatch {
  return { start, kind, certain, droppedBefore: 0, droppedAfter: 0 };
}

function ambiguous(starts: number[]): MatchFailure {
  return { reason: 'ambiguous', candidates: starts.map((start) => start + 1) };
}

/** How many leading and trailing context lines to leave out at fuzz `drop`, if the hunk has them. */
function dropOuterContext(hunk: Hunk, drop: number): { before: number; after: number } | undefined {
  const lines = hunk.lines;
  let before = 0;
  while (before < drop && lines[before]?.kind === ' ') before++;
  let after = 0;
  while (after < drop && lines[lines.length - 1 - after]?.kind === ' ') after++;
  if (before < drop && after < drop) return undefined; // nothing more to drop than the previous level
  const core = lines.slice(before, lines.length - after);
  if (!core.some((line) => line.kind === '-') && core.every((line) => line.kind !== ' ')) return undefined; // nothing left to anchor on
  return { before, after };
}

/** Every start >= options.from where `old` matches under `normalise` (at the end only, for atEnd). */
function findAll(
  file: readonly string[],
  old: readonly string[],
  options: MatchOptions,
  atEnd: boolean,
  normalise: Normalise,
  limit = Number.POSITIVE_INFINITY,
): number[] {
  const last = file.length - old.length;
  if (last < options.from) return [];
  if (atEnd) return sameAt(file, old, last, normalise) ? [last] : [];
  if (!old.length) return options.expected !== undefined ? [Math.min(Math.max(options.expected, options.from), file.length)] : [options.from];
  const wanted = old.map(normalise);
  const starts: number[] = [];
  for (let start = options.from; start <= last && starts.length < limit; start++) {
    if (normalise(file[start]!) !== wanted[0]) continue;
    let j = 1;
    while (j < wanted.length && normalise(file[start + j]!) === wanted[j]) j++;
    if (j === wanted.length) starts.push(start);
  }
  return starts;
}

function sameAt(file: readonly string[], old: readonly string[], start: number, normalise: Normalise): boolean {
  for (let j = 0; j < old.length; j++) if (normalise(file[start + j]!) !== normalise(old[j]!)) return false;
  return true;
}

/**
 * The region of the file most like the hunk's old lines, for the error message: the start
 * whose lines are most similar, line by line, once trimmed (first such start wins).
 */
export function nearestRegion(file: readonly string[], hunk: Hunk, from = 0): { line: number; text: string } | undefined {
  const old = oldLines(hunk).map((line) => normaliseUnicode(line).trim());
  if (!old.length || !file.length) return undefined;
  const trimmed = file.map((line) => normaliseUnicode(line).trim());
  let best = -1;
  let bestScore = 0;
  for (let start = Math.min(from, file.length - 1); start < file.length; start++) {
    let score = 0;
    for (let j = 0; j < old.length && start + j < file.length; j++) score += similarity(old[j]!, trimmed[start + j]!);
    if (score > bestScore) {
      bestScore = score;
      best = start;
    }
  }
  if (best < 0 || bestScore < 0.5) return undefined;
  return { line: best + 1, text: file.slice(best, best + old.length).join('\n') };
}

/** 1 for equal lines, else the share of characters in a common prefix and suffix (0 below one half). */
function similarity(a: string, b: string): number {
  if (a === b) return a ? 1 : 0;
  const longest = Math.max(a.length, b.length);
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (suffix < a.length - prefix && suffix < b.length - prefix && a[a.length - 1 - suffix] === b[b.length - 1 - suffix]) suffix++;
  const share = (prefix + suffix) / longest;
  return share >= 0.5 ? share : 0;
}
