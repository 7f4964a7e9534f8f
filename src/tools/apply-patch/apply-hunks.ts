import { matchHunk, nearestRegion, oldLines } from './match.js';
import type { HunkReport } from './schema.js';
import type { FileText } from './text.js';
import type { Hunk } from './types.js';

export type { HunkReport };

export interface HunkError {
  hunk: number;
  message: string;
  expected: string[];
  nearest?: { line: number; text: string };
}

export interface HunksResult {
  text: FileText;
  reports: HunkReport[];
  errors: HunkError[];
  additions: number;
  deletions: number;
}

export interface ApplyOptions {
  format: 'unified' | 'codex';
  /**
   * The hunk lines carry the patch's own line endings (`cr`): parsed patch text. Hunks built
   * from search/replace edits do not.
   */
  patchEndings?: boolean;
  /** The file is byte-identical to the one the diff was made from (git's `index` line). */
  unchangedSinceDiff: boolean;
}

export interface Replacement {
  start: number;
  end: number;
  lines: string[];
  /** Endings for the new lines; context lines keep the file's own. */
  endings: string[];
}

/**
 * Applies a file's hunks to its text in memory. Every hunk is matched against the original
 * lines, in order and without overlapping; the result is built in one pass at the end, so
 * reported line numbers are those of the file as it was.
 */
export function applyHunks(file: FileText, hunks: readonly Hunk[], options: ApplyOptions): HunksResult {
  const reports: HunkReport[] = [];
  const errors: HunkError[] = [];
  const replacements: Replacement[] = [];
  let from = 0;
  let drift = 0;
  /** An earlier hunk matched in exactly one place, so `drift` is a fact, not a guess. */
  let driftConfirmed = false;
  let additions = 0;
  let deletions = 0;

  let bom = file.bom;

  hunks.forEach((patchHunk, i) => {
    const index = i + 1;
    const { hunk, oldBom, newBom } = withoutBom(patchHunk);
    from = Math.max(from, anchorPosition(file.lines, hunk, from) ?? from);
    const stated = statedStart(hunk);
    const expected = stated === undefined ? undefined : Math.max(0, stated + drift);
    // Codex: a chunk of only added lines, with nothing to anchor it, appends at the end of the
    // file (before its final empty line, if it has one).
    const appends = options.format === 'codex' && !hunk.anchors.length && !oldLines(hunk).length;
    if (appends) from = Math.max(from, file.lines.length - (file.lines.at(-1) === '' ? 1 : 0));
    const found = matchHunk(file.lines, hunk, {
      expected: expected ?? (options.format === 'codex' ? from : undefined),
      from,
      allowFuzz: options.format === 'unified',
      firstExactWins: options.format === 'codex',
      expectedIsReliable: options.unchangedSinceDiff || driftConfirmed,
    });
    if ('reason' in found) {
      const message =
        found.reason === 'ambiguous'
          ? `matches at lines ${found.candidates.join(', ')}; add context lines that occur only at the intended place`
          : anchorMissing(file.lines, hunk, from)
            ? `context line "${hunk.anchors[0]}" (after @@) not found`
            : 'does not match the file';
      reports.push({ index, status: 'failed', line: 0, offset: 0, message });
      const nearest = nearestRegion(file.lines, hunk, 0);
      errors.push({ hunk: index, message, expected: oldLines(hunk), ...(nearest ? { nearest } : {}) });
      return;
    }
    const literal = (found.kind === 'exact' || found.kind === 'offset') && !found.droppedBefore && !found.droppedAfter;
    const exactBytes = literal && options.patchEndings === true && carriesEndings(file, hunk, found.start);
    const replacement = replace(file, hunk, found.start, found.droppedBefore, found.droppedAfter, exactBytes);
    if (found.start + replacement.oldCount === file.lines.length) adjustFinalNewline(file, hunk, replacement, options.format, exactBytes);
    // A hunk that states the file's BOM (or its absence) and changes it, changes it.
    if (literal && found.start === 0 && oldBom === file.bom && oldBom !== newBom) bom = newBom;
    replacements.push(replacement);
    const offset = stated === undefined ? 0 : found.start - found.droppedBefore - stated;
    if (stated !== undefined) {
      drift = offset;
      driftConfirmed = found.certain;
    }
    reports.push({ index, status: 'applied', line: found.start + 1, offset, match: found.kind });
    additions += hunk.lines.filter((line) => line.kind === '+').length;
    deletions += hunk.lines.filter((line) => line.kind === '-').length;
    from = replacement.end;
  });

  return { text: errors.length ? file : rebuild({ ...file, bom }, replacements), reports, errors, additions, deletions };
}

