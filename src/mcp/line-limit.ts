import { Transform, type TransformCallback } from 'node:stream';

/** The largest JSON-RPC message Baton reads over stdio (README: Limits). */
export const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;
/** What is kept of an over-size message: enough to find its id. */
const HEAD_BYTES = 4096;

/**
 * Passes stdin on as whole lines and drops any line longer than `maxBytes`, telling
 * `onOversize` (with the line's first bytes and its size) so the server can answer that one
 * request with an error and go on. Without it, the SDK's reader gives up on the whole stream at
 * its buffer limit and the server exits without a word.
 */
export class LineLimit extends Transform {
  private parts: Buffer[] = [];
  private size = 0;
  /** Over the limit: everything up to the next newline is dropped. */
  private dropping = false;
  private head = Buffer.alloc(0);

  constructor(
    private readonly maxBytes: number,
    private readonly onOversize: (head: string, bytes: number) => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let start = 0;
    for (let newline = chunk.indexOf(10); newline !== -1; newline = chunk.indexOf(10, start)) {
      this.collect(chunk.subarray(start, newline + 1));
      if (this.dropping) {
        this.dropping = false;
        this.onOversize(this.head.toString('utf8'), this.size);
      } else {
        this.push(this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts));
      }
      this.parts = [];
      this.size = 0;
      start = newline + 1;
    }
    if (start < chunk.length) this.collect(chunk.subarray(start));
    done();
  }

  override _flush(done: TransformCallback): void {
    if (!this.dropping && this.size) this.push(Buffer.concat(this.parts));
    done();
  }

  private collect(piece: Buffer): void {
    this.size += piece.length;
    if (this.dropping) return;
    if (this.size > this.maxBytes) {
      this.dropping = true;
      this.head = Buffer.concat([...this.parts, piece]).subarray(0, HEAD_BYTES);
      this.parts = [];
      return;
    }
    this.parts.push(Buffer.from(piece)); // a copy: the chunk's memory is reused by the stream
  }
}

/** The request id in the first bytes of a message, when it can be found there. */
export function requestIdIn(head: string): string | number | null {
  const match = /"id"\s*:\s*(-?\d+|"(?:[^"\\]|\\.)*")/.exec(head);
  if (!match) return null;
  return match[1]!.startsWith('"') ? (JSON.parse(match[1]!) as string) : Number(match[1]);
}
