import { createReadStream, readFileSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { UserError } from '../../core/errors.js';
import type { Workspace } from '../../core/workspace.js';
import { isBinary } from '../../core/files.js';

/** Above this size a file is streamed line by line instead of read whole. */
const STREAM_ABOVE_BYTES = 8 << 20;

export interface FileLines {
  path: string;
  /** The requested lines, first is `startLine`. */
  lines: string[];
  startLine: number;
  totalLines: number;
}

/** Lines `startLine`..`endLine` (1-based, inclusive) of a text file; binary files are refused. */
export async function readLines(workspace: Workspace, path: string, startLine = 1, endLine?: number): Promise<FileLines> {
  if (!path) throw new UserError('read needs a path', 'Pass the file to read, relative to the root');
  const absolute = await workspace.resolve(path);
  const info = statSync(absolute, { throwIfNoEntry: false });
  if (!info) throw new UserError(`file "${path}" does not exist`, 'Check the path with mode "tree" or "search"');
  if (info.isDirectory()) throw new UserError(`"${path}" is a folder`, 'Use mode "tree" with this path to list it');
  if (endLine !== undefined && endLine < startLine) {
    throw new UserError(`endLine ${endLine} is before startLine ${startLine}`, 'Pass endLine >= startLine');
  }
  const relative = workspace.relative(absolute);
  const binary = (): UserError =>
    new UserError(`"${relative}" is a binary file (${info.size} bytes)`, 'Binary content is not shown; read a text file instead');
  if (info.size > STREAM_ABOVE_BYTES) {
    if (await startsBinary(absolute)) throw binary();
    return streamLines(absolute, relative, startLine, endLine);
  }
  // Up to STREAM_ABOVE_BYTES a synchronous read is a few microseconds: cheaper than the thread pool.
  const content = readFileSync(absolute);
  if (isBinary(content)) throw binary();
  const all = splitLines(content.toString('utf8'));
  return { path: relative, lines: all.slice(startLine - 1, endLine), startLine, totalLines: all.length };
}

async function startsBinary(absolute: string): Promise<boolean> {
  const handle = await open(absolute, 'r');
  try {
    const head = Buffer.alloc(8000);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return isBinary(head.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

async function streamLines(absolute: string, path: string, startLine: number, endLine: number | undefined): Promise<FileLines> {
  const lines: string[] = [];
  let count = 0;
  const reader = createInterface({ input: createReadStream(absolute, 'utf8'), crlfDelay: Infinity });
  for await (const line of reader) {
    count++;
    if (count >= startLine && (endLine === undefined || count <= endLine)) lines.push(line);
  }
  return { path, lines, startLine, totalLines: count };
}

/** Lines without their terminators; a final newline does not start another line. */
export function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}
