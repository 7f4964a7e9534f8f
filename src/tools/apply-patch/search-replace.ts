import { replacementAt } from './apply-hunks.js';
import { EditBuffer } from './edit-buffer.js';
import { LEVELS, nearestRegion, oldLines, type MatchKind } from './match.js';
import type { HunkReport, PatchError } from './schema.js';
import { decodeText, type FileText } from './text.js';
import { PatchSyntaxError, type EditFile, type Hunk, type ParsedPatch, type SearchReplace } from './types.js';

/**
 * Search/replace edits: "find this exact text, replace it with that" (Claude's str_replace,
 * Aider's SEARCH/REPLACE blocks, Desktop Commander's edit_block). Each edit of a file applies
 * to the result of the previous one; the text must be found in exactly one place unless
 * `replaceAll`, through the same ladder as hunks (exact, whitespace, Unicode).
 */

/** The structured `edits` input, grouped by file in the order the files first appear. */
export function editsToFiles(edits: ReadonlyArray<{ path: string; oldText: string; newText: string; replaceAll?: boolean | undefined }>): EditFile[] {
  const byPath = new Map<string, EditFile>();
  edits.forEach((edit, i) => {
    let file = byPath.get(edit.path);
    if (!file) {
      file = { action: 'edit', path: edit.path, edits: [], patchLine: i + 1 };
      byPath.set(edit.path, file);
    }
    file.edits.push({ oldText: edit.oldText, newText: edit.newText, replaceAll: edit.replaceAll ?? false, patchLine: i + 1 });
  });
  return [...byPath.values()];
}

const SEARCH = /^<{5,9} ?SEARCH\s*$/;
const DIVIDER = /^={5,9}\s*$/;
const REPLACE = /^>{5,9} ?REPLACE\s*$/;

/** True when a line opens an Aider SEARCH block. */
export function isSearchLine(line: string): boolean {
  return SEARCH.test(line);
}

/**
 * Aider-style blocks: a line with the path, optionally a fence opener, `<<<<<<< SEARCH`, the
 * old lines, `=======`, the new lines, `>>>>>>> REPLACE`. A block without its own path line
 * (the next block in the same fence) edits the previous block's file.
 */
export function parseSearchReplace(text: string): ParsedPatch {
  const lines = text
    .replace(/^\uFEFF/, '')
    .replace(/\r\n/g, '\n')
    .split('\n');
  const files: EditFile[] = [];
  let path: string | undefined;
  let afterBlock = false;
  let pending: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!isSearchLine(line)) {
      const trimmed = line.trim();
      if (trimmed && !trimmed.startsWith('```')) {
        pending = cleanPath(trimmed);
        afterBlock = false;
      }
      continue;
    }
    const blockPath = pending ?? (afterBlock ? path : undefined);
    if (!blockPath) throw new PatchSyntaxError('a SEARCH block needs the file path on a line before it', i + 1);
    const old: string[] = [];
    const replacement: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !DIVIDER.test(lines[j]!); j++) {
      if (isSearchLine(lines[j]!) || REPLACE.test(lines[j]!))
        throw new PatchSyntaxError('a SEARCH block needs "=======" between the old and the new lines', j + 1);
      old.push(lines[j]!);
    }
    if (j >= lines.length) throw new PatchSyntaxError('the SEARCH block has no "=======" line', i + 1);
    for (j++; j < lines.length && !REPLACE.test(lines[j]!); j++) {
      if (isSearchLine(lines[j]!) || DIVIDER.test(lines[j]!)) throw new PatchSyntaxError('the SEARCH block needs ">>>>>>> REPLACE" after its new lines', j + 1);
      replacement.push(lines[j]!);
    }
    if (j >= lines.length) throw new PatchSyntaxError('the SEARCH block has no ">>>>>>> REPLACE" line', i + 1);
    const asText = (block: string[]) => (block.length ? `${block.join('\n')}\n` : '');
    let file = files.at(-1)?.path === blockPath ? files.at(-1) : undefined;
    if (!file) {
      file = { action: 'edit', path: blockPath, edits: [], patchLine: i + 1 };
      files.push(file);
    }
    file.edits.push({ oldText: asText(old), newText: asText(replacement), replaceAll: false, patchLine: i + 1 });
    path = blockPath;
    pending = undefined;
    afterBlock = true;
    i = j;
  }
  if (!files.length)
    throw new PatchSyntaxError(
      'no "<<<<<<< SEARCH" block found',
      1,
      'Send a path line, then <<<<<<< SEARCH, the old lines, =======, the new lines, >>>>>>> REPLACE',
    );
  return { format: 'search-replace', files };
}

