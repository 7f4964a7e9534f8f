import { PatchSyntaxError, type AddFile, type DeleteFile, type FilePatch, type Hunk, type HunkLine, type ParsedPatch, type UpdateFile } from './types.js';

/**
 * Reads unified diffs as `git diff`, `git format-patch` and `diff -u` write them, and the
 * looser shapes models produce (hunk headers without numbers, prose or fences around the diff).
 * Paths come back exactly as the patch names them, minus the `a/` `b/` prefixes; resolving and
 * checking them is the applier's job.
 */
export function parseUnified(text: string): ParsedPatch {
  const { lines, cr } = splitPatchLinesWithEndings(text);
  const reader: Reader = { lines, cr, pos: 0 };
  const files: FilePatch[] = [];
  while (skipToFileStart(reader)) files.push(readFileSection(reader));
  if (files.length === 0) throw noDiffFound(reader.lines);
  return { format: 'unified', files };
}

/**
 * The patch's lines without line endings. The patch text's own CRLF endings are normalised
 * here; the files' endings are the applier's business. A leading BOM is not part of line 1.
 */
export function splitPatchLines(text: string): string[] {
  const lines = text
    .replace(/^\uFEFF/, '')
    .replace(/\r\n/g, '\n')
    .split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/**
 * The patch's lines as `splitPatchLines` gives them, and which of them ended in CRLF: a
 * hunk line's own ending matters when the patch converts a file's line endings.
 */
export function splitPatchLinesWithEndings(text: string): { lines: string[]; cr: boolean[] } {
  const lines = text.replace(/^\uFEFF/, '').split('\n');
  if (lines.at(-1) === '') lines.pop();
  const cr = lines.map((line, i) => {
    if (!line.endsWith('\r')) return false;
    lines[i] = line.slice(0, -1);
    return true;
  });
  return { lines, cr };
}

/** How a line is shown in an error message: quoted, so blanks and spaces are visible, and short. */
export function showLine(line: string): string {
  const shown = line.length > 120 ? `${line.slice(0, 120)}…` : line;
  return JSON.stringify(shown);
}

interface Reader {
  lines: string[];
  /** Per line: it ended in CRLF. */
  cr: boolean[];
  /** 0-based index of the next line to read; its patch line number is `pos + 1`. */
  pos: number;
}

const DEV_NULL = '/dev/null';
const COUNTED_HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))?(?: @@.*|\s*)$/;
const BINARY_NOTICE = /^Binary files .* differ$/;

function skipToFileStart(reader: Reader): boolean {
  for (; reader.pos < reader.lines.length; reader.pos++) {
    const line = reader.lines[reader.pos]!;
    if (line.startsWith('diff --git ') || isTraditionalHeader(reader.lines, reader.pos)) return true;
    rejectUnsupported(line, reader.pos + 1);
    if (COUNTED_HUNK_HEADER.test(line)) {
      throw new PatchSyntaxError(`hunk header ${showLine(line)} has no file header before it (--- and +++ lines)`, reader.pos + 1);
    }
  }
  return false;
}

/**
 * A `--- `/`+++ ` pair starts a file only when a hunk header follows, so prose or a
 * format-patch `---` separator that happens to look similar is not mistaken for one.
 */
function isTraditionalHeader(lines: string[], index: number): boolean {
  return isHeaderPair(lines, index) && (lines[index + 2] ?? '').startsWith('@@');
}

function isHeaderPair(lines: string[], index: number): boolean {
  return (lines[index] ?? '').startsWith('--- ') && (lines[index + 1] ?? '').startsWith('+++ ');
}

function rejectUnsupported(line: string, patchLine: number): void {
  if (line === 'GIT binary patch' || BINARY_NOTICE.test(line)) {
    throw new PatchSyntaxError('binary patches are not supported', patchLine, 'Change binary files another way; send only text changes here');
  }
  if (line.startsWith('diff --cc ') || line.startsWith('diff --combined ')) {
    throw new PatchSyntaxError('combined (merge) diffs are not supported', patchLine, 'Send a plain diff against one parent');
  }
}

function noDiffFound(lines: string[]): PatchSyntaxError {
  const index = Math.max(
    0,
    lines.findIndex((line) => line.trim() !== ''),
  );
  return new PatchSyntaxError(
    `no file changes found (expected "diff --git" or "---"/"+++" lines followed by "@@" hunks); the patch starts with ${showLine(lines[index] ?? '')}`,
    index + 1,
  );
}

