import type { FileText } from './text.js';

/**
 * A file being edited by search/replace: its lines held in blocks of a few thousand
 * characters, each with its text built once per view (exact, or one of the ladder's
 * normalisations). An edit rebuilds only the blocks it touches, and a search is one native
 * `indexOf` per block, so a hundred edits of a long file never rebuild or rescan it line by
 * line. Offsets are in the view's text: the blocks' texts one after another.
 */

/** Characters a block holds at most when built; a replacement may grow it to twice that before it is split. */
export const BLOCK_CHARS = 16_384;

/**
 * A view of the lines: `null` is the file's text as it is ('\n' after each line that has an
 * ending, whatever the ending); a function normalises every line and ends each with '\n'.
 */
export type View = null | ((line: string) => string);

interface Block {
  lines: string[];
  endings: string[];
  /** Its text per view, built on first use. */
  texts: Map<View, string>;
}

export class EditBuffer {
  private blocks: Block[] = [];
  /** Per view, where each block's text starts; dropped on every change. */
  private starts = new Map<View, number[]>();
  private lines = 0;

  constructor(
    private readonly file: Omit<FileText, 'lines' | 'endings'>,
    lines: readonly string[],
    endings: readonly string[],
    private readonly blockChars = BLOCK_CHARS,
  ) {
    this.blocks = this.split(lines, endings);
    this.lines = lines.length;
  }

  static of(file: FileText, blockChars = BLOCK_CHARS): EditBuffer {
    const { lines, endings, ...rest } = file;
    return new EditBuffer(rest, lines, endings, blockChars);
  }

  /** The ending new lines get. */
  get eol(): '\n' | '\r\n' {
    return this.file.eol;
  }

  get lineCount(): number {
    return this.lines;
  }

  toFileText(): FileText {
    const lines = ([] as string[]).concat(...this.blocks.map((block) => block.lines));
    const endings = ([] as string[]).concat(...this.blocks.map((block) => block.endings));
    return { ...this.file, lines, endings };
  }

  /** Line `first` and the ones after it up to line `last` (0-based, inclusive), with their endings. */
  slice(first: number, last: number): { lines: string[]; endings: string[] } {
    const lines: string[] = [];
    const endings: string[] = [];
    let line = 0;
    for (const block of this.blocks) {
      const end = line + block.lines.length;
      if (end > first && line <= last) {
        const from = Math.max(0, first - line);
        const to = Math.min(block.lines.length, last + 1 - line);
        lines.push(...block.lines.slice(from, to));
        endings.push(...block.endings.slice(from, to));
      }
      if (end > last) break;
      line = end;
    }
    return { lines, endings };
  }

  /** Replaces `count` lines from line `first` (0-based) with `lines`. */
  splice(first: number, count: number, lines: readonly string[], endings: readonly string[]): void {
    // The blocks the lines are in (an insertion goes into the block holding line `first`, or the last one).
    let line = 0;
    let from = this.blocks.length - 1;
    let lineOfFrom = this.lines - (this.blocks.at(-1)?.lines.length ?? 0);
    for (let b = 0; b < this.blocks.length; b++) {
      const size = this.blocks[b]!.lines.length;
      if (first < line + size || b === this.blocks.length - 1) {
        from = b;
        lineOfFrom = line;
        break;
      }
      line += size;
    }
    if (from < 0) {
      this.blocks = this.split(lines, endings);
      this.lines = lines.length;
      this.starts.clear();
      return;
    }
    let to = from;
    let end = lineOfFrom + this.blocks[from]!.lines.length;
    while (end < first + count && to + 1 < this.blocks.length) end += this.blocks[++to]!.lines.length;
    // Built without spreading `lines` into a call: a replacement may have any number of lines.
    const touched = this.blocks.slice(from, to + 1);
    const old = ([] as string[]).concat(...touched.map((b) => b.lines));
    const oldEndings = ([] as string[]).concat(...touched.map((b) => b.endings));
    const at = first - lineOfFrom;
    const merged = old.slice(0, at).concat(lines, old.slice(at + count));
    const mergedEndings = oldEndings.slice(0, at).concat(endings, oldEndings.slice(at + count));
    const chars = merged.reduce((sum, text) => sum + text.length + 1, 0);
    const rebuilt = chars > 2 * this.blockChars ? this.split(merged, mergedEndings) : merged.length ? [block(merged, mergedEndings)] : [];
    this.blocks.splice(from, to - from + 1, ...rebuilt);
    this.lines += lines.length - count;
    this.starts.clear();
  }