/** `path/to/file.py`, also as `**path**`, `` `path` `` or `path:`. */
function cleanPath(line: string): string {
  return line.replace(/^[*`#\s]+|[*`\s]+$/g, '').replace(/:$/, '');
}

export interface EditsResult {
  /** null: the file does not exist (and was not created). */
  text: FileText | null;
  reports: HunkReport[];
  errors: Array<Omit<PatchError, 'path'>>;
  additions: number;
  deletions: number;
}

/**
 * Applies a file's edits in order, in memory: each edit searches the text the edits before it
 * left, so an edit may match text an earlier edit wrote.
 */
export function applyEdits(file: FileText | null, edits: readonly SearchReplace[], eol: '\n' | '\r\n'): EditsResult {
  const result: EditsResult = { text: file, reports: [], errors: [], additions: 0, deletions: 0 };
  let buffer = file ? EditBuffer.of(file) : undefined;
  for (const [i, edit] of edits.entries()) {
    const index = i + 1;
    const oldText = edit.oldText.replace(/\r\n/g, '\n');
    const newText = edit.newText.replace(/\r\n/g, '\n');
    const fail = (message: string, extra: Partial<Omit<PatchError, 'path'>> = {}) => {
      result.reports.push({ index, status: 'failed', line: 0, offset: 0, message });
      result.errors.push({ hunk: index, message, ...extra });
    };
    if (oldText === '') {
      if (buffer?.lineCount) {
        fail('oldText is empty but the file exists and is not empty; give the text to replace');
        continue;
      }
      const created = decodeText(newText);
      buffer = EditBuffer.of(created.eolKnown ? { ...created, endings: created.endings.map((e) => (e ? eol : e)), eol } : { ...created, eol });
      result.reports.push({ index, status: 'applied', line: 1, offset: 0, match: 'exact' });
      result.additions += lineCount(newText);
      continue;
    }
    if (!buffer) {
      fail('the file does not exist (an empty oldText creates it)');
      continue;
    }
    const exact = replaceExact(buffer, oldText, newText, edit.replaceAll);
    if (exact.count > 1 && !edit.replaceAll) {
      fail(
        `oldText matches at ${exact.count > 10 ? 'more than 10' : exact.count} places (lines ${exact.lines.slice(0, 10).join(', ')}); include more surrounding text so it is unique, or set replaceAll`,
        {
          expected: splitLines(oldText),
        },
      );
      continue;
    }
    if (exact.count >= 1) {
      result.reports.push({ index, status: 'applied', line: exact.lines[0]!, offset: 0, match: 'exact' });
      result.additions += exact.count * lineCount(newText);
      result.deletions += exact.count * lineCount(oldText);
      continue;
    }
    // Not found as it is: the same tolerant ladder as a hunk, on whole lines, unique or fail.
    const tolerant = replaceTolerant(buffer, oldText, newText, edit.patchLine ?? 0);
    if ('message' in tolerant) {
      result.reports.push({ index, status: 'failed', line: 0, offset: 0, message: tolerant.message });
      result.errors.push({ hunk: index, ...tolerant });
      continue;
    }
    result.reports.push({ index, status: 'applied', line: tolerant.line, offset: 0, match: tolerant.kind });
    result.additions += tolerant.additions;
    result.deletions += tolerant.deletions;
  }
  if (buffer) result.text = buffer.toFileText();
  return result;
}

/**
 * Every exact occurrence of `oldText`, replaced at once when allowed: the whole lines they
 * span are rewritten. `lines` are the 1-based lines of the occurrences (the first ten, when
 * there is more than one and not `replaceAll`).
 */
