// Which files of a project the others import most, counted from the import statements themselves
// (not from Baton's tags), per language: JavaScript/TypeScript require/import/export-from with a
// relative specifier resolved to a file, Python imports resolved to modules of the tree, Rust
// `mod` declarations and `use crate::`/`super::`/`self::`/<crate name>:: paths. The map's ranking
// is judged against this (bench/repo-map.mjs, test/corpus/repo-map.corpus.ts).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

const JS_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];

function listed(root) {
  return execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 28 })
    .split('\0')
    .filter(Boolean);
}

function jsTargets(path, text, files) {
  const found = [];
  const pattern = /(?:require\s*\(\s*|import\s*\(\s*|\bfrom\s+|^\s*import\s+)['"]([^'"]+)['"]/gm;
  for (const match of text.matchAll(pattern)) {
    const specifier = match[1];
    if (!specifier.startsWith('.')) continue;
    const base = normalize(join(dirname(path), specifier)).replace(/\/$/, '');
    const folder = base === '.' ? '' : `${base}/`;
    const stem = base.replace(/\.(m|c)?js$/, '');
    const candidates = [base, ...JS_EXTENSIONS.map((ext) => stem + ext), ...JS_EXTENSIONS.map((ext) => `${folder}index${ext}`)];
    const target = candidates.find((candidate) => files.has(candidate));
    if (target && target !== path) found.push(target);
  }
  return found;
}

function pythonModuleFile(module, files) {
  const base = module.replace(/\./g, '/');
  return [`${base}.py`, `${base}/__init__.py`].find((candidate) => files.has(candidate));
}

/** The dotted module a relative import names (`from ..a import b` in pkg/sub/m.py -> pkg.a). */
function pythonAbsolute(path, dots, rest) {
  if (!dots) return rest;
  const packageParts = dirname(path) === '.' ? [] : dirname(path).split('/');
  return [...packageParts.slice(0, packageParts.length - (dots - 1)), ...(rest ? [rest] : [])].join('.');
}

/** `from X import a, b as c` statements of a file: [module, [[name, alias]...]]; `*` for a star import. */
function pythonFromImports(path, text, topLevelOnly) {
  const statements = [];
  const pattern = topLevelOnly ? /^from\s+(\.*)([\w.]*)\s+import\s+(\([^)]*\)|[^\n]+)/gm : /^\s*from\s+(\.*)([\w.]*)\s+import\s+(\([^)]*\)|[^\n]+)/gm;
  for (const match of text.matchAll(pattern)) {
    const names = match[3]
      .replace(/[()]/g, '')
      .split(',')
      .map((part) => part.trim().split(/\s+as\s+/))
      .filter(([name]) => /^[\w*]+$/.test(name ?? ''))
      .map(([name, alias]) => [name, alias ?? name]);
    statements.push([pythonAbsolute(path, match[1].length, match[2]), names]);
  }
  return statements;
}

/**
 * The names a Python module offers and the file each really comes from: its own top-level
 * definitions, and what it imports (a package's __init__.py re-exporting `from .graph import
 * Graph` offers Graph from graph.py). Memoised per file; a cycle yields what is known so far.
 */
function pythonExports(file, context) {
  const known = context.exports.get(file);
  if (known) return known;
  const exports = new Map();
  context.exports.set(file, exports);
  const text = context.read(file);
  for (const match of text.matchAll(/^(?:async\s+def|def|class)\s+(\w+)|^(\w+)\s*(?::[^=\n]*)?=/gm)) exports.set(match[1] ?? match[2], file);
  for (const [module, names] of pythonFromImports(file, text, true)) {
    const source = pythonModuleFile(module, context.files);
    for (const [name, alias] of names) {
      if (name === '*') {
        if (source)
          for (const [offered, from] of pythonExports(source, context)) if (!offered.startsWith('_') && !exports.has(offered)) exports.set(offered, from);
        continue;
      }
      const target = pythonModuleFile(`${module}.${name}`, context.files) ?? (source && (pythonExports(source, context).get(name) ?? source));
      if (target) exports.set(alias, target);
    }
  }
  return exports;
}

/** What `alias.a.b` reaches from module `module`: a submodule, or the file a name comes from. */
function pythonAttribute(module, chain, context) {
  let current = module;
  let file = pythonModuleFile(current, context.files);
  for (const part of chain) {
    const submodule = pythonModuleFile(`${current}.${part}`, context.files);
    if (submodule) {
      current = `${current}.${part}`;
      file = submodule;
      continue;
    }
    return (file && pythonExports(file, context).get(part)) ?? file;
  }
  return file;
}

