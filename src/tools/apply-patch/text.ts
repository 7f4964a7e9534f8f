import type { DiffLines } from '../../core/line-diff.js';

/**
 * A text file as lines plus everything needed to write it back byte for byte: each line's
 * own ending (so CRLF, LF and mixed files survive), the BOM, and a missing final newline
 * (the last line's ending is '').
 */
export interface FileText {
  lines: string[];
  /** '\n', '\r\n' or '' (only the last line may lack one). */
  endings: string[];
  bom: boolean;
  /** The ending new lines get: the file's majority. */
  eol: '\n' | '\r\n';
  /** False when the file has no line ending to learn from (empty, or one line without one). */
  eolKnown: boolean;
}

const BOM = '\uFEFF';

export function decodeText(content: Buffer | string): FileText {
  let text = typeof content === 'string' ? content : content.toString('utf8');
  const bom = text.startsWith(BOM);
  if (bom) text = text.slice(1);
  const lines: string[] = [];
  const endings: string[] = [];
  let crlf = 0;
  let start = 0;
  while (start < text.length) {
    const newline = text.indexOf('\n', start);
    if (newline === -1) {
      lines.push(text.slice(start));
      endings.push('');
      break;
    }
    const isCrlf = newline > start && text[newline - 1] === '\r';
    if (isCrlf) crlf++;
    lines.push(text.slice(start, isCrlf ? newline - 1 : newline));
    endings.push(isCrlf ? '\r\n' : '\n');
    start = newline + 1;
  }
  const ended = endings.filter((e) => e).length;
  const eol = crlf > 0 && crlf * 2 >= ended ? '\r\n' : '\n';
  return { lines, endings, bom, eol, eolKnown: ended > 0 };
}

export function encodeText(file: FileText): string {
  const { lines, endings } = file;
  const last = endings.length - 1;
  // The usual file has one ending throughout: one native join.
  let uniform = true;
  for (let i = 0; i < last && uniform; i++) uniform = endings[i] === endings[0];
  let out: string;
  if (uniform) out = lines.join(endings[0] ?? '') + (endings[last] ?? '');
  else {
    out = '';
    for (let i = 0; i < lines.length; i++) out += lines[i]! + endings[i]!;
  }
  return file.bom ? BOM + out : out;
}

/** The text as diff lines (the BOM on the first). */
export function diffLinesOfText(file: FileText): DiffLines {
  if (!file.bom) return file;
  const lines = file.lines.length ? [BOM + file.lines[0]!, ...file.lines.slice(1)] : [BOM];
  return { lines, endings: file.lines.length ? file.endings : [''] };
}

/** A new file's text from patch lines, with the patch's own line endings. */
export function textFromLines(lines: readonly string[], finalNewline: boolean, eol: '\n' | '\r\n'): FileText {
  const endings: string[] = lines.map(() => eol);
  if (!finalNewline && endings.length) endings[endings.length - 1] = '';
  return { lines: [...lines], endings, bom: false, eol, eolKnown: true };
}

/**
 * The line ending a patch's added lines mostly use (headers do not count: git writes them
 * with LF whatever the files use). New lines in files that have none yet get it.
 */
export function eolOf(patchText: string): '\n' | '\r\n' {
  let crlf = 0;
  let all = 0;
  for (const line of patchText.split('\n')) {
    if (!line.startsWith('+') || line.startsWith('+++ ')) continue;
    all++;
    if (line.endsWith('\r')) crlf++;
  }
  return crlf > 0 && crlf * 2 >= all ? '\r\n' : '\n';
}

/** A file that has no line ending yet takes the patch's. */
export function withDefaultEol(file: FileText, eol: '\n' | '\r\n'): FileText {
  return file.eolKnown ? file : { ...file, eol };
}