function readFileSection(reader: Reader): FilePatch {
  return reader.lines[reader.pos]!.startsWith('diff --git ') ? readGitSection(reader) : readTraditionalSection(reader);
}

// ---------------------------------------------------------------------------------------------
// git sections: `diff --git`, extended header lines, optional ---/+++ lines, hunks
// ---------------------------------------------------------------------------------------------

interface GitHeader {
  oldMode?: number;
  newMode?: number;
  newFileMode?: number;
  deletedFileMode?: number;
  renameFrom?: string;
  renameTo?: string;
  copyFrom?: string;
  copyTo?: string;
  /** From `index <old>..<new>`: lets the applier know the file is exactly the diff's old side. */
  oldBlob?: string;
}

function readGitSection(reader: Reader): FilePatch {
  const patchLine = reader.pos + 1;
  const names = parseDiffGitLine(reader.lines[reader.pos]!.slice('diff --git '.length), patchLine);
  reader.pos++;
  const header = readExtendedHeader(reader);
  const minus = readMinusPlusPair(reader);
  const hunks = readHunks(reader);

  const prefixes = detectPrefixes(names.oldName, names.newName);
  const oldName = minus ? stripPrefix(minus.oldName, prefixes.old) : stripPrefix(names.oldName, prefixes.old);
  const newName = minus ? stripPrefix(minus.newName, prefixes.new) : stripPrefix(names.newName, prefixes.new);
  const oldPath = header.renameFrom ?? header.copyFrom ?? oldName;
  const newPath = header.renameTo ?? header.copyTo ?? newName;

  if (header.newFileMode !== undefined || oldName === DEV_NULL) {
    return buildAddFile(newPath, hunks, patchLine, header.newFileMode);
  }
  const blob = header.oldBlob ? { oldBlob: header.oldBlob } : {};
  if (header.deletedFileMode !== undefined || newName === DEV_NULL) return { ...buildDeleteFile(oldPath, hunks, patchLine), ...blob };
  if (header.copyFrom !== undefined) {
    return { action: 'copy', path: newPath, from: oldPath, hunks, patchLine, ...optionalMode(header.newMode), ...blob };
  }
  const update: UpdateFile = { action: 'update', path: oldPath, hunks, patchLine, ...optionalMode(header.newMode), ...blob };
  if (header.renameFrom !== undefined || header.renameTo !== undefined) update.moveTo = newPath;
  return update;
}

function optionalMode(mode: number | undefined): { mode?: number } {
  return mode === undefined ? {} : { mode };
}

/** Reads git's extended header lines; stops at the first line that is not one. */
function readExtendedHeader(reader: Reader): GitHeader {
  const header: GitHeader = {};
  for (; reader.pos < reader.lines.length; reader.pos++) {
    const line = reader.lines[reader.pos]!;
    const patchLine = reader.pos + 1;
    rejectUnsupported(line, patchLine);
    if (!applyHeaderLine(header, line, patchLine)) break;
  }
  return header;
}

const MODE_LINE = /^(old mode|new mode|new file mode|deleted file mode) ([0-7]+)$/;
const NAME_LINE = /^(rename from|rename to|rename old|rename new|copy from|copy to) (.+)$/;
const INDEX_LINE = /^index ([0-9a-fA-F]+)\.\.[0-9a-fA-F]+(?: [0-7]+)?$/;
const IGNORED_HEADER_LINE = /^(?:dis)?similarity index \d+%$/;

/** Records one extended header line; false when the line is not one. */
function applyHeaderLine(header: GitHeader, line: string, patchLine: number): boolean {
  const mode = MODE_LINE.exec(line);
  if (mode) {
    const value = parseMode(mode[2]!, patchLine);
    if (mode[1] === 'old mode') header.oldMode = value;
    else if (mode[1] === 'new mode') header.newMode = value;
    else if (mode[1] === 'new file mode') header.newFileMode = value;
    else header.deletedFileMode = value;
    return true;
  }
  const name = NAME_LINE.exec(line);
  if (name) {
    const path = parseBareName(name[2]!, patchLine);
    if (name[1] === 'rename from' || name[1] === 'rename old') header.renameFrom = path;
    else if (name[1] === 'rename to' || name[1] === 'rename new') header.renameTo = path;
    else if (name[1] === 'copy from') header.copyFrom = path;
    else header.copyTo = path;
    return true;
  }
  const index = INDEX_LINE.exec(line);
  if (index) {
    header.oldBlob = index[1]!.toLowerCase();
    return true;
  }
  return IGNORED_HEADER_LINE.test(line);
}