const BOM = '\uFEFF';

/**
 * A hunk whose first line starts with a BOM (a diff that adds, removes or shows the BOM of a
 * file) is matched without it; whether each side had one is kept.
 */
function withoutBom(hunk: Hunk): { hunk: Hunk; oldBom: boolean; newBom: boolean } {
  const first = hunk.lines[0];
  if (!first || (hunk.oldStart !== undefined && hunk.oldStart > 1)) return { hunk, oldBom: false, newBom: false };
  const oldIndex = hunk.lines.findIndex((line) => line.kind !== '+');
  const newIndex = hunk.lines.findIndex((line) => line.kind !== '-');
  const oldBom = oldIndex >= 0 && hunk.lines[oldIndex]!.text.startsWith(BOM);
  const newBom = newIndex >= 0 && hunk.lines[newIndex]!.text.startsWith(BOM);
  if (!oldBom && !newBom) return { hunk, oldBom, newBom };
  const lines = hunk.lines.map((line, i) => ((i === oldIndex && oldBom) || (i === newIndex && newBom) ? { ...line, text: line.text.slice(BOM.length) } : line));
  return { hunk: { ...hunk, lines }, oldBom, newBom };
}

/**
 * Whether the hunk's old lines (context and removed) carry exactly the endings the file has
 * where they matched, a missing final newline included: then the patch knows the file's bytes,
 * and its added lines are written with the endings it gives them.
 */
function carriesEndings(file: FileText, hunk: Hunk, start: number): boolean {
  const old = hunk.lines.filter((line) => line.kind !== '+');
  if (!old.length) return false;
  return old.every((line, j) => {
    const ending = j === old.length - 1 && hunk.oldNoNewline ? '' : line.cr ? '\r\n' : '\n';
    return file.endings[start + j] === ending;
  });
}

/** 0-based line where a unified hunk says its old lines start; a pure insertion names the line before. */
function statedStart(hunk: Hunk): number | undefined {
  if (hunk.oldStart === undefined) return undefined;
  return oldLines(hunk).length === 0 ? hunk.oldStart : hunk.oldStart - 1;
}

/** After the lines matching each `@@ <context>` anchor in turn, searching forward from `from`. */
function anchorPosition(lines: readonly string[], hunk: Hunk, from: number): number | undefined {
  let position = from;
  for (const anchor of hunk.anchors) {
    const wanted = anchor.trim();
    let found = -1;
    for (let i = position; i < lines.length; i++) {
      if (lines[i] === anchor || lines[i]!.trim() === wanted) {
        found = i;
        break;
      }
    }
    if (found === -1) return undefined;
    position = found + 1;
  }
  return position;
}

function anchorMissing(lines: readonly string[], hunk: Hunk, from: number): boolean {
  return hunk.anchors.length > 0 && anchorPosition(lines, hunk, 0) === undefined && anchorPosition(lines, hunk, from) === undefined;
}

/**
 * What the lines of `file` a hunk matched at `start` become: its added lines re-indented like
 * the file when the match needed whitespace tolerance (search/replace's tolerant matches).
 */
export function replacementAt(file: FileText, hunk: Hunk, start: number): Replacement {
  const replacement = replace(file, hunk, start, 0, 0);
  if (start + replacement.oldCount === file.lines.length) adjustFinalNewline(file, hunk, replacement, 'unified', false);
  return replacement;
}

