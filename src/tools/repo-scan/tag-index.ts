import { decodeSections, encodeSections } from './binary-file.js';
import { NameTable } from './name-table.js';

/**
 * The tag store as it is kept in the state dir: one file of typed arrays, read back with a single
 * read and no parsing beyond a header line, so a restarted server has its map's graph inputs in
 * milliseconds. Symbols are not in it: they sit in segment files (tag-cache.ts) and are read only
 * for the files a page shows; the index records where.
 *
 *   {"format":"baton-tags","version":N,...sections}\n   (padded to 8 bytes)
 *   names      the identifiers, NUL-separated (NameTable)
 *   flags      u8 per name
 *   paths      NUL-separated
 *   stamps     f64 size, f64 mtimeMs per file
 *   hashes     20 bytes (sha1) per file
 *   languages  u8 per file: index into the header's languages, 255 for none
 *   blobs      u32 segment + 1 (0: none), offset, length per file
 *   useStart   u32 per file + 1; uses: u32 name, u32 count pairs
 *   defineStart u32 per file + 1; defines: u32 names
 */

export const INDEX_VERSION = 1;
/** The bit of a `defines` entry marking a name defined only inside another definition (a method, a field). */
export const MEMBER = 0x8000_0000;
const NAME_BITS = MEMBER - 1;
const FORMAT = 'baton-tags';
const NO_LANGUAGE = 255;
const HASH_BYTES = 20;

/** Where one file's symbols (JSON) are stored. */
export interface BlobRef {
  segment: string;
  offset: number;
  length: number;
}

export interface FileRecord {
  size: number;
  mtimeMs: number;
  /** sha1 of the content the tags come from. */
  hash: string;
  /** The tags must be parsed again (their symbols were lost); stored as a hash of zeros. */
  stale?: boolean;
  /** undefined: no tags (no grammar for it, or its parse failed). */
  language: string | undefined;
  /** Pairs of name id and number of uses. */
  uses: Uint32Array;
  /** Ids of the names the file defines, with MEMBER set for those it defines only as members. */
  defines: Uint32Array;
  /** The symbols as JSON not stored yet, or where they are stored. */
  symbols: string | BlobRef | undefined;
}

export interface IndexHeader {
  format: string;
  version: number;
  files: number;
  names: number;
  uses: number;
  defines: number;
  languages: string[];
  segments: string[];
  /** Changes with every change of the tags: a graph stored for one revision is valid only for it. */
  revision: string;
  sections: Record<string, [offset: number, length: number]>;
}

export interface StoredIndex {
  names: NameTable;
  files: Map<string, FileRecord>;
  header: IndexHeader;
}

/** The file's bytes, in parts to write one after the other. Every record's symbols must be stored. */
export function encodeIndex(names: NameTable, files: ReadonlyMap<string, FileRecord>, revision: string): Uint8Array[] {
  const paths = [...files.keys()];
  const records = [...files.values()];
  const count = records.length;
  const languages = [...new Set(records.map((r) => r.language).filter((l): l is string => l !== undefined))];
  const segments = [...new Set(records.map((r) => (typeof r.symbols === 'object' ? r.symbols.segment : undefined)).filter((s): s is string => !!s))];
  const languageIndex = new Map(languages.map((language, i) => [language, i]));
  const segmentIndex = new Map(segments.map((segment, i) => [segment, i + 1]));

  const stamps = new Float64Array(count * 2);
  const hashes = new Uint8Array(count * HASH_BYTES);
  const languageBytes = new Uint8Array(count);
  const blobs = new Uint32Array(count * 3);
  const useStart = new Uint32Array(count + 1);
  const defineStart = new Uint32Array(count + 1);
  records.forEach((record, i) => {
    stamps[2 * i] = record.size;
    stamps[2 * i + 1] = record.mtimeMs;
    if (!record.stale && record.hash.length === HASH_BYTES * 2) hashes.set(Buffer.from(record.hash, 'hex'), i * HASH_BYTES);
    languageBytes[i] = record.language === undefined ? NO_LANGUAGE : languageIndex.get(record.language)!;
    if (typeof record.symbols === 'object') blobs.set([segmentIndex.get(record.symbols.segment)!, record.symbols.offset, record.symbols.length], 3 * i);
    useStart[i + 1] = useStart[i]! + record.uses.length / 2;
    defineStart[i + 1] = defineStart[i]! + record.defines.length;
  });
  const uses = new Uint32Array(useStart[count]! * 2);
  const defines = new Uint32Array(defineStart[count]!);
  records.forEach((record, i) => {
    uses.set(record.uses, useStart[i]! * 2);
    defines.set(record.defines, defineStart[i]!);
  });

  const header = {
    format: FORMAT,
    version: INDEX_VERSION,
    revision,
    files: count,
    names: names.count,
    uses: uses.length / 2,
    defines: defines.length,
    languages,
    segments,
  };
  return encodeSections(header, {
    names: Buffer.from(names.text()),
    flags: names.flags,
    paths: Buffer.from(paths.join('\0')),
    stamps,
    hashes,
    languages: languageBytes,
    blobs,
    useStart,
    uses,
    defineStart,
    defines,
  });
}