/**
 * git writes modes as six octal digits with the file type on top (100644, 100755). Only
 * regular files can be written by the applier, so symlinks and submodules are refused here,
 * where the message can name the patch line. A regular file's mode is taken as `git apply`
 * takes it: executable for its owner or not, 0755 or 0644; a patch never sets setuid,
 * world-writable or other bits (`100777`, `104755`, `100664` give 0755, 0755, 0644).
 */
function parseMode(digits: string, patchLine: number): number {
  const full = Number.parseInt(digits, 8);
  const fileType = full & 0o170000;
  if (fileType === 0o120000) throw new PatchSyntaxError('symbolic links are not supported', patchLine);
  if (fileType === 0o160000) throw new PatchSyntaxError('submodule changes are not supported', patchLine);
  if (fileType !== 0o100000 && fileType !== 0) throw new PatchSyntaxError(`mode ${digits} is not a regular file's`, patchLine);
  return full & 0o100 ? 0o755 : 0o644;
}

function readMinusPlusPair(reader: Reader): { oldName: string; newName: string } | undefined {
  const line = reader.lines[reader.pos] ?? '';
  if (!line.startsWith('--- ')) return undefined;
  if (!isHeaderPair(reader.lines, reader.pos)) {
    throw new PatchSyntaxError(`a "+++ " line must follow ${showLine(line)}`, reader.pos + 2);
  }
  const oldName = parseHeaderName(line.slice(4), reader.pos + 1);
  const newName = parseHeaderName(reader.lines[reader.pos + 1]!.slice(4), reader.pos + 2);
  reader.pos += 2;
  return { oldName, newName };
}

/**
 * The names on a `diff --git` line. Unquoted names may contain spaces, so the line is split
 * where both halves name the same file (as they do unless the file was renamed or copied;
 * then the `rename`/`copy` lines carry the names anyway).
 */
function parseDiffGitLine(rest: string, patchLine: number): { oldName: string; newName: string } {
  if (rest.startsWith('"')) {
    const first = parseQuoted(rest, 0, patchLine);
    return { oldName: first.value, newName: parseBareName(rest.slice(first.end).trimStart(), patchLine) };
  }
  const quotedSecond = rest.indexOf(' "');
  if (quotedSecond > 0 && rest.endsWith('"')) {
    return { oldName: rest.slice(0, quotedSecond), newName: parseQuoted(rest, quotedSecond + 1, patchLine).value };
  }
  return splitUnquotedNames(rest);
}

function splitUnquotedNames(rest: string): { oldName: string; newName: string } {
  const splits: { oldName: string; newName: string }[] = [];
  for (let i = rest.indexOf(' '); i > 0; i = rest.indexOf(' ', i + 1)) {
    splits.push({ oldName: rest.slice(0, i), newName: rest.slice(i + 1) });
  }
  const sameFile = splits.find(({ oldName, newName }) => {
    const prefixes = detectPrefixes(oldName, newName);
    return stripPrefix(oldName, prefixes.old) === stripPrefix(newName, prefixes.new);
  });
  const prefixed = splits.find(({ oldName, newName }) => detectPrefixes(oldName, newName).old !== '');
  return sameFile ?? prefixed ?? splits[0] ?? { oldName: rest, newName: rest };
}

// ---------------------------------------------------------------------------------------------
// traditional sections (`diff -u`, or a model's diff without the `diff --git` line)
// ---------------------------------------------------------------------------------------------

function readTraditionalSection(reader: Reader): FilePatch {
  const patchLine = reader.pos + 1;
  const names = readMinusPlusPair(reader)!;
  const hunks = readHunks(reader);
  const prefixes = detectPrefixes(names.oldName, names.newName);
  const oldName = stripPrefix(names.oldName, prefixes.old);
  const newName = stripPrefix(names.newName, prefixes.new);
  if (oldName === DEV_NULL) return buildAddFile(newName, hunks, patchLine, undefined);
  if (newName === DEV_NULL) return buildDeleteFile(oldName, hunks, patchLine);
  // Without git's rename lines, differing names are not a rename (`diff -u file.orig file`):
  // the new name is the file to change.
  return { action: 'update', path: newName, hunks, patchLine };
}

