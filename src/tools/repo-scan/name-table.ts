/**
 * The identifiers of a tag store, each stored once and named by its number: a file's uses and
 * definitions are then arrays of numbers, and the map's graph is built over numbers. A table
 * read back from the state dir keeps its names as one block of text until a name is asked for
 * (a map that names nothing in its query never needs them).
 */
export class NameTable {
  private list: string[] | undefined;
  /** The stored names, not split yet. */
  private pendingText: string | undefined;
  private ids: Map<string, number> | undefined;
  private flagBytes: Uint8Array;
  private size: number;

  /** Past this many names, new ones are left out of the map (a Map cannot hold many more). */
  static readonly MAX_NAMES = 4_000_000;

  constructor(
    stored: { text: string; count: number; flags: Uint8Array } = { text: '', count: 0, flags: new Uint8Array(0) },
    private readonly separator = '\0',
  ) {
    this.size = stored.count;
    this.flagBytes = new Uint8Array(Math.max(1024, stored.count * 2));
    this.flagBytes.set(stored.flags.subarray(0, stored.count));
    if (!stored.count) this.list = [];
    else this.pendingText = stored.text;
  }

  get count(): number {
    return this.size;
  }

  /** NAME_PRIVATE / NAME_SPECIFIC bits of a name. */
  get flags(): Uint8Array {
    return this.flagBytes.subarray(0, this.size);
  }

  name(id: number): string {
    return this.names()[id]!;
  }

  /** The number of a name, if the table has it. */
  idOf(name: string): number | undefined {
    return this.index().get(name);
  }

  /** The number of a name, added when new; undefined when the table is full. */
  intern(name: string): number | undefined {
    const index = this.index();
    const known = index.get(name);
    if (known !== undefined) return known;
    if (this.size >= NameTable.MAX_NAMES || name.includes(this.separator)) return undefined;
    const id = this.size++;
    this.list!.push(name);
    index.set(name, id);
    if (id >= this.flagBytes.length) {
      const grown = new Uint8Array(this.flagBytes.length * 2);
      grown.set(this.flagBytes);
      this.flagBytes = grown;
    }
    this.flagBytes[id] = flagsOf(name);
    return id;
  }

  /** All names joined by the separator, as stored. */
  text(): string {
    return this.pendingText ?? this.list!.join(this.separator);
  }

  private names(): string[] {
    if (!this.list) {
      this.list = this.pendingText!.split(this.separator);
      this.pendingText = undefined;
    }
    return this.list;
  }

  private index(): Map<string, number> {
    if (!this.ids) {
      const names = this.names();
      this.ids = new Map();
      for (let id = 0; id < names.length; id++) this.ids.set(names[id]!, id);
    }
    return this.ids;
  }
}

/** `_name`: private by convention. */
export const NAME_PRIVATE = 1;
/** A long name in mixed case or with underscores: specific, so it says more about a dependency than `get`. */
export const NAME_SPECIFIC = 2;

export function flagsOf(name: string): number {
  return (
    (name.startsWith('_') ? NAME_PRIVATE : 0) | (name.length >= 8 && (name.includes('_') || (/[a-z]/.test(name) && /[A-Z]/.test(name))) ? NAME_SPECIFIC : 0)
  );
}