/** The paths the index in `buffer` holds, in its order (what decodeIndex gives them), without decoding the rest. */
export function indexPaths(buffer: Uint8Array): string[] | undefined {
  const decoded = decodeSections<IndexHeader>(buffer, FORMAT, INDEX_VERSION);
  const paths = decoded?.text('paths');
  if (paths === undefined) return undefined;
  return decoded!.header.files ? paths.split('\0') : [];
}

/**
 * The index in `buffer`, or undefined when it is another version or damaged (then it is rebuilt).
 * `pathList`: what indexPaths gave for the same buffer, when the caller has it already.
 */
export function decodeIndex(buffer: Uint8Array, pathList?: string[]): StoredIndex | undefined {
  const decoded = decodeSections<IndexHeader>(buffer, FORMAT, INDEX_VERSION);
  if (!decoded) return undefined;
  const { header, view, text } = decoded;
  const names = text('names');
  const flags = view('flags', Uint8Array);
  const paths = pathList ? '' : text('paths');
  const stamps = view('stamps', Float64Array);
  const hashes = view('hashes', Uint8Array);
  const languages = view('languages', Uint8Array);
  const blobs = view('blobs', Uint32Array);
  const useStart = view('useStart', Uint32Array);
  const uses = view('uses', Uint32Array);
  const defineStart = view('defineStart', Uint32Array);
  const defines = view('defines', Uint32Array);
  if (names === undefined || !flags || paths === undefined || !stamps || !hashes || !languages || !blobs || !useStart || !uses || !defineStart || !defines) {
    return undefined;
  }
  const count = header.files;
  pathList ??= count ? paths!.split('\0') : [];
  if (
    pathList.length !== count ||
    stamps.length !== 2 * count ||
    hashes.length !== HASH_BYTES * count ||
    languages.length !== count ||
    blobs.length !== 3 * count ||
    useStart.length !== count + 1 ||
    defineStart.length !== count + 1 ||
    flags.length !== header.names ||
    useStart[count]! * 2 !== uses.length ||
    defineStart[count] !== defines.length ||
    !idsBelow(uses, header.names, 2) ||
    !idsBelow(defines, header.names, 1, NAME_BITS)
  ) {
    return undefined;
  }
  const files = new Map<string, FileRecord>();
  for (let i = 0; i < count; i++) {
    if (useStart[i + 1]! < useStart[i]! || defineStart[i + 1]! < defineStart[i]!) return undefined;
    const segment = blobs[3 * i]!;
    files.set(
      pathList[i]!,
      new StoredRecord(i, stamps[2 * i]!, stamps[2 * i + 1]!, hashes, languages[i] === NO_LANGUAGE ? undefined : header.languages[languages[i]!], {
        useStart,
        uses,
        defineStart,
        defines,
      }),
    );
    const record = files.get(pathList[i]!)!;
    if (segment && header.segments[segment - 1])
      record.symbols = { segment: header.segments[segment - 1]!, offset: blobs[3 * i + 1]!, length: blobs[3 * i + 2]! };
  }
  return { names: new NameTable({ text: names, count: header.names, flags }), files, header };
}

/**
 * A file's record as read back: its arrays become views over the index's bytes only when first
 * used (a restarted server whose graph is stored needs few of them), its hash text likewise.
 */
class StoredRecord implements FileRecord {
  symbols: string | BlobRef | undefined;
  stale: boolean;
  private usesView: Uint32Array | undefined;
  private definesView: Uint32Array | undefined;
  private hashText: string | undefined;

  constructor(
    private readonly at: number,
    public size: number,
    public mtimeMs: number,
    private readonly hashes: Uint8Array,
    readonly language: string | undefined,
    private readonly arrays: { useStart: Uint32Array; uses: Uint32Array; defineStart: Uint32Array; defines: Uint32Array },
  ) {
    let zeros = 0;
    for (let i = at * HASH_BYTES; i < (at + 1) * HASH_BYTES; i++) if (hashes[i] === 0) zeros++;
    this.stale = zeros === HASH_BYTES; // no sha1 is all zeros
  }

  get hash(): string {
    this.hashText ??= Buffer.from(this.hashes.buffer, this.hashes.byteOffset + this.at * HASH_BYTES, HASH_BYTES).toString('hex');
    return this.hashText;
  }

  set hash(value: string) {
    this.hashText = value;
  }

  get uses(): Uint32Array {
    this.usesView ??= this.arrays.uses.subarray(this.arrays.useStart[this.at]! * 2, this.arrays.useStart[this.at + 1]! * 2);
    return this.usesView;
  }

  get defines(): Uint32Array {
    this.definesView ??= this.arrays.defines.subarray(this.arrays.defineStart[this.at]!, this.arrays.defineStart[this.at + 1]!);
    return this.definesView;
  }
}

/** Every name id (each `stride`-th value, `mask`ed) is below `count`. */
function idsBelow(values: Uint32Array, count: number, stride: number, mask = 0xffff_ffff): boolean {
  for (let i = 0; i < values.length; i += stride) if ((values[i]! & mask) >>> 0 >= count) return false;
  return true;
}