// ---------------------------------------------------------------------------------------------
// names: prefixes, quoting, timestamps
// ---------------------------------------------------------------------------------------------

/** git's default `a/` `b/` prefixes and its mnemonic ones (`c/` commit, `i/` index, `w/` worktree, `o/` object). */
const OLD_PREFIX_LETTERS = new Set(['a', 'c', 'i', 'o', 'w']);
const NEW_PREFIX_LETTERS = new Set(['b', 'c', 'i', 'o', 'w']);

/**
 * The prefixes to strip: only when both sides carry one and they differ (`a/` and `b/`,
 * `i/` and `w/`), since `git diff --no-prefix` names the same folder on both sides. With one
 * side `/dev/null`, `a/` on the old side or `b/` on the new side is taken as a prefix.
 */
function detectPrefixes(oldName: string, newName: string): { old: string; new: string } {
  if (oldName === DEV_NULL || newName === DEV_NULL) {
    return { old: oldName.startsWith('a/') ? 'a/' : '', new: newName.startsWith('b/') ? 'b/' : '' };
  }
  const oldLetter = /^([a-z])\//.exec(oldName)?.[1];
  const newLetter = /^([a-z])\//.exec(newName)?.[1];
  if (oldLetter && newLetter && oldLetter !== newLetter && OLD_PREFIX_LETTERS.has(oldLetter) && NEW_PREFIX_LETTERS.has(newLetter)) {
    return { old: `${oldLetter}/`, new: `${newLetter}/` };
  }
  return { old: '', new: '' };
}

function stripPrefix(name: string, prefix: string): string {
  return prefix !== '' && name.startsWith(prefix) ? name.slice(prefix.length) : name;
}

const EPOCH_TIMESTAMP = /^(?:1970-01-01|1969-12-31)[ T]\d\d:\d\d:\d\d/;
const SPACED_TIMESTAMP = /\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? [+-]\d{4}$/;

/**
 * The name on a `---`/`+++` line. `diff -u` puts a tab and a timestamp after it and git a
 * lone tab after names with spaces; both are dropped. `diff -N` marks a missing file with the
 * epoch as its timestamp, which means the same as `/dev/null`.
 */
function parseHeaderName(raw: string, patchLine: number): string {
  if (raw.startsWith('"')) return parseQuoted(raw, 0, patchLine).value;
  const tab = raw.indexOf('\t');
  if (tab >= 0) return EPOCH_TIMESTAMP.test(raw.slice(tab + 1)) ? DEV_NULL : raw.slice(0, tab);
  return raw.replace(SPACED_TIMESTAMP, '').trimEnd();
}

/** A name that is the whole rest of a line, quoted or not. */
function parseBareName(raw: string, patchLine: number): string {
  return raw.startsWith('"') ? parseQuoted(raw, 0, patchLine).value : raw;
}

const C_ESCAPES: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92 };

/**
 * A C-quoted name as git writes it: `"a/sp\303\251 ce.txt"`. Octal escapes are bytes of the
 * UTF-8 name, so the name is assembled as bytes and decoded at the end.
 */
function parseQuoted(text: string, start: number, patchLine: number): { value: string; end: number } {
  const bytes: number[] = [];
  let i = start + 1;
  while (i < text.length) {
    const char = text[i]!;
    if (char === '"') return { value: Buffer.from(bytes).toString('utf8'), end: i + 1 };
    if (char === '\\') {
      i = readEscape(text, i + 1, bytes);
      continue;
    }
    const codePoint = text.codePointAt(i)!;
    const whole = String.fromCodePoint(codePoint);
    bytes.push(...Buffer.from(whole, 'utf8'));
    i += whole.length;
  }
  throw new PatchSyntaxError(`unterminated quoted file name ${showLine(text.slice(start))}`, patchLine);
}

/** Reads the escape after a backslash at `i` into `bytes`; returns the index after it. */
function readEscape(text: string, i: number, bytes: number[]): number {
  const octal = /^[0-7]{1,3}/.exec(text.slice(i, i + 3));
  if (octal) {
    bytes.push(Number.parseInt(octal[0], 8) & 0xff);
    return i + octal[0].length;
  }
  const char = text[i] ?? '';
  bytes.push(C_ESCAPES[char] ?? char.charCodeAt(0));
  return i + 1;
}

