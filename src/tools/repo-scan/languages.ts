/**
 * Which language a file is in, from GitHub Linguist's table (the `linguist-languages`
 * package), plus which files are vendored or generated and so should not count as the
 * project's own code. The table is loaded on first use: only `overview` needs it.
 */
export interface LanguageTable {
  languageOf(path: string): string | undefined;
}

/**
 * Extensions several languages claim (`.h`, `.md`, `.ts`, `.pl`) go to the first of these
 * that claims them; Linguist itself needs content heuristics to decide, which is more than
 * a file count needs.
 */
const PREFERRED = [
  'TypeScript',
  'TSX',
  'JavaScript',
  'Python',
  'Go',
  'Rust',
  'Java',
  'C',
  'C++',
  'C#',
  'Ruby',
  'PHP',
  'Kotlin',
  'Swift',
  'Objective-C',
  'Scala',
  'Shell',
  'Perl',
  'R',
  'Lua',
  'Dart',
  'Elixir',
  'Erlang',
  'Haskell',
  'OCaml',
  'Clojure',
  'SQL',
  'HTML',
  'CSS',
  'SCSS',
  'Markdown',
  'JSON',
  'YAML',
  'TOML',
  'XML',
  'Text',
];
const TYPE_RANK: Record<string, number> = { programming: 0, markup: 1, data: 2, prose: 3 };

/** Extension (lower case, with its dot) and file name -> language: what the table is made of. */
export interface LanguageMaps {
  extensions: Record<string, string>;
  filenames: Record<string, string>;
}

/** The maps computed at build time (scripts/build.mjs), so a bundled server never loads Linguist's data. */
declare const __BATON_LANGUAGES__: LanguageMaps | undefined;

let table: Promise<LanguageTable> | undefined;

export function languageTable(): Promise<LanguageTable> {
  table ??= (typeof __BATON_LANGUAGES__ !== 'undefined' ? Promise.resolve(__BATON_LANGUAGES__) : linguistMaps()).then(tableOf);
  return table;
}

interface LinguistLanguage {
  name: string;
  type: string;
  extensions?: string[];
  filenames?: string[];
}

/** The maps from the `linguist-languages` package. */
export async function linguistMaps(): Promise<LanguageMaps> {
  const languages = Object.values(await import('linguist-languages')) as LinguistLanguage[];
  const byExtension = new Map<string, LinguistLanguage[]>();
  const filenames: Record<string, string> = {};
  for (const language of languages) {
    for (const ext of language.extensions ?? []) {
      const key = ext.toLowerCase();
      byExtension.set(key, [...(byExtension.get(key) ?? []), language]);
    }
    for (const name of language.filenames ?? []) filenames[name] ??= language.name;
  }
  const extensions: Record<string, string> = {};
  for (const [ext, candidates] of byExtension) extensions[ext] = pick(ext, candidates);
  return { extensions, filenames };
}

function tableOf(maps: LanguageMaps): LanguageTable {
  const byFilename = new Map(Object.entries(maps.filenames));
  const byExtension = new Map(Object.entries(maps.extensions));
  return {
    languageOf(path) {
      const name = path.slice(path.lastIndexOf('/') + 1);
      const byName = byFilename.get(name);
      if (byName) return byName;
      // Longest extension first, so `.d.ts` or `.tar.gz`-style compounds win over the last part.
      for (let dot = name.indexOf('.', 1); dot !== -1; dot = name.indexOf('.', dot + 1)) {
        const language = byExtension.get(name.slice(dot).toLowerCase());
        if (language) return language;
      }
      return undefined;
    },
  };
}

function pick(ext: string, candidates: LinguistLanguage[]): string {
  if (candidates.length === 1) return candidates[0]!.name;
  const preferred = PREFERRED.find((name) => candidates.some((c) => c.name === name));
  if (preferred) return preferred;
  const ranked = [...candidates].sort(
    (a, b) =>
      (TYPE_RANK[a.type] ?? 9) - (TYPE_RANK[b.type] ?? 9) ||
      Number(b.extensions?.[0] === ext) - Number(a.extensions?.[0] === ext) ||
      a.name.localeCompare(b.name),
  );
  return ranked[0]!.name;
}

const VENDORED = [
  /(^|\/)(node_modules|vendor|vendors|third[_-]party|bower_components|jspm_packages|\.yarn|Pods|Carthage)\//,
  /(^|\/)(jquery|bootstrap|d3|lodash|underscore|moment)([.-][\d.]+)?(\.min)?\.(js|css)$/i,
];
const GENERATED = [
  /\.min\.(js|css)$/,
  /\.(js|css)\.map$/,
  /(^|\/)(package-lock\.json|yarn\.lock|pnpm-lock\.yaml|bun\.lockb?|Cargo\.lock|go\.sum|poetry\.lock|Pipfile\.lock|composer\.lock|Gemfile\.lock|uv\.lock)$/,
  /\.pb\.(go|cc|h)$|_pb2(_grpc)?\.py$|\.g\.dart$|\.designer\.cs$|\.generated\.\w+$/i,
  /(^|\/)(__generated__|generated|gen)\//,
  /(^|\/)(dist|build|out|target)\/.*\.(js|mjs|cjs|d\.ts|css|map)$/,
];

/** Matches every path one of the patterns above matches (and a few more): most paths are neither, and one test rules them out. */
const EITHER = new RegExp([...VENDORED, ...GENERATED].map((pattern) => `(?:${pattern.source})`).join('|'), 'i');

/** `vendored`: someone else's code kept in the tree; `generated`: produced by a tool. */
export function provenanceOf(path: string): 'vendored' | 'generated' | undefined {
  if (!EITHER.test(path)) return undefined;
  if (VENDORED.some((pattern) => pattern.test(path))) return 'vendored';
  if (GENERATED.some((pattern) => pattern.test(path))) return 'generated';
  return undefined;
}
