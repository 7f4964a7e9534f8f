// Lazy tree-sitter runtime. web-tree-sitter and the grammars are WebAssembly that takes tens of
// milliseconds to instantiate, so nothing here runs before the first file is parsed, and each
// piece (runtime, grammar, parser) is created once and shared through cached promises.
import { createRequire } from 'node:module';
import type { Language, Parser } from 'web-tree-sitter';

type TreeSitterModule = typeof import('web-tree-sitter');

/** The grammars Baton parses (repo-scan's tags, apply-patch's syntax guard), by language id. */
export type GrammarName = 'typescript' | 'tsx' | 'javascript' | 'python' | 'go' | 'rust' | 'java' | 'c' | 'cpp' | 'csharp' | 'ruby' | 'php';

// Package specifiers rather than paths: resolved through node_modules at run time, which works
// both from src/ (tests) and from the bundled dist/chunks/ (dist/ lives inside the project).
const VSCODE_WASM = '@vscode/tree-sitter-wasm/wasm/';
const GRAMMAR_FILES: Record<GrammarName, string> = {
  typescript: `${VSCODE_WASM}tree-sitter-typescript.wasm`,
  tsx: `${VSCODE_WASM}tree-sitter-tsx.wasm`,
  javascript: `${VSCODE_WASM}tree-sitter-javascript.wasm`,
  python: `${VSCODE_WASM}tree-sitter-python.wasm`,
  go: `${VSCODE_WASM}tree-sitter-go.wasm`,
  rust: `${VSCODE_WASM}tree-sitter-rust.wasm`,
  java: `${VSCODE_WASM}tree-sitter-java.wasm`,
  c: 'tree-sitter-c/tree-sitter-c.wasm',
  cpp: `${VSCODE_WASM}tree-sitter-cpp.wasm`,
  csharp: `${VSCODE_WASM}tree-sitter-c-sharp.wasm`,
  ruby: `${VSCODE_WASM}tree-sitter-ruby.wasm`,
  php: `${VSCODE_WASM}tree-sitter-php.wasm`,
};

// Not named `require`: the bundle's banner already declares a top-level `require`.
const resolveModuleFile = createRequire(import.meta.url).resolve;

let runtime: Promise<TreeSitterModule> | undefined;
const languages = new Map<GrammarName, Promise<Language>>();
const parsers = new Map<GrammarName, Promise<Parser>>();

/** Remembers a pending load, but forgets it if it fails so a later call can try again. */
function cacheUntilFailure<K, V>(cache: Map<K, Promise<V>>, key: K, load: () => Promise<V>): Promise<V> {
  let pending = cache.get(key);
  if (!pending) {
    pending = load();
    cache.set(key, pending);
    pending.catch(() => cache.delete(key));
  }
  return pending;
}

/** The initialised web-tree-sitter module (loaded on first use). */
export function loadTreeSitter(): Promise<TreeSitterModule> {
  if (!runtime) {
    const loading = (async () => {
      const treeSitter = await import('web-tree-sitter');
      const runtimeWasm = resolveModuleFile('web-tree-sitter/web-tree-sitter.wasm');
      await treeSitter.Parser.init({ locateFile: () => runtimeWasm });
      return treeSitter;
    })();
    runtime = loading;
    loading.catch(() => {
      if (runtime === loading) runtime = undefined;
    });
  }
  return runtime;
}

/** The grammar for `name`, loaded once. */
export function loadLanguage(name: GrammarName): Promise<Language> {
  return cacheUntilFailure(languages, name, async () => {
    const treeSitter = await loadTreeSitter();
    return treeSitter.Language.load(resolveModuleFile(GRAMMAR_FILES[name]));
  });
}

/**
 * The one parser for `name`. Callers must parse and finish with the tree without awaiting in
 * between, so concurrent callers never see each other's state.
 */
export function parserFor(name: GrammarName): Promise<Parser> {
  return cacheUntilFailure(parsers, name, async () => {
    const [treeSitter, language] = await Promise.all([loadTreeSitter(), loadLanguage(name)]);
    const parser = new treeSitter.Parser();
    parser.setLanguage(language);
    return parser;
  });
}

const LANGUAGE_BY_EXTENSION: Record<string, GrammarName> = {
  ts: 'typescript',
  mts: 'typescript',
  cts: 'typescript',
  tsx: 'tsx',
  js: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  jsx: 'javascript',
  py: 'python',
  pyi: 'python',
  go: 'go',
  rs: 'rust',
  java: 'java',
  c: 'c',
  h: 'c',
  cc: 'cpp',
  cpp: 'cpp',
  cxx: 'cpp',
  hpp: 'cpp',
  hh: 'cpp',
  hxx: 'cpp',
  cs: 'csharp',
  rb: 'ruby',
  php: 'php',
};

/** The grammar for a path, by its extension; undefined when Baton has none. */
export function grammarForPath(path: string): GrammarName | undefined {
  const fileName = path.slice(path.lastIndexOf('/') + 1);
  const dot = fileName.lastIndexOf('.');
  if (dot <= 0) return undefined;
  return LANGUAGE_BY_EXTENSION[fileName.slice(dot + 1).toLowerCase()];
}
