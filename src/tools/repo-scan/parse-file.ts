import { extractTags } from './tags/index.js';

/**
 * One file's tags in the form the tag store keeps and a parse thread can send cheaply: the
 * symbols as JSON text (stored as they come, parsed only when a page shows the file), and the
 * names the file defines and uses as flat lists.
 */
export interface ParsedFile {
  language: string;
  /** JSON of the file's SymbolInfo[]. */
  symbols: string;
  /** Distinct names the file defines at the top level (functions, classes, constants). */
  defines: string[];
  /** Distinct names it defines only inside another definition (methods, fields). */
  members: string[];
  /** Distinct names the file uses, and how often (same order). */
  uses: string[];
  counts: number[];
}

/**
 * A file past this many distinct names is generated or a bundle; its most used names say what
 * it depends on, and the rest would only make the map's graph bigger.
 */
export const MAX_NAMES_PER_FILE = 4096;

/** Parses one file; undefined when its language has no tags. */
export async function parseFile(path: string, source: string): Promise<ParsedFile | undefined> {
  const tags = await extractTags(path, source);
  if (!tags) return undefined;
  let entries = Object.entries(tags.references);
  if (entries.length > MAX_NAMES_PER_FILE) entries = entries.sort((a, b) => b[1] - a[1]).slice(0, MAX_NAMES_PER_FILE);
  const defines = new Set(tags.symbols.filter((symbol) => symbol.container === undefined).map((symbol) => symbol.name));
  const members = new Set(tags.symbols.filter((symbol) => symbol.container !== undefined && !defines.has(symbol.name)).map((symbol) => symbol.name));
  return {
    language: tags.language,
    symbols: JSON.stringify(tags.symbols),
    defines: [...defines].slice(0, MAX_NAMES_PER_FILE),
    members: [...members].slice(0, MAX_NAMES_PER_FILE),
    uses: entries.map(([name]) => name),
    counts: entries.map(([, count]) => count),
  };
}
