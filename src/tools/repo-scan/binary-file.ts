/**
 * The layout of repo-scan's binary state files (tag-index.ts, graph-file.ts): a JSON header
 * line naming the format, its version and where each section is, then the sections (typed
 * arrays, text) one after the other, each at an 8-byte boundary so it is read back as a view
 * over the file's bytes, without a copy or a parse.
 */

type Section = Uint8Array | Uint32Array | Int32Array | Float32Array | Float64Array;

interface Header {
  format: string;
  version: number;
  sections: Record<string, [offset: number, length: number]>;
}

/** The file's bytes, in parts to write one after the other. */
export function encodeSections(header: Record<string, unknown> & { format: string; version: number }, sections: Record<string, Section>): Uint8Array[] {
  const offsets: Header['sections'] = {};
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const [name, section] of Object.entries(sections)) {
    const bytes = new Uint8Array(section.buffer, section.byteOffset, section.byteLength);
    offsets[name] = [offset, bytes.length];
    parts.push(bytes);
    const padding = align(offset + bytes.length) - (offset + bytes.length);
    if (padding) parts.push(new Uint8Array(padding));
    offset = align(offset + bytes.length);
  }
  const headerBytes = Buffer.from(JSON.stringify({ ...header, sections: offsets }) + '\n');
  return [Buffer.concat([headerBytes, new Uint8Array(align(headerBytes.length) - headerBytes.length)]), ...parts];
}

type SectionType<T> = { new (buffer: ArrayBufferLike, offset: number, length: number): T; BYTES_PER_ELEMENT: number };

export interface DecodedSections<H> {
  header: H;
  /** A section as a view over the bytes; undefined when it is missing or out of bounds. */
  view<T>(name: string, Type: SectionType<T>): T | undefined;
  text(name: string): string | undefined;
}

/** The header and sections of a file of `format` at `version`; undefined for anything else. */
export function decodeSections<H extends Header>(buffer: Uint8Array, format: string, version: number): DecodedSections<H> | undefined {
  const bytes = buffer.byteOffset % 8 ? new Uint8Array(buffer) : buffer; // typed views need alignment; a copy has it
  const newline = bytes.subarray(0, 1 << 16).indexOf(0x0a);
  if (newline === -1) return undefined;
  let header: H;
  try {
    header = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, newline).toString('utf8')) as H;
  } catch {
    return undefined;
  }
  if (header?.format !== format || header.version !== version || typeof header.sections !== 'object') return undefined;
  const base = align(newline + 1);
  const place = (name: string, unit: number): { offset: number; length: number } | undefined => {
    const [offset, length] = header.sections[name] ?? [-1, -1];
    if (
      !(Number.isInteger(offset) && Number.isInteger(length) && offset >= 0 && length >= 0 && length % unit === 0 && base + offset + length <= bytes.length)
    ) {
      return undefined;
    }
    return { offset: bytes.byteOffset + base + offset, length: length / unit };
  };
  return {
    header,
    view: (name, Type) => {
      const at = place(name, Type.BYTES_PER_ELEMENT);
      return at && new Type(bytes.buffer, at.offset, at.length);
    },
    text: (name) => {
      const at = place(name, 1);
      return at && Buffer.from(bytes.buffer, at.offset, at.length).toString('utf8');
    },
  };
}

function align(offset: number): number {
  return Math.ceil(offset / 8) * 8;
}
