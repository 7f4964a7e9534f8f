import { watch, type FSWatcher } from 'node:fs';

/**
 * Which of the map's files may have changed since its last look, from the kernel (inotify, a
 * watch on each folder holding a mapped file) instead of a stat of every file: on a large tree
 * that stat pass is most of a warm map's time. Used on Linux only, where a folder's watch reports
 * changes to the files in it; elsewhere, or when watches cannot be had (the kernel's limit), or
 * when a watch fails, the answer is "anything may have changed" and the caller stats everything.
 *
 * A watch only speaks for changes made after it started: watches are set up in the background
 * after a call, and the next call still checks everything; from then on calls check only what
 * was reported.
 */
const SET_UP_DELAY_MS = 1000;
const SET_UP_SLICE = 250;

export class TreeWatch {
  private static readonly byRoot = new Map<string, TreeWatch>();
  private readonly watchers = new Map<string, FSWatcher>();
  private changed = new Set<string>();
  /** Everything may have changed: a watch is missing or failed, or too much was reported to list. */
  private everything = true;
  private watching: readonly string[] | undefined;
  private settingUp = false;

  /** Folders watched at most: past this the kernel's default limits come near. */
  static readonly MAX_FOLDERS = 20_000;
  /** Reported paths kept at most; past this a call checks everything anyway. */
  private static readonly MAX_CHANGED = 10_000;

  private constructor(private readonly root: string) {}

  static for(root: string): TreeWatch {
    let tree = TreeWatch.byRoot.get(root);
    if (!tree) {
      tree = new TreeWatch(root);
      TreeWatch.byRoot.set(root, tree);
    }
    return tree;
  }

  /**
   * The files (root-relative) to check again, or undefined for all of them; what is reported
   * from now on counts for the next call. Waits for the kernel's pending reports first.
   */
  async take(): Promise<ReadonlySet<string> | undefined> {
    // Two turns of the event loop hold a poll phase, which reads what inotify has queued.
    for (let turn = 0; turn < 2; turn++) await new Promise((resolve) => setImmediate(resolve));
    const changed = this.everything ? undefined : this.changed;
    this.changed = new Set();
    this.everything = this.watchers.size === 0;
    return changed;
  }

  /** Watches the folders of `paths` (all of them, or none), set up after the current call. */
  follow(paths: readonly string[]): void {
    if (process.platform !== 'linux' || this.watching === paths || this.settingUp) return;
    this.settingUp = true;
    // Later than the current call, whose answer should not wait for thousands of watches.
    setTimeout(() => {
      this.settingUp = false;
      this.watching = paths;
      this.setUp(paths);
    }, SET_UP_DELAY_MS).unref();
  }

  /** Watches the folders of `paths`, a slice per turn of the event loop so calls meanwhile are not held up. */
  private setUp(paths: readonly string[]): void {
    const folders = new Set<string>();
    for (const path of paths) folders.add(path.slice(0, Math.max(0, path.lastIndexOf('/'))));
    if (folders.size > TreeWatch.MAX_FOLDERS) {
      this.stop();
      return;
    }
    for (const [folder, watcher] of this.watchers) {
      if (folders.has(folder)) continue;
      watcher.close();
      this.watchers.delete(folder);
    }
    const missing = [...folders].filter((folder) => !this.watchers.has(folder));
    const next = (from: number): void => {
      if (this.watching !== paths) return; // superseded by a newer list
      for (const folder of missing.slice(from, from + SET_UP_SLICE)) {
        try {
          const watcher = watch(folder ? `${this.root}/${folder}` : this.root, { persistent: false }, (_event, name) => this.report(folder, name));
          watcher.on('error', () => this.stop());
          this.watchers.set(folder, watcher);
        } catch {
          this.stop(); // out of watches (ENOSPC), or the folder is gone: check everything instead
          return;
        }
      }
      this.everything = true; // what changed before these watches started is unknown
      if (from + SET_UP_SLICE < missing.length) setImmediate(() => next(from + SET_UP_SLICE));
    };
    next(0);
  }

  private report(folder: string, name: string | Buffer | null): void {
    if (name === null || this.changed.size >= TreeWatch.MAX_CHANGED) {
      this.everything = true;
      return;
    }
    this.changed.add(folder ? `${folder}/${name.toString()}` : name.toString());
  }

  /** Back to checking everything; the same paths are not tried again (the limit would be hit again). */
  private stop(): void {
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
    this.everything = true;
  }
}
