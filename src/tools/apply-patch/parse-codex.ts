import { showLine, splitPatchLinesWithEndings } from './parse-unified.js';
import { PatchSyntaxError, type AddFile, type DeleteFile, type FilePatch, type Hunk, type ParsedPatch, type UpdateFile } from './types.js';

/**
 * Reads the Codex patch format (`*** Begin Patch` … `*** End Patch`) in the shapes models
 * really send: markers padded with whitespace, a heredoc or a markdown fence around the patch,
 * blank lines between chunks, a missing `*** End Patch`.
 */
export function parseCodex(text: string): ParsedPatch {
  const { lines, cr } = splitPatchLinesWithEndings(text);
  const start = findPatchStart(lines);
  const reader: Reader = { lines, cr, pos: start, terminator: heredocTerminator(lines.slice(0, start)) };
  const files: FilePatch[] = [];
  while (reader.pos < lines.length) {
    const file = readNextFile(reader);
    if (file === 'done') break;
    if (file) files.push(file);
  }
  if (files.length === 0) throw new PatchSyntaxError('the patch changes no files (no *** Add File:, *** Update File: or *** Delete File: section)', 1);
  return { format: 'codex', files };
}

/** True when a line is `*** Begin Patch`, whatever whitespace surrounds it. */
export function isBeginPatchLine(line: string): boolean {
  return line.trim() === BEGIN_PATCH;
}

/** True when a line is a Codex file marker (`*** Update File: x`, …), whatever whitespace surrounds it. */
export function isCodexFileMarkerLine(line: string): boolean {
  const marker = readMarker(line);
  return marker?.kind === 'add' || marker?.kind === 'delete' || marker?.kind === 'update';
}

interface Reader {
  lines: string[];
  /** Per line: it ended in CRLF. */
  cr: boolean[];
  /** 0-based index of the next line; its patch line number is `pos + 1`. */
  pos: number;
  /** The word that closes a heredoc around the patch (`EOF` in `<<'EOF'`), if there is one. */
  terminator: string | undefined;
}

const BEGIN_PATCH = '*** Begin Patch';

type Marker = { kind: 'begin' | 'end' | 'eof' } | { kind: 'add' | 'delete' | 'update' | 'move'; path: string } | { kind: 'unknown' };

const PATH_MARKER = /^\*\*\*\s*(Add File|Delete File|Update File|Move to)\s*:\s*(.*)$/;
const PATH_MARKER_KINDS = { 'Add File': 'add', 'Delete File': 'delete', 'Update File': 'update', 'Move to': 'move' } as const;

/**
 * The marker on a line, if it is one. Known markers may be padded with whitespace; an unknown
 * `***` line counts as a marker (to be reported) only at the start of the line, because an
 * indented one is a context line whose text starts with `***`.
 */
function readMarker(line: string): Marker | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith('***')) return undefined;
  if (trimmed === BEGIN_PATCH) return { kind: 'begin' };
  if (trimmed === '*** End Patch') return { kind: 'end' };
  if (trimmed === '*** End of File') return { kind: 'eof' };
  const withPath = PATH_MARKER.exec(trimmed);
  if (withPath) return { kind: PATH_MARKER_KINDS[withPath[1] as keyof typeof PATH_MARKER_KINDS], path: withPath[2]!.trim() };
  return line.startsWith('***') ? { kind: 'unknown' } : undefined;
}

/**
 * Reading starts after `*** Begin Patch`; anything before it (a heredoc command, a fence,
 * prose) is wrapping. A patch that forgot `*** Begin Patch` starts at its first file marker.
 */
function findPatchStart(lines: string[]): number {
  const begin = lines.findIndex(isBeginPatchLine);
  if (begin >= 0) return begin + 1;
  const firstFile = lines.findIndex(isCodexFileMarkerLine);
  if (firstFile >= 0) return firstFile;
  const firstText = Math.max(
    0,
    lines.findIndex((line) => line.trim() !== ''),
  );
  throw new PatchSyntaxError(`a Codex patch starts with "${BEGIN_PATCH}"; found ${showLine(lines[firstText] ?? '')}`, firstText + 1);
}

/**
 * `apply_patch <<'EOF'`, `cat <<"PATCH"`, `<<-EOF` in the lines before the patch: the word
 * that will close the heredoc.
 */
