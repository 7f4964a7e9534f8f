import { StringDecoder } from 'node:string_decoder';
import { UserError } from '../../core/errors.js';
import { isBinary } from '../../core/files.js';
import { isPathError, type OpenFile } from '../../core/reading.js';
import type { Workspace } from '../../core/workspace.js';

/** Up to this size a file is read whole and synchronously (a few microseconds); above, it is streamed. */
const SYNC_READ_BYTES = 1 << 20;
const CHUNK_BYTES = 256 << 10;

export interface LineRequest {
  /** 1-based. */
  startLine?: number;
  /** Where in `startLine` to begin, in UTF-16 units from its start (0-based). */
  startColumn?: number;
  /** 1-based, inclusive. */
  endLine?: number;
  /** Characters collected at most: a page never needs the rest of a huge file or line. */
  maxChars?: number;
  signal?: AbortSignal;
}

export interface FileLines {
  path: string;
  /** The requested lines, first is `startLine` from `startColumn`; the last may be cut (`lastCut`). */
  lines: string[];
  startLine: number;
  startColumn: number;
  /** The last of `lines` is only the head of that line: collecting stopped at `maxChars`. */
  lastCut: boolean;
  totalLines: number;
}

/**
 * Lines of a text file, in memory bounded by `maxChars` whatever the size of the file or of
 * its lines: small files are read whole; bigger ones are streamed, collecting only the
 * window and merely counting the newlines of the rest. Binary files are refused.
 */
export async function readLines(workspace: Workspace, path: string, request: LineRequest = {}): Promise<FileLines> {
  if (!path) throw new UserError('read needs a path', 'Pass the file to read, relative to the root');
  const { startLine = 1, startColumn = 0, endLine, maxChars = Infinity } = request;
  if (endLine !== undefined && endLine < startLine) {
    throw new UserError(`endLine ${endLine} is before startLine ${startLine}`, 'Pass endLine >= startLine');
  }
  const file = openForReading(workspace, path);
  try {
    const binary = (): UserError =>
      new UserError(`"${file.path}" is a binary file (${file.size} bytes)`, 'Binary content is not shown; read a text file instead');
    const window = { path: file.path, startLine, startColumn };
    if (file.size <= SYNC_READ_BYTES) {
      const content = file.readHeadSync(SYNC_READ_BYTES);
      if (isBinary(content)) throw binary();
      const all = splitLines(content.toString('utf8'));
      return { ...window, ...cap(all.slice(startLine - 1, endLine), startColumn, maxChars), totalLines: all.length };
    }
    if (isBinary(await file.readHead(8000))) throw binary();
    return { ...window, ...(await streamLines(file, startLine, startColumn, endLine, maxChars, request.signal)) };
  } finally {
    file.close();
  }
}

function openForReading(workspace: Workspace, path: string): OpenFile {
  try {
    return workspace.openFile(path);
  } catch (error) {
    if (isPathError(error) && error.problem === 'folder') throw new UserError(`"${path}" is a folder`, 'Use mode "tree" with this path to list it');
    throw error;
  }
}

/** `lines` from `startColumn` of the first, cut to `maxChars` characters in all. */
function cap(lines: string[], startColumn: number, maxChars: number): { lines: string[]; lastCut: boolean } {
  if (startColumn && lines.length) lines[0] = lines[0]!.slice(startColumn);
  let room = maxChars;
  for (let i = 0; i < lines.length; i++) {
    if (room <= 0) return { lines: lines.slice(0, i), lastCut: false };
    if (lines[i]!.length > room) return { lines: [...lines.slice(0, i), headOf(lines[i]!, room)], lastCut: true };
    room -= lines[i]!.length + 1;
  }
  return { lines, lastCut: false };
}

/** The first `length` UTF-16 units of `text`, one fewer rather than half a surrogate pair. */
function headOf(text: string, length: number): string {
  const code = text.charCodeAt(length - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? length - 1 : length);
}

/** Line counts of big files already counted, by identity and version: paging a big file counts it once. */
const lineCounts = new Map<string, { size: number; mtimeMs: number; lines: number }>();

async function streamLines(
  file: OpenFile,
  startLine: number,
  startColumn: number,
  endLine: number | undefined,
  maxChars: number,
  signal: AbortSignal | undefined,
): Promise<Pick<FileLines, 'lines' | 'lastCut' | 'totalLines'>> {
  const identity = `${file.stats.dev}:${file.stats.ino}`;
  const known = lineCounts.get(identity);
  const knownLines = known?.size === file.size && known.mtimeMs === file.stats.mtimeMs ? known.lines : undefined;

  const lines: string[] = [];
  let lastCut = false;
  let line = 1;
  let column = 0; // UTF-16 units of `line` already passed
  let current: string | undefined; // the part of `line` collected so far, when it is in the window
  let room = maxChars;
  let collecting = true;
  const inWindow = (): boolean => line >= startLine && (endLine === undefined || line <= endLine);

  /** Takes decoded text into the window; false once the window is complete. */
  const take = (text: string): boolean => {
    let position = 0;
    while (position < text.length) {
      const newline = text.indexOf('\n', position);
      const end = newline === -1 ? text.length : newline;
      if (inWindow()) {
        const skip = line === startLine ? Math.min(end - position, Math.max(0, startColumn - column)) : 0;
        const part = text.slice(position + skip, end);
        if (part.length > room) {
          lines.push((current ?? '') + headOf(part, room));
          lastCut = true;
          return false;
        }
        current = (current ?? '') + part;
        room -= part.length;
      }
      column += end - position;
      if (newline === -1) return true;
      if (current !== undefined) {
        lines.push(current.endsWith('\r') ? current.slice(0, -1) : current);
        current = undefined;
        room--;
        if (line === endLine || room <= 0) return false;
      }
      line++;
      column = 0;
      position = newline + 1;
    }
    return true;
  };

  const decoder = new StringDecoder('utf8');
  let newlines = 0;
  let lastByte = -1;
  for await (const chunk of file.chunks(0, CHUNK_BYTES)) {
    signal?.throwIfAborted();
    if (collecting) collecting = take(decoder.write(chunk));
    if (!collecting && knownLines !== undefined) break;
    for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) newlines++;
    lastByte = chunk[chunk.length - 1]!;
  }
  if (collecting && take(decoder.end()) && current !== undefined) lines.push(current);

  let totalLines = knownLines;
  if (totalLines === undefined) {
    totalLines = newlines + (lastByte !== -1 && lastByte !== 10 ? 1 : 0);
    if (lineCounts.size >= 64) lineCounts.clear();
    lineCounts.set(identity, { size: file.size, mtimeMs: file.stats.mtimeMs, lines: totalLines });
  }
  return { lines, lastCut, totalLines };
}

/** Lines without their terminators; a final newline does not start another line. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}