// ---------------------------------------------------------------------------------------------
// hunks
// ---------------------------------------------------------------------------------------------

function readHunks(reader: Reader): Hunk[] {
  const hunks: Hunk[] = [];
  for (;;) {
    skipBlankLinesBeforeHunk(reader);
    const line = reader.lines[reader.pos];
    if (line === undefined || !line.startsWith('@@')) return hunks;
    hunks.push(readHunk(reader));
  }
}

/** Models sometimes leave a blank line between hunks; it is skipped only when a hunk follows. */
function skipBlankLinesBeforeHunk(reader: Reader): void {
  let index = reader.pos;
  while (index < reader.lines.length && reader.lines[index]!.trim() === '') index++;
  if ((reader.lines[index] ?? '').startsWith('@@')) reader.pos = index;
}

function readHunk(reader: Reader): Hunk {
  const header = reader.lines[reader.pos]!;
  const hunk: Hunk = { anchors: [], lines: [], oldNoNewline: false, newNoNewline: false, atEnd: false, patchLine: reader.pos + 1 };
  reader.pos++;
  const counted = COUNTED_HUNK_HEADER.exec(header);
  if (counted) {
    hunk.oldStart = Number(counted[1]);
    readCountedLines(reader, hunk, countOf(counted[2]), countOf(counted[4]), header);
  } else {
    // `@@ -12 …` with a malformed rest still tells where the hunk was meant to go.
    const start = /^@@\s*-(\d+)/.exec(header);
    if (start) hunk.oldStart = Number(start[1]);
    readUncountedLines(reader, hunk);
  }
  return hunk;
}

/** `@@ -3 +3 @@` leaves the count out when it is 1. */
function countOf(digits: string | undefined): number {
  return digits === undefined ? 1 : Number(digits);
}

/**
 * Reads exactly the lines the header counts, so a removed line that starts with `-- ` or an
 * added one that starts with `++ ` is never taken for a header. An empty line within the count
 * is context whose single space some tool stripped.
 */
function readCountedLines(reader: Reader, hunk: Hunk, oldCount: number, newCount: number, header: string): void {
  let oldLeft = oldCount;
  let newLeft = newCount;
  const tally = () =>
    `its header ${showLine(header)} counts ${oldCount} old and ${newCount} new lines, the hunk has ${oldCount - oldLeft} and ${newCount - newLeft}`;
  while (oldLeft > 0 || newLeft > 0) {
    const line = reader.lines[reader.pos];
    if (line === undefined) throw new PatchSyntaxError(`the patch ends inside a hunk: ${tally()}`, hunk.patchLine);
    if (line.startsWith('\\')) {
      markNoNewline(hunk, reader.pos + 1);
      reader.pos++;
      continue;
    }
    const hunkLine = toHunkLine(line, reader.cr[reader.pos]);
    if (!hunkLine) throw new PatchSyntaxError(`hunk ends early at ${showLine(line)}: ${tally()}`, reader.pos + 1);
    if ((hunkLine.kind !== '+' && oldLeft === 0) || (hunkLine.kind !== '-' && newLeft === 0)) {
      throw new PatchSyntaxError(`hunk has more lines than its header says: ${tally()} before ${showLine(line)}`, reader.pos + 1);
    }
    if (hunkLine.kind !== '+') oldLeft--;
    if (hunkLine.kind !== '-') newLeft--;
    hunk.lines.push(hunkLine);
    reader.pos++;
  }
  if ((reader.lines[reader.pos] ?? '').startsWith('\\')) {
    markNoNewline(hunk, reader.pos + 1);
    reader.pos++;
  }
  rejectOverlongHunk(reader, tally);
}

/**
 * A hunk line right after the counted ones means the header's counts are wrong; reading on
 * or stopping could both change the meaning, so the patch is refused.
 */
function rejectOverlongHunk(reader: Reader, tally: () => string): void {
  const next = reader.lines[reader.pos];
  if (next === undefined || next.trim() === '' || !/^[-+ ]/.test(next)) return;
  if (isHeaderPair(reader.lines, reader.pos) || isSignature(next)) return;
  throw new PatchSyntaxError(`hunk has more lines than its header says (${tally()}); next line: ${showLine(next)}`, reader.pos + 1);
}

/** The `-- ` line that starts `git format-patch`'s signature (followed by git's version). */
function isSignature(line: string): boolean {
  return line === '-- ' || line === '--';
}

