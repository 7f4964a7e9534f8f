import type { SearchHit } from './search.js';

/**
 * Search hits travel as `git grep -z -n --column` prints them: one record per matching line,
 * `path NUL line NUL byte-column NUL text LF`. The search thread writes the same records, so
 * both searches are counted, kept and parsed by this one piece of code, and only the hits a
 * page shows ever become objects. (A path holding a line feed splits its record in two; git
 * gives no way to end records with NUL.)
 */

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/** One record, without its line feed. */
export function parseRecord(record: Buffer): SearchHit {
  const pathEnd = record.indexOf(0);
  const lineEnd = record.indexOf(0, pathEnd + 1);
  const columnEnd = record.indexOf(0, lineEnd + 1);
  const textStart = columnEnd + 1;
  const textEnd = record[record.length - 1] === CARRIAGE_RETURN ? record.length - 1 : record.length;
  const byteColumn = Number(record.toString('latin1', lineEnd + 1, columnEnd));
  return {
    path: record.toString('utf8', 0, pathEnd),
    line: Number(record.toString('latin1', pathEnd + 1, lineEnd)),
    // The bytes before the match decode to as many UTF-16 units as they do within the whole
    // line (one U+FFFD per invalid sequence), so this is the JS regex's index + 1.
    column: record.toString('utf8', textStart, Math.min(textStart + byteColumn - 1, textEnd)).length + 1,
    text: record.toString('utf8', textStart, textEnd),
  };
}

/**
 * Hits `first` .. `first + count` of one search, kept as their records: any window inside is
 * parsed when a page asks for it.
 */
export class RecordRun {
  /** Where the last window ended, so consecutive pages skip from there, not from the start. */
  private mark = { record: 0, byte: 0 };

  constructor(
    readonly first: number,
    readonly count: number,
    private readonly bytes: Buffer,
  ) {}

  get size(): number {
    return this.bytes.length;
  }

  covers(offset: number): boolean {
    return offset >= this.first && offset < this.first + this.count;
  }

  /** The hits from `offset` on, at most `limit`, that lie in the run. */
  window(offset: number, limit: number): SearchHit[] {
    const from = Math.max(0, offset - this.first);
    const to = Math.min(this.count, from + limit);
    let [record, byte] = this.mark.record <= from ? [this.mark.record, this.mark.byte] : [0, 0];
    for (; record < from; record++) byte = this.bytes.indexOf(NEWLINE, byte) + 1;
    const hits: SearchHit[] = [];
    for (; record < to; record++) {
      const end = this.bytes.indexOf(NEWLINE, byte);
      hits.push(parseRecord(this.bytes.subarray(byte, end)));
      byte = end + 1;
    }
    this.mark = { record, byte };
    return hits;
  }
}

/**
 * Reads records as they stream in: counts them all, and keeps the bytes of those from `offset`
 * on, as many as fit in `keepBytes` but never fewer than the window `offset` .. `end`. Past
 * them it only counts line feeds, which is as cheap as reading output gets.
 */
export class RecordStream {
  total = 0;
  private state: 'before' | 'keeping' | 'counting';
  private readonly kept: Buffer[] = [];
  private keptBytes = 0;
  /** Complete records among the kept bytes, and where the last of them ends. */
  private keptRecords = 0;
  private keptEnd = 0;
  /** The last chunk did not end a record. */
  private open = false;

  constructor(
    private readonly offset: number,
    private readonly end: number,
    private readonly keepBytes: number,
  ) {
    this.state = offset === 0 ? 'keeping' : 'before';
  }

  push(chunk: Buffer): void {
    if (!chunk.length) return;
    this.open = chunk[chunk.length - 1] !== NEWLINE;
    let start = 0; // where this chunk's kept bytes begin
    let newline = chunk.indexOf(NEWLINE);
    if (this.state === 'before') {
      for (; newline !== -1 && this.total < this.offset; newline = chunk.indexOf(NEWLINE, newline + 1)) {
        this.total++;
        start = newline + 1;
      }
      if (this.total < this.offset) return;
      this.state = 'keeping';
    }
    const before = this.total;
    let lastEnd = -1;
    for (; newline !== -1; newline = chunk.indexOf(NEWLINE, newline + 1)) {
      this.total++;
      lastEnd = newline + 1;
    }
    if (this.state !== 'keeping') return;
    const piece = start ? chunk.subarray(start) : chunk;
    const windowKept = this.keptRecords >= this.end - this.offset;
    if (windowKept && this.keptBytes + piece.length > this.keepBytes) {
      this.state = 'counting';
      return;
    }
    this.kept.push(piece);
    this.keptBytes += piece.length;
    if (lastEnd !== -1) {
      this.keptRecords += this.total - before;
      this.keptEnd = this.keptBytes - (chunk.length - lastEnd);
    }
  }

  /** The count and the kept run, once the output has ended. */
  finish(): { total: number; run: RecordRun } {
    if (this.open) this.push(Buffer.from([NEWLINE])); // the last record lacked its line feed
    const bytes = this.kept.length === 1 ? this.kept[0]! : Buffer.concat(this.kept, this.keptBytes);
    return { total: this.total, run: new RecordRun(this.offset, this.keptRecords, bytes.subarray(0, this.keptEnd)) };
  }
}
