import { randomBytes } from 'node:crypto';
import { open, readdir, stat } from 'node:fs/promises';
import { UserError } from '../core/errors.js';
import { appendJsonl, JsonlAppender, parseJsonl, readJson, writeJsonAtomic, type WorkspaceState } from '../core/state.js';
import type { CheckpointEvent, SessionEvent } from './types.js';

/**
 * Sessions of one workspace: `<state>/sessions/<id>.jsonl`, appended one event per line and
 * never rewritten, plus `current.json` naming the session new calls go to. Reads are
 * incremental: a session already read in this process costs only its new lines.
 */

const ID_PATTERN = /^s-\d{8}-\d{6}-[0-9a-f]{4}$/;

export interface SessionInfo {
  id: string;
  goal?: string;
  updatedAt: string;
  events: number;
}

interface Cached {
  events: SessionEvent[];
  /** Bytes of the file already parsed (up to the last complete line). */
  offset: number;
}

export class SessionStore {
  private static readonly byStateDir = new Map<string, SessionStore>();
  private readonly cache = new Map<string, Cached>();
  private readonly appenders = new Map<string, JsonlAppender>();
  /** The current session's id once known: only `create` changes it. */
  private currentId: string | undefined;

  private constructor(private readonly dir: string) {}

  static for(state: WorkspaceState): SessionStore {
    const dir = state.path('sessions');
    let store = SessionStore.byStateDir.get(dir);
    if (!store) {
      store = new SessionStore(dir);
      SessionStore.byStateDir.set(dir, store);
    }
    return store;
  }

  /** The workspace's current session, created on first use. */
  async current(): Promise<string> {
    if (this.currentId) return this.currentId;
    const pointer = await readJson<{ id: string }>(`${this.dir}/current.json`);
    if (pointer && ID_PATTERN.test(pointer.id)) {
      this.currentId = pointer.id;
      return pointer.id;
    }
    return this.create();
  }

  async create(): Promise<string> {
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
    const id = `s-${stamp}-${randomBytes(2).toString('hex')}`;
    await appendJsonl(this.file(id), { type: 'checkpoint', at: new Date().toISOString() } satisfies CheckpointEvent);
    await writeJsonAtomic(`${this.dir}/current.json`, { id });
    this.currentId = id;
    return id;
  }

  /** A session id given by a caller: it must exist in this workspace. */
  async resolve(id: string | undefined): Promise<string> {
    if (id === undefined) return this.current();
    if (
      !ID_PATTERN.test(id) ||
      !(await stat(this.file(id)).then(
        () => true,
        () => false,
      ))
    ) {
      throw new UserError(`no session ${id} in this workspace`, 'Use session with action "list" to see the sessions of this workspace, or omit sessionId');
    }
    return id;
  }

  /** Appends the events and waits until they are on disk. */
  async append(id: string, ...events: SessionEvent[]): Promise<void> {
    await this.appender(id).append(events);
  }

  /**
   * Appends the events with one write and resolves then: a killed process loses none of them.
   * The returned `synced` resolves once they are on disk too (fdatasyncs are shared).
   */
  async write(id: string, ...events: SessionEvent[]): Promise<{ synced: Promise<void> }> {
    const appender = this.appender(id);
    await appender.write(events);
    return { synced: appender.sync() };
  }

  private appender(id: string): JsonlAppender {
    let appender = this.appenders.get(id);
    if (!appender) {
      appender = new JsonlAppender(this.file(id));
      this.appenders.set(id, appender);
    }
    return appender;
  }

  /** All events of a session, in order; a torn last line is skipped. */
  async read(id: string): Promise<SessionEvent[]> {
    const file = this.file(id);
    const size = await stat(file).then(
      (s) => s.size,
      () => 0,
    );
    let cached = this.cache.get(id);
    if (!cached || size < cached.offset) cached = { events: [], offset: 0 };
    if (size > cached.offset) {
      const handle = await open(file, 'r');
      try {
        const buffer = Buffer.alloc(size - cached.offset);
        await handle.read(buffer, 0, buffer.length, cached.offset);
        // Only complete lines are consumed: a line still being written is read next time.
        const end = buffer.lastIndexOf(0x0a) + 1;
        const { records } = parseJsonl<SessionEvent>(buffer.subarray(0, end).toString('utf8'));
        cached = { events: cached.events.concat(records), offset: cached.offset + end };
      } finally {
        await handle.close();
      }
    }
    this.cache.set(id, cached);
    return cached.events;
  }

  async list(): Promise<SessionInfo[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const ids = names
      .filter((name) => name.endsWith('.jsonl'))
      .map((name) => name.slice(0, -'.jsonl'.length))
      .filter((id) => ID_PATTERN.test(id));
    const sessions = await Promise.all(
      ids.map(async (id) => {
        const events = await this.read(id);
        const goal = [...events].reverse().find((e): e is CheckpointEvent => e.type === 'checkpoint' && e.goal !== undefined)?.goal;
        return { id, ...(goal ? { goal } : {}), updatedAt: events.at(-1)?.at ?? '', events: events.length };
      }),
    );
    return sessions.sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : -1));
  }

  private file(id: string): string {
    return `${this.dir}/${id}.jsonl`;
  }
}