/**
 * Reads a hunk whose header has no numbers (`@@`, `@@ @@`): lines go on while they are hunk
 * lines. An empty line is context only when more hunk lines follow it; blank lines at the end
 * are formatting (before a fence, between hunks).
 */
function readUncountedLines(reader: Reader, hunk: Hunk): void {
  while (reader.pos < reader.lines.length) {
    const line = reader.lines[reader.pos]!;
    if (line.startsWith('\\')) {
      markNoNewline(hunk, reader.pos + 1);
      reader.pos++;
      continue;
    }
    if (line.trim() === '' && !hunkLinesFollow(reader.lines, reader.pos)) break;
    if (line.trim() !== '' && endsUncountedHunk(reader.lines, reader.pos)) break;
    const hunkLine = toHunkLine(line, reader.cr[reader.pos]);
    if (!hunkLine) {
      rejectStrayLine(reader.lines, reader.pos);
      break;
    }
    hunk.lines.push(hunkLine);
    reader.pos++;
  }
  if (hunk.lines.length === 0) throw new PatchSyntaxError('hunk has no lines', hunk.patchLine);
}

/**
 * An uncounted hunk may end at prose or a fence, but a line followed by more hunk lines is
 * rather a hunk line that lost its prefix; skipping it would drop the rest of the hunk unseen.
 */
function rejectStrayLine(lines: string[], index: number): void {
  const line = lines[index]!;
  if (line.startsWith('@@') || line.startsWith('diff ') || line.startsWith('```')) return;
  if (/^[-+ ]/.test(lines[index + 1] ?? '') && !endsUncountedHunk(lines, index + 1)) {
    throw new PatchSyntaxError(`hunk lines must start with " ", "-" or "+"; found ${showLine(line)}`, index + 1);
  }
}

function hunkLinesFollow(lines: string[], index: number): boolean {
  let next = index;
  while (next < lines.length && lines[next]!.trim() === '') next++;
  return next < lines.length && /^[-+ \\]/.test(lines[next]!) && !endsUncountedHunk(lines, next);
}

/** Lines that look like hunk lines but start the next file or the format-patch signature. */
function endsUncountedHunk(lines: string[], index: number): boolean {
  if (isHeaderPair(lines, index)) return true;
  return isSignature(lines[index]!) && !/^[-+ \\@]/.test(lines[index + 1] ?? '');
}

/** A whitespace-only line without the leading space is context some tool stripped or mangled. */
function toHunkLine(line: string, cr = false): HunkLine | undefined {
  const kind = line[0];
  const ending = cr ? ({ cr } as const) : {};
  if (kind !== ' ' && line.trim() === '') return { kind: ' ', text: line, ...ending };
  if (kind === ' ' || kind === '-' || kind === '+') return { kind, text: line.slice(1), ...ending };
  return undefined;
}

/** `\ No newline at end of file` belongs to the line before it: its side, or both for context. */
function markNoNewline(hunk: Hunk, patchLine: number): void {
  const last = hunk.lines.at(-1);
  if (!last) throw new PatchSyntaxError('"\\ No newline at end of file" must follow a hunk line', patchLine);
  if (last.kind !== '+') hunk.oldNoNewline = true;
  if (last.kind !== '-') hunk.newNoNewline = true;
}

// ---------------------------------------------------------------------------------------------
// added and deleted files
// ---------------------------------------------------------------------------------------------

function buildAddFile(path: string, hunks: Hunk[], patchLine: number, mode: number | undefined): AddFile {
  const lines: string[] = [];
  for (const hunk of hunks) {
    for (const line of hunk.lines) {
      if (line.kind !== '+') {
        throw new PatchSyntaxError(`${path} is a new file, so its hunk can only add lines ("+"), not "${line.kind}"`, hunk.patchLine);
      }
      lines.push(line.text);
    }
  }
  const noNewlineAtEnd = hunks.at(-1)?.newNoNewline ?? false;
  return { action: 'add', path, lines, noNewlineAtEnd, patchLine, ...optionalMode(mode) };
}

function buildDeleteFile(path: string, hunks: Hunk[], patchLine: number): DeleteFile {
  for (const hunk of hunks) {
    if (hunk.lines.some((line) => line.kind !== '-')) {
      throw new PatchSyntaxError(`${path} is deleted, so its hunk can only remove lines ("-")`, hunk.patchLine);
    }
  }
  return { action: 'delete', path, hunks, patchLine };
}