function pythonTargets(path, text, files, _crate, context) {
  const found = [];
  for (const [module, names] of pythonFromImports(path, text, false)) {
    const source = pythonModuleFile(module, files);
    for (const [name] of names) {
      const target = name === '*' ? source : (pythonModuleFile(`${module}.${name}`, files) ?? (source && (pythonExports(source, context).get(name) ?? source)));
      if (target && target !== path) found.push(target);
    }
  }
  for (const match of text.matchAll(/^\s*import\s+([\w.]+(?:\s+as\s+\w+)?(?:\s*,\s*[\w.]+(?:\s+as\s+\w+)?)*)/gm)) {
    for (const part of match[1].split(',')) {
      const [module, alias] = part.trim().split(/\s+as\s+/);
      if (!pythonModuleFile(module, files)) continue;
      // What the file reaches through the module: `nx.Graph` is graph.py, not networkx/__init__.py.
      const name = alias ?? module;
      const reached = new Set();
      for (const use of text.matchAll(new RegExp(`(?<![\\w.])${name.replace(/\./g, '\\.')}((?:\\.\\w+)+)`, 'g'))) {
        const target = pythonAttribute(module, use[1].slice(1).split('.'), context);
        if (target) reached.add(target);
      }
      if (!reached.size) reached.add(pythonModuleFile(module, files));
      for (const target of reached) if (target !== path) found.push(target);
    }
  }
  return found;
}

/** The file of a Rust module path (["a", "b"]) under a crate's src/, or of its longest prefix. */
function rustModuleFile(parts, files) {
  for (let length = parts.length; length > 0; length--) {
    const base = `src/${parts.slice(0, length).join('/')}`;
    const target = [`${base}.rs`, `${base}/mod.rs`].find((candidate) => files.has(candidate));
    if (target) return target;
  }
  return files.has('src/lib.rs') ? 'src/lib.rs' : undefined;
}

/** The module path of a Rust source file under src/ (src/a/b.rs, src/a/b/mod.rs -> ["a", "b"]). */
function rustModuleOf(path) {
  if (!path.startsWith('src/')) return undefined;
  const parts = path.slice(4).replace(/\.rs$/, '').split('/');
  if (['mod', 'lib', 'main'].includes(parts[parts.length - 1])) parts.pop();
  return parts;
}

function rustTargets(path, text, files, crate) {
  const found = [];
  const own = rustModuleOf(path);
  // `mod name;` is next to the declaring file (or in its folder, for mod.rs/lib.rs/main.rs).
  const declaringDir = /(^|\/)(mod|lib|main)\.rs$/.test(path) ? dirname(path) : path.replace(/\.rs$/, '');
  for (const match of text.matchAll(/^\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+)\s*;/gm)) {
    const target = [`${declaringDir}/${match[1]}.rs`, `${declaringDir}/${match[1]}/mod.rs`].find((candidate) => files.has(candidate));
    if (target) found.push(target);
  }
  for (const match of text.matchAll(/\buse\s+(crate|super|self|\w+)::([\w:]+)/g)) {
    const [head, rest] = [match[1], match[2].split('::').filter(Boolean)];
    let parts;
    if (head === 'crate' || head === crate) parts = rest;
    else if (head === 'super' && own) parts = [...own.slice(0, -1), ...rest];
    else if (head === 'self' && own) parts = [...own, ...rest];
    else continue;
    const target = rustModuleFile(parts, files);
    if (target && target !== path) found.push(target);
  }
  return found;
}

/**
 * The `limit` files imported by the most other files (and those tied with the last), most first,
 * each with that count. `crate` is the Rust crate's own name, as its tests and examples spell it;
 * `exclude` leaves out files the map does not cover (a package's generated builds).
 */
export function mostImported(root, { limit = 20, crate, exclude } = {}) {
  const paths = listed(root);
  const files = new Set(paths);
  const importers = new Map();
  const context = { files, exports: new Map(), read: (path) => readFileSync(join(root, path), 'utf8') };
  for (const path of paths) {
    let targets;
    if (/\.(m|c)?[jt]sx?$/.test(path) && !path.endsWith('.d.ts')) targets = jsTargets;
    else if (path.endsWith('.py')) targets = pythonTargets;
    else if (path.endsWith('.rs')) targets = rustTargets;
    else continue;
    for (const target of new Set(targets(path, context.read(path), files, crate, context))) {
      importers.set(target, (importers.get(target) ?? 0) + 1);
    }
  }
  const ranked = [...importers]
    .filter(([path]) => !exclude?.test(path))
    .map(([path, count]) => ({ path, importers: count }))
    .sort((a, b) => b.importers - a.importers || (a.path < b.path ? -1 : 1));
  // Files tied with the last one kept are kept too: which of them a cut would drop is arbitrary.
  const floor = ranked[Math.min(limit, ranked.length) - 1]?.importers ?? 0;
  return ranked.filter((entry, i) => i < limit || entry.importers === floor);
}

/**
 * The repositories the ranking is judged on: real code as published, with its tests, examples or
 * generated builds next to the library, and a core file of each as the focus.
 */
export const RANKING_CORPUS = [
  { name: 'express', source: 'Debian node-express 4.18.2 (lib + examples)', focus: 'lib/application.js' },
  { name: 'rxjs', source: 'npm rxjs@7.8.1 (src/ TypeScript + dist/)', focus: 'src/internal/Observable.ts', exclude: /^dist\// },
  { name: 'networkx', source: 'Debian python3-networkx 2.8.8 (with its tests)', focus: 'networkx/classes/graph.py' },
  { name: 'regex', source: 'Debian librust-regex-dev 1.7.1 (crate with tests/, examples/)', focus: 'src/re_unicode.rs', crate: 'regex' },
];

/** Of the map's first ten files, those among the twenty most imported. */
export function rankingHits(top10, imported) {
  const wanted = new Set(imported.map((entry) => entry.path));
  return top10.filter((path) => wanted.has(path));
}