function replace(file: FileText, hunk: Hunk, start: number, dropBefore: number, dropAfter: number, exactBytes = false): Replacement & { oldCount: number } {
  const lines = hunk.lines.slice(dropBefore, hunk.lines.length - dropAfter);
  const indent = reindenter(file.lines, lines, start);
  const out: string[] = [];
  const endings: string[] = [];
  let position = start;
  for (const line of lines) {
    if (line.kind === ' ') {
      out.push(file.lines[position]!);
      endings.push(file.endings[position]!);
      position++;
    } else if (line.kind === '-') {
      position++;
    } else {
      out.push(indent(line.text));
      endings.push(exactBytes ? (line.cr ? '\r\n' : '\n') : file.eol);
    }
  }
  // The last replaced line keeps the file's own ending state (final newline or not), unless
  // the patch gave its bytes (then `\ No newline at end of file` decides).
  if (!exactBytes && position === file.lines.length && endings.length && position > start) endings[endings.length - 1] = file.endings[position - 1]!;
  return { start, end: position, lines: out, endings, oldCount: position - start };
}

/**
 * When a hunk matched with whitespace tolerance, its added lines carry the patch's
 * indentation; they get the file's instead. The first line that differs only in its
 * indentation gives the mapping: tabs for groups of spaces when the file indents with tabs,
 * otherwise the same shift.
 */
function reindenter(file: readonly string[], lines: readonly Hunk['lines'][number][], start: number): (text: string) => string {
  let position = start;
  for (const line of lines) {
    if (line.kind === '+') continue;
    const actual = file[position++];
    if (actual === undefined || !line.text.trim()) continue;
    const patchIndent = /^\s*/.exec(line.text)![0];
    const fileIndent = /^\s*/.exec(actual)![0];
    if (patchIndent === fileIndent) return (text) => text;
    const tabs = /^\t+$/.test(fileIndent) && /^ +$/.test(patchIndent) && patchIndent.length % fileIndent.length === 0;
    if (tabs) {
      const width = patchIndent.length / fileIndent.length;
      return (text) => {
        const spaces = /^ */.exec(text)![0].length;
        return '\t'.repeat(Math.floor(spaces / width)) + ' '.repeat(spaces % width) + text.slice(spaces);
      };
    }
    return (text) => (text.startsWith(patchIndent) ? fileIndent + text.slice(patchIndent.length) : text);
  }
  return (text) => text;
}

/** A hunk that reaches the end of the file decides its final newline, when the patch says so. */
function adjustFinalNewline(file: FileText, hunk: Hunk, replacement: Replacement, format: 'unified' | 'codex', exactBytes: boolean): void {
  if (format !== 'unified' || !replacement.endings.length) return;
  const last = replacement.endings.length - 1;
  if (hunk.newNoNewline) replacement.endings[last] = '';
  else if (hunk.oldNoNewline) replacement.endings[last] = exactBytes ? (hunk.lines.findLast((line) => line.kind !== '-')?.cr ? '\r\n' : '\n') : file.eol;
}

function rebuild(file: FileText, replacements: readonly Replacement[]): FileText {
  const lines: string[] = [];
  const endings: string[] = [];
  let position = 0;
  for (const replacement of replacements) {
    for (; position < replacement.start; position++) {
      lines.push(file.lines[position]!);
      endings.push(file.endings[position]!);
    }
    lines.push(...replacement.lines);
    endings.push(...replacement.endings);
    position = replacement.end;
  }
  for (; position < file.lines.length; position++) {
    lines.push(file.lines[position]!);
    endings.push(file.endings[position]!);
  }
  // A line that was last and no longer is needs an ending.
  for (let i = 0; i < endings.length - 1; i++) if (endings[i] === '') endings[i] = file.eol;
  return { ...file, lines, endings };
}
