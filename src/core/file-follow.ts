import { type FileHandle, open } from 'node:fs/promises';

/** The most bytes to read, and what to do once the file holds more. */
export interface FollowLimit {
  bytes: number;
  onLimit: () => void;
}

/** Bytes read from a followed file in one read. */
const CHUNK_BYTES = 1 << 20;

/**
 * Reads what a file gains from `offset` on, in order, as another process writes it: every
 * `everyMs` while it runs, then to the end on `finish`. A chunk is only valid during the call
 * that hands it over (the buffer is reused). With a `limit`, it reads at most that many bytes
 * and calls `onLimit` once when the file holds more: a writer that never stops cannot keep a
 * read going for ever.
 */
export class FileFollower {
  private position: number;
  private reading: Promise<void> = Promise.resolve();
  private busy = false;
  private failure: unknown;
  private timer: NodeJS.Timeout | undefined;
  private readonly buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  private readonly end: number;
  private limitReached = false;

  private constructor(
    private readonly handle: FileHandle,
    offset: number,
    private readonly onChunk: (chunk: Buffer) => void,
    private readonly limit?: FollowLimit,
  ) {
    this.position = offset;
    this.end = offset + (limit?.bytes ?? Infinity);
  }

  static async open(path: string, offset: number, onChunk: (chunk: Buffer) => void, limit?: FollowLimit): Promise<FileFollower> {
    return new FileFollower(await open(path, 'r'), offset, onChunk, limit);
  }

  follow(everyMs: number): void {
    this.timer = setInterval(() => {
      if (!this.busy) void this.read();
    }, everyMs);
  }

  /** Stops following and reads what is left; rejects if any read failed. */
  async finish(): Promise<void> {
    clearInterval(this.timer);
    try {
      await this.read();
      if (this.failure !== undefined) throw this.failure;
    } finally {
      await this.handle.close();
    }
  }

  /** Reads to the current end, after any read under way. */
  private read(): Promise<void> {
    this.busy = true;
    this.reading = this.reading
      .then(() => this.drain())
      .then(
        () => {
          this.busy = false;
        },
        (error: unknown) => {
          this.failure ??= error;
          this.busy = false;
        },
      );
    return this.reading;
  }

  private async drain(): Promise<void> {
    for (;;) {
      const room = this.end - this.position;
      if (room <= 0) {
        // One more byte, to tell "exactly the limit" from "past it".
        if (!this.limitReached && (await this.handle.read(Buffer.alloc(1), 0, 1, this.position)).bytesRead > 0) {
          this.limitReached = true;
          this.limit?.onLimit();
        }
        return;
      }
      const { bytesRead } = await this.handle.read(this.buffer, 0, Math.min(CHUNK_BYTES, room), this.position);
      if (bytesRead === 0) return;
      this.position += bytesRead;
      this.onChunk(this.buffer.subarray(0, bytesRead));
    }
  }
}