  /** The view's whole text. */
  text(view: View): string {
    return this.blocks.map((_, b) => this.textOf(view, b)).join('');
  }

  /**
   * Where `pattern` starts in the view, in order, overlapping places included, at most
   * `limit`; with `atLineStart`, only where a line starts.
   */
  find(view: View, pattern: string, limit = Number.POSITIVE_INFINITY, atLineStart = false): number[] {
    const found: number[] = [];
    if (!pattern) return found;
    const starts = this.startsOf(view);
    // A place running from one block into the next covers the newline that ends the block: it
    // is the pattern split after one of its own newlines, its head ending the block and the
    // rest starting what follows. Latest newline first, so places come in order.
    const splits: Array<{ head: string; rest: string }> = [];
    const lastSplit = pattern.length >= 2 ? pattern.lastIndexOf('\n', pattern.length - 2) : -1;
    for (let q = lastSplit; q !== -1; q = q > 0 ? pattern.lastIndexOf('\n', q - 1) : -1) {
      splits.push({ head: pattern.slice(0, q + 1), rest: pattern.slice(q + 1) });
    }
    for (let b = 0; b < this.blocks.length && found.length < limit; b++) {
      const text = this.textOf(view, b);
      const accept = (local: number) => !atLineStart || local === 0 || text[local - 1] === '\n';
      for (let at = text.indexOf(pattern); at !== -1 && found.length < limit; at = text.indexOf(pattern, at + 1)) {
        if (accept(at)) found.push(starts[b]! + at);
      }
      if (b === this.blocks.length - 1) break;
      for (const { head, rest } of splits) {
        const at = text.length - head.length;
        if (at >= 0 && found.length < limit && text.endsWith(head) && accept(at) && this.startsWithAt(view, b + 1, rest)) found.push(starts[b]! + at);
      }
    }
    return found;
  }

  /** Whether the view's text from the start of block `b` on begins with `text`. */
  private startsWithAt(view: View, b: number, text: string): boolean {
    let rest = text;
    for (let next = b; next < this.blocks.length; next++) {
      const block = this.textOf(view, next);
      if (rest.length <= block.length) return block.startsWith(rest);
      if (!rest.startsWith(block)) return false;
      rest = rest.slice(block.length);
    }
    return false;
  }

  /** The 0-based line an offset of the view is on (the last line for the offset just past the end). */
  lineAt(view: View, offset: number): number {
    const starts = this.startsOf(view);
    let line = 0;
    for (let b = 0; b < this.blocks.length; b++) {
      const text = this.textOf(view, b);
      const local = offset - starts[b]!;
      if (local < text.length) {
        let newlines = 0;
        for (let at = text.indexOf('\n'); at !== -1 && at < local; at = text.indexOf('\n', at + 1)) newlines++;
        return line + newlines;
      }
      line += this.blocks[b]!.lines.length;
    }
    return Math.max(0, this.lines - 1);
  }

  private startsOf(view: View): number[] {
    let starts = this.starts.get(view);
    if (!starts) {
      starts = [];
      let at = 0;
      for (let b = 0; b < this.blocks.length; b++) {
        starts.push(at);
        at += this.textOf(view, b).length;
      }
      this.starts.set(view, starts);
    }
    return starts;
  }

  private textOf(view: View, b: number): string {
    const target = this.blocks[b]!;
    let text = target.texts.get(view);
    if (text === undefined) {
      text = textOf(view, target.lines, target.endings);
      target.texts.set(view, text);
    }
    return text;
  }

  private split(lines: readonly string[], endings: readonly string[]): Block[] {
    const blocks: Block[] = [];
    let from = 0;
    let chars = 0;
    for (let i = 0; i < lines.length; i++) {
      chars += lines[i]!.length + 1;
      if (chars >= this.blockChars || i === lines.length - 1) {
        blocks.push(block(lines.slice(from, i + 1), endings.slice(from, i + 1)));
        from = i + 1;
        chars = 0;
      }
    }
    return blocks;
  }
}

function block(lines: string[], endings: string[]): Block {
  return { lines, endings, texts: new Map() };
}

function textOf(view: View, lines: readonly string[], endings: readonly string[]): string {
  if (!lines.length) return '';
  if (view === null) {
    // Only a file's last line may lack an ending.
    return lines.join('\n') + (endings[endings.length - 1] ? '\n' : '');
  }
  return `${lines.map(view).join('\n')}\n`;
}