function heredocTerminator(wrapper: string[]): string | undefined {
  for (const line of [...wrapper].reverse()) {
    const opener = /<<-?\s*(['"]?)([A-Za-z_][A-Za-z0-9_]*)\1/.exec(line);
    if (opener) return opener[2];
  }
  return undefined;
}

/** A line that closes the wrapping when `*** End Patch` is missing: the heredoc word or a fence. */
function isWrapperEnd(reader: Reader, line: string): boolean {
  return line.startsWith('```') || (reader.terminator !== undefined && line.trimEnd() === reader.terminator);
}

/** Reads the next file section; undefined for a skipped line, 'done' at the end of the patch. */
function readNextFile(reader: Reader): FilePatch | undefined | 'done' {
  const line = reader.lines[reader.pos]!;
  const patchLine = reader.pos + 1;
  if (line.trim() === '') {
    reader.pos++;
    return undefined;
  }
  const marker = readMarker(line);
  if (marker?.kind === 'end') return skipToNextPatch(reader);
  if (marker?.kind === 'begin') {
    reader.pos++;
    return undefined;
  }
  if (marker?.kind === 'add') return readAddFile(reader, marker.path);
  if (marker?.kind === 'delete') return readDeleteFile(reader, marker.path);
  if (marker?.kind === 'update') return readUpdateFile(reader, marker.path);
  if (!marker && isWrapperEnd(reader, line)) return 'done';
  throw new PatchSyntaxError(misplacedLineMessage(line, marker), patchLine);
}

function misplacedLineMessage(line: string, marker: Marker | undefined): string {
  if (marker?.kind === 'unknown') return `unknown marker ${showLine(line)}`;
  if (marker?.kind === 'move') return '"*** Move to:" must come right after "*** Update File:"';
  if (marker?.kind === 'eof') return '"*** End of File" must end a chunk of an "*** Update File:" section';
  return `expected "*** Add File:", "*** Update File:", "*** Delete File:" or "*** End Patch"; found ${showLine(line)}`;
}

/**
 * After `*** End Patch` the rest is wrapping (heredoc end, fence, prose), unless a model sent a
 * second patch block; then its files are read too.
 */
function skipToNextPatch(reader: Reader): undefined | 'done' {
  let next = reader.pos + 1;
  while (next < reader.lines.length && !isBeginPatchLine(reader.lines[next]!)) next++;
  if (next >= reader.lines.length) return 'done';
  reader.pos = next + 1;
  return undefined;
}

function requirePath(path: string, what: string, patchLine: number): string {
  if (path === '') throw new PatchSyntaxError(`"*** ${what}:" names no file`, patchLine);
  return path;
}

// ---------------------------------------------------------------------------------------------
// Add File and Delete File
// ---------------------------------------------------------------------------------------------

/**
 * An added file's lines all start with '+'. A blank line between them is taken as an empty
 * line of the file (models drop the '+' there); blank lines after the last one are spacing.
 */
function readAddFile(reader: Reader, rawPath: string): AddFile {
  const patchLine = reader.pos + 1;
  const path = requirePath(rawPath, 'Add File', patchLine);
  const lines: string[] = [];
  for (reader.pos++; reader.pos < reader.lines.length; reader.pos++) {
    const line = reader.lines[reader.pos]!;
    if (line.startsWith('+')) {
      lines.push(line.slice(1));
    } else if (line.trim() === '') {
      if (!nextTextStartsWith(reader.lines, reader.pos, '+')) break;
      lines.push('');
    } else if (readMarker(line) || isWrapperEnd(reader, line)) {
      break;
    } else {
      throw new PatchSyntaxError(`lines of an added file must start with "+"; found ${showLine(line)} in ${path}`, reader.pos + 1);
    }
  }
  return { action: 'add', path, lines, noNewlineAtEnd: false, patchLine };
}

/** True when the first non-blank line after `index` starts with `prefix`. */
function nextTextStartsWith(lines: string[], index: number, prefix: string): boolean {
  let next = index + 1;
  while (next < lines.length && lines[next]!.trim() === '') next++;
  return next < lines.length && lines[next]!.startsWith(prefix);
}

function readDeleteFile(reader: Reader, rawPath: string): DeleteFile {
  const patchLine = reader.pos + 1;
  reader.pos++;
  return { action: 'delete', path: requirePath(rawPath, 'Delete File', patchLine), hunks: [], patchLine };
}

// ---------------------------------------------------------------------------------------------
// Update File and its chunks
// ---------------------------------------------------------------------------------------------

function readUpdateFile(reader: Reader, rawPath: string): UpdateFile {
  const patchLine = reader.pos + 1;
  const path = requirePath(rawPath, 'Update File', patchLine);
  reader.pos++;
  const update: UpdateFile = { action: 'update', path, hunks: [], patchLine };
  const move = readMarker(reader.lines[reader.pos] ?? '');
  if (move?.kind === 'move') {
    update.moveTo = requirePath(move.path, 'Move to', reader.pos + 1);
    reader.pos++;
  }
  update.hunks = readChunks(reader);
  // A pure move has nothing to change inside the file; anything else without chunks is a mistake.
  if (update.hunks.length === 0 && update.moveTo === undefined) {
    throw new PatchSyntaxError(`"*** Update File: ${path}" has no chunks (an "@@" line followed by " ", "-" and "+" lines)`, patchLine);
  }
  return update;
}

/** Chunks being read for one file; blank lines wait in `pendingBlanks` until what follows decides. */
interface ChunkState {
  chunks: Hunk[];
  current: Hunk | undefined;
  /** The current chunk began with an `@@` line (not implicitly, at its first line). */
  currentHasHeader: boolean;
  pendingBlanks: string[];
}

function readChunks(reader: Reader): Hunk[] {
  const state: ChunkState = { chunks: [], current: undefined, currentHasHeader: false, pendingBlanks: [] };
  for (; reader.pos < reader.lines.length; reader.pos++) {
    if (!readChunkLine(reader, state)) break;
  }
  closeChunk(state);
  return state.chunks;
}

/** Handles the line at `reader.pos`; false when it ends the file's chunks. */
function readChunkLine(reader: Reader, state: ChunkState): boolean {
  const line = reader.lines[reader.pos]!;
  const patchLine = reader.pos + 1;
  if (line.trim() === '') {
    state.pendingBlanks.push(line);
    return true;
  }
  const marker = readMarker(line);
  if (marker?.kind === 'eof') {
    endChunkAtEndOfFile(state, patchLine);
    return true;
  }
  if (marker || isWrapperEnd(reader, line)) return false;
  if (line.trimEnd() === '@@' || line.startsWith('@@ ')) {
    startChunk(state, line, patchLine);
    return true;
  }
  const kind = line[0];
  if (kind !== ' ' && kind !== '-' && kind !== '+') {
    throw new PatchSyntaxError(`chunk lines must start with " " (context), "-" (remove) or "+" (add); found ${showLine(line)}`, patchLine);
  }
  // The first chunk may leave out its `@@` line.
  if (!state.current) {
    state.current = newChunk(patchLine);
    state.currentHasHeader = false;
  }
  flushBlanksAsContext(state);
  state.current.lines.push({ kind, text: line.slice(1), ...(reader.cr[reader.pos] ? { cr: true as const } : {}) });
  return true;
}

const UNIFIED_HUNK_HEADER = /^@@ -(\d+)(?:,\d+)? \+\d+(?:,\d+)? @@/;

/**
 * `@@` starts a chunk; `@@ <line>` also anchors it after that line. Consecutive `@@ x` lines
 * stack anchors on one chunk. Models sometimes write a unified header (`@@ -12,3 +12,4 @@`)
 * instead: its old start is kept as a hint rather than searched for as a line.
 */
function startChunk(state: ChunkState, line: string, patchLine: number): void {
  // Blank lines between two chunks are spacing.
  state.pendingBlanks = [];
  if (!state.current || state.current.lines.length > 0) {
    closeChunk(state);
    state.current = newChunk(patchLine);
    state.currentHasHeader = true;
  }
  if (line.trimEnd() === '@@') return;
  const unified = UNIFIED_HUNK_HEADER.exec(line);
  if (unified) state.current.oldStart = Number(unified[1]);
  else state.current.anchors.push(line.slice(3));
}

function endChunkAtEndOfFile(state: ChunkState, patchLine: number): void {
  if (!state.current || state.current.lines.length === 0) {
    throw new PatchSyntaxError('"*** End of File" must follow the lines of a chunk', patchLine);
  }
  state.current.atEnd = true;
  // Blank lines right before it are the file's last lines (a file ending in "\n\n"), as in
  // Codex's own line model, not spacing.
  flushBlanksAsContext(state);
  closeChunk(state);
}

/**
 * Blank lines followed by more chunk lines are inside the chunk: context lines whose single
 * space was stripped. Before the first line of a chunk without `@@` they are spacing.
 */
function flushBlanksAsContext(state: ChunkState): void {
  const chunk = state.current!;
  if (chunk.lines.length > 0 || state.currentHasHeader) {
    for (const blank of state.pendingBlanks) chunk.lines.push({ kind: ' ', text: blank.startsWith(' ') ? blank.slice(1) : blank });
  }
  state.pendingBlanks = [];
}

function closeChunk(state: ChunkState): void {
  const chunk = state.current;
  state.current = undefined;
  if (!chunk) return;
  if (chunk.lines.length === 0) throw new PatchSyntaxError('chunk has no lines', chunk.patchLine);
  state.chunks.push(chunk);
}

function newChunk(patchLine: number): Hunk {
  return { anchors: [], lines: [], oldNoNewline: false, newNoNewline: false, atEnd: false, patchLine };
}
