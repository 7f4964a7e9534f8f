import { applyHunks } from './apply-hunks.js';
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

/** Applies a file's edits in order, in memory. */
export function applyEdits(file: FileText | null, edits: readonly SearchReplace[], eol: '\n' | '\r\n'): EditsResult {
  const result: EditsResult = { text: file, reports: [], errors: [], additions: 0, deletions: 0 };
  /** The file being edited, with its text for searching, kept up to date edit by edit. */
  let work: Working | undefined;
  for (const [i, edit] of edits.entries()) {
    const index = i + 1;
    const oldText = edit.oldText.replace(/\r\n/g, '\n');
    const newText = edit.newText.replace(/\r\n/g, '\n');
    const fail = (message: string, extra: Partial<Omit<PatchError, 'path'>> = {}) => {
      result.reports.push({ index, status: 'failed', line: 0, offset: 0, message });
      result.errors.push({ hunk: index, message, ...extra });
    };
    const current = result.text;
    if (oldText === '') {
      if (current?.lines.length) {
        fail('oldText is empty but the file exists and is not empty; give the text to replace');
        continue;
      }
      const created = decodeText(newText);
      result.text = created.eolKnown ? { ...created, endings: created.endings.map((e) => (e ? eol : e)), eol } : { ...created, eol };
      work = undefined;
      result.reports.push({ index, status: 'applied', line: 1, offset: 0, match: 'exact' });
      result.additions += lineCount(newText);
      continue;
    }
    if (!current) {
      fail('the file does not exist (an empty oldText creates it)');
      continue;
    }
    if (work?.file !== current) work = workingCopy(current);
    const exact = replaceExact(work, oldText, newText, edit.replaceAll);
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
      result.text = work.file;
      result.reports.push({ index, status: 'applied', line: exact.lines[0]!, offset: 0, match: 'exact' });
      result.additions += exact.count * lineCount(newText);
      result.deletions += exact.count * lineCount(oldText);
      continue;
    }
    // Not found as it is: the same tolerant ladder as a hunk, on whole lines, unique or fail.
    const hunk: Hunk = {
      anchors: [],
      lines: [...splitLines(oldText).map((text) => ({ kind: '-' as const, text })), ...splitLines(newText).map((text) => ({ kind: '+' as const, text }))],
      oldNoNewline: false,
      newNoNewline: false,
      atEnd: false,
      patchLine: edit.patchLine ?? 0,
    };
    const tolerant = applyHunks(current, [hunk], { format: 'unified', unchangedSinceDiff: false });
    const report = tolerant.reports[0]!;
    if (tolerant.errors.length) {
      const error = tolerant.errors[0]!;
      const message =
        error.message === 'does not match the file'
          ? 'oldText was not found in the file'
          : error.message.replace(/add context lines/, 'include more surrounding lines');
      result.reports.push({ ...report, index, message });
      result.errors.push({ ...error, hunk: index, message });
      continue;
    }
    result.text = tolerant.text;
    result.reports.push({ ...report, index });
    result.additions += tolerant.additions;
    result.deletions += tolerant.deletions;
  }
  return result;
}

interface Working {
  /** A copy of the file's lines and endings, changed in place. */
  file: FileText;
  /** The file as text with '\n' endings and no BOM: what oldText is searched in. */
  text: string;
  /** Offset in `text` where each line starts. */
  starts: number[];
}

function workingCopy(file: FileText): Working {
  const copy = { ...file, lines: [...file.lines], endings: [...file.endings] };
  return { file: copy, text: logicalText(copy), starts: lineStartsOf(copy) };
}

/**
 * Every exact occurrence of `oldText`, replaced at once when allowed: the lines they span are
 * rewritten in place, and the search text and line offsets are patched rather than rebuilt,
 * so a hundred edits of a long file stay cheap.
 */
function replaceExact(work: Working, oldText: string, newText: string, replaceAll: boolean): { count: number; lines: number[] } {
  const { file, text } = work;
  const found: number[] = [];
  // Unique means unique counting overlapping places too ("c\nc" is twice in "c\nc\nc");
  // replaceAll replaces the non-overlapping ones, left to right.
  for (let at = text.indexOf(oldText); at !== -1; at = text.indexOf(oldText, at + (replaceAll ? oldText.length : 1))) {
    found.push(at);
    if (!replaceAll && found.length > 10) break;
  }
  if (!found.length) return { count: 0, lines: [] };
  const lines = found.map((at) => lineAt(work.starts, at) + 1);
  if (found.length > 1 && !replaceAll) return { count: found.length, lines };
  const first = lineAt(work.starts, found[0]!);
  const end = found.at(-1)! + oldText.length;
  const last = Math.min(lineAt(work.starts, end), file.lines.length - 1);
  const regionStart = work.starts[first]!;
  const regionEnd = last + 1 < file.lines.length ? work.starts[last + 1]! : text.length;
  const region = text.slice(regionStart, regionEnd).split(oldText).join(newText);
  const pieces = region.split('\n');
  const terminated = pieces.at(-1) === '';
  if (terminated) pieces.pop();
  const endings = pieces.map((_, i) => (i < pieces.length - 1 ? file.eol : terminated ? file.endings[last] || file.eol : ''));
  // A region that lost its final newline ends the file; one that did not must keep an ending.
  if (endings.length && endings.at(-1) === '' && last + 1 < file.lines.length) endings[endings.length - 1] = file.eol;
  file.lines.splice(first, last - first + 1, ...pieces);
  file.endings.splice(first, last - first + 1, ...endings);
  const starts: number[] = [];
  let at = regionStart;
  for (const piece of pieces) {
    starts.push(at);
    at += piece.length + 1;
  }
  const shift = region.length - (regionEnd - regionStart);
  const after = work.starts.slice(last + 1);
  for (let i = 0; i < after.length; i++) after[i]! += shift;
  work.starts = [...work.starts.slice(0, first), ...starts, ...after];
  work.text = text.slice(0, regionStart) + region + text.slice(regionEnd);
  return { count: found.length, lines };
}

function logicalText(file: FileText): string {
  // Only the last line may lack an ending.
  return file.lines.length ? file.lines.join('\n') + (file.endings.at(-1) ? '\n' : '') : '';
}

function lineStartsOf(file: FileText): number[] {
  const starts: number[] = [];
  let at = 0;
  for (let i = 0; i < file.lines.length; i++) {
    starts.push(at);
    at += file.lines[i]!.length + (file.endings[i] ? 1 : 0);
  }
  return starts;
}

/** 0-based line holding offset `at` (the last line whose start is at or before it). */
function lineAt(starts: readonly number[], at: number): number {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (starts[mid]! <= at) low = mid;
    else high = mid - 1;
  }
  return low;
}

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

function lineCount(text: string): number {
  return splitLines(text).length;
}