function replaceExact(buffer: EditBuffer, oldText: string, newText: string, replaceAll: boolean): { count: number; lines: number[] } {
  // Unique means unique counting overlapping places too ("c\nc" is twice in "c\nc\nc");
  // replaceAll replaces the non-overlapping ones, left to right.
  const found = buffer.find(null, oldText, replaceAll ? Number.POSITIVE_INFINITY : 11);
  if (!found.length) return { count: 0, lines: [] };
  if (found.length > 1 && !replaceAll) return { count: found.length, lines: found.slice(0, 10).map((at) => buffer.lineAt(null, at) + 1) };
  const places: number[] = [];
  for (const at of found) if (!places.length || at >= places.at(-1)! + oldText.length) places.push(at);
  const first = buffer.lineAt(null, places[0]!);
  let last = Math.min(buffer.lineAt(null, places.at(-1)! + oldText.length), buffer.lineCount - 1);
  const old = buffer.slice(first, last);
  let lastEnding = old.endings.at(-1)!;
  let region = (old.lines.join('\n') + (lastEnding ? '\n' : '')).split(oldText).join(newText);
  if (region && !region.endsWith('\n') && last + 1 < buffer.lineCount) {
    // The new text took the newline the old one ended with: the line after it joins it, as in the text.
    const next = buffer.slice(last + 1, last + 1);
    last++;
    lastEnding = next.endings[0]!;
    region += next.lines[0]! + (lastEnding ? '\n' : '');
  }
  const pieces = region.split('\n');
  const terminated = pieces.at(-1) === '';
  if (terminated) pieces.pop();
  // Lines the edit wrote get the file's ending; the last keeps its own, or has none at the end of the file.
  const eol = buffer.eol;
  const endings = pieces.map((_, i) => (i < pieces.length - 1 ? eol : terminated ? lastEnding || eol : ''));
  buffer.splice(first, last - first + 1, pieces, endings);
  return { count: places.length, lines: [first + 1] };
}

/** Whole lines, as they are first (the file's last line may lack the newline oldText ends with). */
const AS_IS = (line: string): string => line;

/**
 * The ladder past the exact text: whole lines as they are, then ignoring trailing and all
 * outer whitespace, then after normalising Unicode; the first step that finds the old lines
 * must find them in exactly one place, and the new lines are re-indented like the file.
 */
function replaceTolerant(
  buffer: EditBuffer,
  oldText: string,
  newText: string,
  patchLine: number,
): { line: number; kind: MatchKind; additions: number; deletions: number } | Omit<PatchError, 'path' | 'hunk'> {
  const old = splitLines(oldText);
  const added = splitLines(newText);
  const hunk: Hunk = {
    anchors: [],
    lines: [...old.map((text) => ({ kind: '-' as const, text })), ...added.map((text) => ({ kind: '+' as const, text }))],
    oldNoNewline: false,
    newNoNewline: false,
    atEnd: false,
    patchLine,
  };
  for (const { kind, normalise } of [{ kind: 'exact' as const, normalise: AS_IS }, ...LEVELS]) {
    const found = buffer.find(normalise, `${old.map(normalise).join('\n')}\n`, Number.POSITIVE_INFINITY, true);
    if (found.length > 1) {
      const candidates = found.map((at) => buffer.lineAt(normalise, at) + 1);
      return failure(buffer, hunk, `matches at lines ${candidates.join(', ')}; include more surrounding lines that occur only at the intended place`);
    }
    if (found.length === 1) {
      const start = buffer.lineAt(normalise, found[0]!);
      const replacement = replacementAt(buffer.toFileText(), hunk, start);
      buffer.splice(start, replacement.end - start, replacement.lines, replacement.endings);
      return { line: start + 1, kind, additions: added.length, deletions: old.length };
    }
  }
  return failure(buffer, hunk, 'oldText was not found in the file');
}

function failure(buffer: EditBuffer, hunk: Hunk, message: string): Omit<PatchError, 'path' | 'hunk'> {
  const nearest = nearestRegion(buffer.toFileText().lines, hunk, 0);
  return { message, expected: oldLines(hunk), ...(nearest ? { nearest } : {}) };
}

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

function lineCount(text: string): number {
  return splitLines(text).length;
}
