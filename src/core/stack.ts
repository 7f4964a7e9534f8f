import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Stack traces of the bundle point into minified chunks (`chunk-X.js:6:2018`). For a bug report
 * they are mapped back to `src/` files and lines through the bundle's source maps, read only
 * when a bug is logged: enabling source maps for the whole process would parse every chunk's map
 * (the tokenizer's alone is megabytes) at start-up.
 */
const FRAME = /((?:file:\/\/)?(\/[^\s():]+\.js)):(\d+):(\d+)/g;
const maps = new Map<string, SourceMap | null>();

export function readableStack(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const stack = error.stack ?? `${error.name}: ${error.message}`;
  return stack.replace(FRAME, (whole, _url: string, path: string, line: string, column: string) => {
    const map = sourceMapOf(path);
    if (!map) return whole;
    // findEntry takes 0-based positions; stack traces give 1-based ones.
    const entry = map.findEntry(Number(line) - 1, Number(column) - 1) as { originalSource?: string; originalLine?: number; originalColumn?: number };
    if (!entry.originalSource || entry.originalLine === undefined) return whole;
    const source = entry.originalSource.startsWith('file:') ? fileURLToPath(entry.originalSource) : resolve(dirname(path), entry.originalSource);
    return `${shown(source, path)}:${entry.originalLine + 1}:${(entry.originalColumn ?? 0) + 1}`;
  });
}

function sourceMapOf(path: string): SourceMap | null {
  let map = maps.get(path);
  if (map === undefined) {
    try {
      map = /[\\/]dist[\\/]/.test(path) ? new SourceMap(JSON.parse(readFileSync(`${path}.map`, 'utf8'))) : null;
    } catch {
      map = null; // no map beside it: the frame stays as it is
    }
    maps.set(path, map);
  }
  return map;
}

/** A source relative to the package whose `dist/` holds the chunk (`src/…`, `node_modules/…`). */
function shown(source: string, chunk: string): string {
  const packageRoot = chunk.slice(0, chunk.lastIndexOf('/dist/'));
  const rel = relative(packageRoot, source);
  return rel.startsWith('..') ? source : rel;
}
