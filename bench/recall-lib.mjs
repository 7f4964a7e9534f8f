// Symbol recall against Universal Ctags on real projects from the registries: the one
// implementation behind test/corpus/symbols-recall.corpus.ts (asserts recall >= 0.9 per language
// and project) and bench/recall.mjs (prints recall, counts and extraction time against ctags).
//
// Recall = ctags definitions that Baton also lists / ctags definitions a code map should list.
// ctags lists more than a map wants (struct fields, enum members, imports, locals), so its tags are
// filtered: by kind, per language, in KEPT_KINDS below (every exclusion says why); then ctags's
// made-up names of anonymous things, what is defined inside a function body (isLocal) and what
// ctags 5.9 misreads in JavaScript and TypeScript (isEcmascriptDefinition) are dropped. A ctags
// definition is found when Baton lists a symbol of the same name (compared as `comparable` says)
// in the same file within LINE_TOLERANCE lines of where it starts or ends (Baton's line is where
// the declaration starts, `export` included; ctags's is the line of the name). Each Baton symbol
// matches at most one definition.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { debianPackage, npmProject } from './corpus.mjs';

export const LINE_TOLERANCE = 3;

/** The languages of Baton's symbols mode, as ctags names them, with the file extensions of each. */
const EXTENSIONS = {
  JavaScript: ['.js', '.mjs', '.cjs', '.jsx'],
  TypeScript: ['.ts', '.mts', '.cts', '.tsx'],
  Python: ['.py'],
  Go: ['.go'],
  Rust: ['.rs'],
  Java: ['.java'],
  C: ['.c', '.h'],
  'C++': ['.cc', '.cpp', '.cxx', '.hpp', '.hh', '.hxx', '.h'],
  'C#': ['.cs'],
  Ruby: ['.rb'],
  PHP: ['.php'],
};

/**
 * One project per language at least, a few hundred files at most each, pinned. `dirs` are the
 * library sources inside the package (a `*` segment matches one directory name: Debian paths
 * carry the upstream version).
 */
export const RECALL_PROJECTS = [
  { language: 'JavaScript', name: 'express@4.21.2', registry: 'npm', fetch: () => npmProject('express', '4.21.2'), dirs: ['lib'] },
  { language: 'JavaScript', name: 'mocha@10.8.2', registry: 'npm', fetch: () => npmProject('mocha', '10.8.2'), dirs: ['lib'] },
  { language: 'TypeScript', name: 'rxjs@7.8.1', registry: 'npm', fetch: () => npmProject('rxjs', '7.8.1'), dirs: ['src/internal'] },
  { language: 'TypeScript', name: 'react-native-svg@15.8.0', registry: 'npm', fetch: () => npmProject('react-native-svg', '15.8.0'), dirs: ['src'] },
  { language: 'Java', name: 'react-native-svg@15.8.0 (android)', registry: 'npm', fetch: () => npmProject('react-native-svg', '15.8.0'), dirs: ['android'] },
  { language: 'C#', name: 'com.cysharp.unitask@2.2.5', registry: 'npm', fetch: () => npmProject('com.cysharp.unitask', '2.2.5'), dirs: ['Runtime'] },
  {
    language: 'Python',
    name: 'jinja2 3.1.2 (python3-jinja2)',
    registry: 'debian',
    fetch: () => debianPackage('python3-jinja2', '3.1.2-1+deb12u3'),
    dirs: ['usr/lib/python3/dist-packages/jinja2'],
  },
  {
    language: 'Python',
    name: 'flask 2.2.2 (python3-flask)',
    registry: 'debian',
    fetch: () => debianPackage('python3-flask', '2.2.2-3'),
    dirs: ['usr/lib/python3/dist-packages/flask'],
  },
  {
    language: 'Go',
    name: 'cobra 1.6.1 (golang-github-spf13-cobra-dev)',
    registry: 'debian',
    fetch: () => debianPackage('golang-github-spf13-cobra-dev', '1.6.1-1'),
    dirs: ['usr/share/gocode/src/github.com/spf13/cobra'],
  },
  {
    language: 'Go',
    name: 'logrus 1.9.0 (golang-github-sirupsen-logrus-dev)',
    registry: 'debian',
    fetch: () => debianPackage('golang-github-sirupsen-logrus-dev', '1.9.0-1'),
    dirs: ['usr/share/gocode/src/github.com/sirupsen/logrus'],
  },
  {
    language: 'Rust',
    name: 'regex 1.7.1 (librust-regex-dev)',
    registry: 'debian',
    fetch: () => debianPackage('librust-regex-dev', '1.7.1-1'),
    dirs: ['usr/share/cargo/registry/regex-*/src'],
  },
  {
    language: 'Rust',
    name: 'clap 4.0.32 (librust-clap-dev)',
    registry: 'debian',
    fetch: () => debianPackage('librust-clap-dev', '4.0.32-1'),
    dirs: ['usr/share/cargo/registry/clap-*/src'],
  },
  {
    language: 'C',
    name: 'curl 7.88.1 examples (libcurl4-doc)',
    registry: 'debian',
    fetch: () => debianPackage('libcurl4-doc', '7.88.1-10+deb12u15'),
    dirs: ['usr/share/doc/libcurl4/examples'],
  },
  {
    language: 'C++',
    name: 'googletest 1.12.1 (googletest)',
    registry: 'debian',
    fetch: () => debianPackage('googletest', '1.12.1-0.2'),
    dirs: [
      'usr/src/googletest/googletest/src',
      'usr/src/googletest/googletest/include',
      'usr/src/googletest/googlemock/src',
      'usr/src/googletest/googlemock/include',
    ],
  },
  { language: 'C++', name: 'fmt 9.1.0 (libfmt-dev)', registry: 'debian', fetch: () => debianPackage('libfmt-dev', '9.1.0+ds1-2'), dirs: ['usr/include/fmt'] },
  {
    language: 'Ruby',
    name: 'rack 2.2.22 (ruby-rack)',
    registry: 'debian',
    fetch: () => debianPackage('ruby-rack', '2.2.22-0+deb12u2'),
    dirs: ['usr/share/rubygems-integration/all/gems/rack-*/lib'],
  },
  {
    language: 'Ruby',
    name: 'thor 1.2.1 (ruby-thor)',
    registry: 'debian',
    fetch: () => debianPackage('ruby-thor', '1.2.1-2'),
    dirs: ['usr/share/rubygems-integration/all/gems/thor-*/lib'],
  },
  {
    language: 'PHP',
    name: 'symfony/console 5.4.53 (php-symfony-console)',
    registry: 'debian',
    fetch: () => debianPackage('php-symfony-console', '5.4.53+dfsg-0+deb12u1'),
    dirs: ['usr/share/php/Symfony/Component/Console'],
  },
  {
    language: 'PHP',
    name: 'monolog 2.9.1 (php-monolog)',
    registry: 'debian',
    fetch: () => debianPackage('php-monolog', '2.9.1-1'),
    dirs: ['usr/share/php/Monolog'],
  },
];

// ---------------------------------------------------------------------------------------------
// Which ctags definitions a code map lists

const ALL = () => true;
// Predicates read `tag.text`, the tag's source line (ctags's `pattern` is cut short for macros).

/** `var x = require('x')`, `import x = require('x')`, `import type X from`: imports, which a map shows as edges, not symbols. */
const notImport = (tag) => !/=\s*require\s*\(|\bimport\s*\(|^\s*import\b/.test(/=\s*$/.test(tag.text) ? `${tag.text} ${tag.next}` : tag.text);
/** An object-literal property whose value is a function is a method; one holding data is not API. */
const functionValued = (tag) => /[:=]\s*(async\s+)?(function\b|\([^)]*\)\s*=>|[\w$]+\s*=>)/.test(tag.text);
/** A member of a class (not of an interface or object type): class fields are listed, data shapes are not. */
const inClass = (tag) => tag.scopeKind === 'class';
/** Java and C# fields that are constants (`static final`, `const`, `static readonly`); other fields are data. */
const constantField = (tag) =>
  /\bstatic\b[^=;(]*\bfinal\b|\bfinal\b[^=;(]*\bstatic\b|\bconst\b|\bstatic\b[^=;(]*\breadonly\b|\breadonly\b[^=;(]*\bstatic\b/.test(tag.text);
/** `#define NAME` with nothing after it (but a comment) is an include guard or a feature flag, not a constant or macro to look up. */
const valuedMacro = (tag) => !/^\s*#\s*define\s+\w+\s*(\/\*.*|\/\/.*)?$/.test(tag.text);

/**
 * ctags kind -> whether a tag of that kind is a definition a code map lists. Kinds left out, and why:
 * - enum members, struct/class data fields, interface and object-type properties (Go member and
 *   anonMember, Rust field and enumerator, C/C++ member and enumerator, Java enumConstant and
 *   plain fields, C# enumerator, plain fields, properties and events, TypeScript enumerator and
 *   interface properties, PHP variable = properties): the members of a data shape. The map lists
 *   the shape (struct, enum, interface, class) and its behaviour (methods), not every slot in it.
 * - imports (Python module/namespace, Go packageName, C/C++ header, Ruby library, PHP alias, and
 *   JavaScript variables bound to `require(...)`): edges between files, not symbols.
 * - Go package and Java package: the file's package clause; the map already groups by path.
 * - Rust implementation (`impl Foo`): a block whose functions are listed as methods of Foo.
 * - Python variable (lower-case module state, `__all__`, class attributes) and unknown: data, not
 *   API; upper-case module/class names are constants by convention and are kept.
 * - C and C++ variable that is not const: mutable global state, not API; macros without a value
 *   (include guards, feature flags).
 * - Ruby accessor and alias (`attr_reader :x`, `alias_method`): methods made by a call, not
 *   declared; the map lists the declared ones.
 * Locals, parameters, labels, prototypes and extern declarations are off in ctags by default.
 * JavaScript and TypeScript class fields are kept (Baton lists them: in those classes they hold
 * state and bound handlers), their interfaces' properties are not.
 */
export const KEPT_KINDS = {
  JavaScript: {
    class: ALL,
    function: ALL,
    method: ALL,
    generator: ALL,
    getter: ALL,
    setter: ALL,
    field: ALL,
    constant: notImport,
    variable: notImport,
    property: functionValued,
  },
  TypeScript: {
    class: ALL,
    function: ALL,
    method: ALL,
    generator: ALL,
    interface: ALL,
    enum: ALL,
    alias: ALL,
    namespace: ALL,
    constant: notImport,
    variable: notImport,
    property: inClass,
  },
  Python: { class: ALL, function: ALL, member: ALL, variable: (tag) => /^_*[A-Z][A-Z0-9_]*$/.test(tag.name) },
  Go: { func: ALL, methodSpec: ALL, struct: ALL, interface: ALL, type: ALL, talias: ALL, const: ALL, var: ALL },
  Rust: { function: ALL, method: ALL, struct: ALL, enum: ALL, interface: ALL, typedef: ALL, module: ALL, macro: ALL, variable: ALL },
  Java: { class: ALL, interface: ALL, enum: ALL, annotation: ALL, method: ALL, field: constantField },
  C: { function: ALL, struct: ALL, union: ALL, enum: ALL, typedef: ALL, macro: valuedMacro, variable: (tag) => /\bconst\b/.test(tag.text) },
  'C++': {
    function: ALL,
    class: ALL,
    struct: ALL,
    union: ALL,
    enum: ALL,
    typedef: ALL,
    namespace: ALL,
    macro: valuedMacro,
    variable: (tag) => /\bconst(expr)?\b/.test(tag.text),
  },
  'C#': { class: ALL, struct: ALL, interface: ALL, enum: ALL, namespace: ALL, method: ALL, typedef: ALL, field: constantField },
  Ruby: { class: ALL, module: ALL, method: ALL, singletonMethod: ALL, constant: ALL },
  PHP: { class: ALL, interface: ALL, trait: ALL, namespace: ALL, function: ALL, define: ALL },
};

/** Kinds whose bodies are function bodies: what is defined inside them is local. */
const FUNCTION_KINDS = new Set(['function', 'method', 'member', 'func', 'generator', 'getter', 'setter', 'singletonMethod']);
const ECMASCRIPT = new Set(['JavaScript', 'TypeScript']);
/** ctags 5.9 reads `tag = 'x' as const` as a property named `const`: no definition is named by a keyword. */
const KEYWORDS = new Set(['const', 'let', 'var', 'function', 'class', 'return', 'new', 'this', 'typeof', 'default', 'import', 'export']);
/** `key: value` inside an object literal (ctags makes these classes, properties or constants). */
const OBJECT_MEMBER = /^\s*(['"]?)[\w$]+\1\s*:/;
const indented = (tag) => /^\s/.test(tag.text);
/** Scopes whose members are indented but not local: classes, interfaces, namespaces, object literals. */
const MEMBER_SCOPES = new Set(['class', 'interface', 'namespace', 'enum', 'module']);
/** `obj.member = …`: at module level such a statement starts at column 0; indented, it is in a function. */
const MEMBER_ASSIGNMENT = /^\s*[\w$]+(\.[\w$]+)+\s*=[^=]/;
// ---------------------------------------------------------------------------------------------
// Projects and files

/** Downloads (once) and lists a project's source files of its language, relative to its root. */
export function prepareProject(project) {
  const root = project.fetch();
  const extensions = EXTENSIONS[project.language];
  const files = [];
  for (const dir of project.dirs.flatMap((pattern) => expandDir(root, pattern))) {
    for (const file of walk(join(root, dir))) {
      if (extensions.some((extension) => file.endsWith(extension)) && !file.endsWith('.d.ts')) files.push(relative(root, file));
    }
  }
  if (files.length === 0) throw new Error(`${project.name}: no ${project.language} files under ${project.dirs.join(', ')}`);
  return { root, files: files.sort() };
}

function expandDir(root, pattern) {
  let found = [''];
  for (const segment of pattern.split('/')) {
    if (!segment.includes('*')) {
      found = found.map((dir) => join(dir, segment));
      continue;
    }
    const matcher = new RegExp(`^${segment.split('*').map(escapeRegExp).join('[^/]*')}$`);
    found = found.flatMap((dir) =>
      readdirSync(join(root, dir), { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && matcher.test(entry.name))
        .map((entry) => join(dir, entry.name)),
    );
  }
  return found;
}

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.isFile()) yield path;
  }
}

// ---------------------------------------------------------------------------------------------
// ctags

/** "Universal Ctags 5.9.0" or undefined when `ctags` is missing or another ctags. */
export function universalCtagsVersion() {
  const result = spawnSync('ctags', ['--version'], { encoding: 'utf8' });
  return result.status === 0 ? /Universal Ctags [^,(]*/.exec(result.stdout)?.[0]?.trim() : undefined;
}

/** Whether `apt-get` and `dpkg-deb` are here to fetch the Debian projects with. */
export function hasDebianTools() {
  return ['apt-get', 'dpkg-deb'].every((tool) => spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0);
}

/** ctags's JSON output for `files` (paths relative to `root`), read as `language`. */
export function runCtags(root, files, language) {
  const result = spawnSync('ctags', ['--output-format=json', '--fields=+nKzZeE', `--language-force=${language}`, '-f', '-', '-L', '-'], {
    cwd: root,
    input: files.join('\n'),
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  if (result.status !== 0) throw new Error(`ctags failed on ${root}: ${result.stderr}`);
  return result.stdout;
}

/** Every tag ctags makes for `files`, with its source line as `text` (and the next as `next`). */
export function ctagsTags(root, files, language) {
  const lines = new Map();
  const tags = [];
  for (const line of runCtags(root, files, language).split('\n')) {
    if (!line.startsWith('{')) continue;
    const tag = JSON.parse(line);
    if (tag._type !== 'tag') continue;
    if (!lines.has(tag.path)) lines.set(tag.path, readFileSync(join(root, tag.path), 'utf8').split('\n'));
    tag.text = lines.get(tag.path)[tag.line - 1] ?? '';
    tag.next = lines.get(tag.path)[tag.line] ?? '';
    tags.push(tag);
  }
  return tags;
}

/**
 * The definitions a code map lists: tags of kept kinds, named in the source, not inside a function
 * body, each `{ path, line, kind, names, tag }`. One definition can carry several names in ctags:
 * `exports.x = function y() {}` is tagged both x and y; it is found when Baton lists either.
 */
export function keptDefinitions(tags, language) {
  const kinds = KEPT_KINDS[language];
  const functionNames = new Map();
  for (const tag of tags) {
    if (!FUNCTION_KINDS.has(tag.kind)) continue;
    const names = functionNames.get(tag.path) ?? new Set();
    functionNames.set(tag.path, names);
    if (tag.scope) {
      names.add(`${tag.scope}.${tag.name}`);
      names.add(`${tag.scope}::${tag.name}`);
    } else {
      names.add(tag.name);
    }
  }
  const spans = tags.filter((tag) => FUNCTION_KINDS.has(tag.kind) && tag.end > tag.line);
  const byLine = new Map();
  for (const tag of tags) {
    const keep = kinds[tag.kind];
    if (!keep?.(tag)) continue;
    // ctags's names for what has none (AnonymousFunction1a2b...).
    if (tag.extras?.includes('anonymous')) continue;
    if (ECMASCRIPT.has(language) && !isEcmascriptDefinition(tag, language)) continue;
    if (isLocal(tag, language, functionNames.get(tag.path), spans)) continue;
    const key = `${tag.path}\0${tag.line}`;
    const onLine = byLine.get(key) ?? [];
    byLine.set(key, onLine);
    const same = onLine.find(
      (definition) => definition.names.has(tag.name) || (ECMASCRIPT.has(language) && (namesFunctionValue(tag) || namesFunctionValue(definition.tag))),
    );
    if (same) same.names.add(tag.name);
    else onLine.push({ path: tag.path, line: tag.line, kind: tag.kind, names: new Set([tag.name]), tag });
  }
  return [...byLine.values()].flat();
}

/** `… = function name(` on the tag's line: the function expression's own name, a second name for one definition. */
function namesFunctionValue(tag) {
  return new RegExp(`=\\s*\\(?\\s*(async\\s+)?function\\s*\\*?\\s*${escapeRegExp(tag.name)}\\s*\\(`).test(tag.text);
}

/**
 * Inside a function body: ctags scopes the tag under a function (at any depth of its scope), or
 * the tag lies within a function's lines. ctags 5.9 gives JavaScript and TypeScript tags no end
 * line and leaves some locals unscoped, and scopes `Foo.bar = function` under `Foo` when Foo is a
 * function; there module-level code starts at column 0, so an indented tag is local unless it
 * is a member of a class, interface, namespace or object literal (and not `obj.x = …` inside a
 * function), and one at column 0 is not.
 */
function isLocal(tag, language, functionNames, spans) {
  const underFunction = tag.scope !== undefined && functionNames !== undefined && scopePrefixes(tag.scope).some((prefix) => functionNames.has(prefix));
  if (ECMASCRIPT.has(language)) return indented(tag) && (underFunction || !MEMBER_SCOPES.has(tag.scopeKind) || MEMBER_ASSIGNMENT.test(tag.text));
  return underFunction || spans.some((span) => span.path === tag.path && span.line < tag.line && tag.line <= span.end);
}

/**
 * What ctags 5.9 tags in JavaScript and TypeScript that defines nothing:
 * - a name that is a keyword: `tag = 'x' as const` read as a property named `const`;
 * - an object literal's data member (`key: value`): data, not API (function-valued ones are kept);
 * - a shorthand member (`{ walk, resolveAll }`): a name defined elsewhere, exported again;
 * - `module.exports = {…}` tagged `exports`: the module's export list, whose members are the definitions;
 * - a class tagged where `Foo.prototype.x = …` first appears: Foo is defined elsewhere;
 * - a JavaScript field on a line that does not start with it: a destructured parameter (`({ exit }) =>`);
 * - `Foo.prototype.x.call(this)`: a call, not a definition.
 */
function isEcmascriptDefinition(tag, language) {
  if (KEYWORDS.has(tag.name)) return false;
  if (OBJECT_MEMBER.test(tag.text) && !functionValued(tag)) return false;
  if (new RegExp(`^\\s*${escapeRegExp(tag.name)}\\s*,?\\s*$`).test(tag.text)) return false;
  if (tag.name === 'exports' && tag.scope === 'module' && /module\.exports\s*=\s*\{/.test(tag.text)) return false;
  if (new RegExp(`^\\s*${escapeRegExp(tag.name)}\\.prototype\\.`).test(tag.text)) return false;
  if (new RegExp(`\\b${escapeRegExp(tag.name)}\\.(call|apply)\\(`).test(tag.text) && !/[^=!<>]=[^=]/.test(tag.text)) return false;
  if (language === 'JavaScript' && tag.kind === 'field' && !new RegExp(`^\\s*(static\\s+)?#?${escapeRegExp(tag.name)}\\b`).test(tag.text)) return false;
  return true;
}

/** `a.b::c` -> a, a.b, a.b::c. */
function scopePrefixes(scope) {
  const prefixes = [];
  for (const separator of scope.matchAll(/\.|::/g)) prefixes.push(scope.slice(0, separator.index));
  prefixes.push(scope);
  return prefixes;
}

// ---------------------------------------------------------------------------------------------
// Matching

/**
 * How names are compared: ctags writes `operator <<` and `IFoo.Bar` (a C# explicit interface
 * implementation) and drops the `#` of private fields; Baton writes `operator<<`, `Bar`, `#secret`.
 */
const comparable = (name) => name.replace(/\s+/g, '').replace(/^#/, '').replace(/^.*\./, '');

/**
 * Matches `definitions` (keptDefinitions) against Baton's symbols per file: same name, and the
 * ctags line within LINE_TOLERANCE of where Baton's symbol starts or ends (a C typedef's name is
 * on its last line). `batonByFile` maps a path to Baton's symbols for it; `allTags` (every ctags
 * tag) tells which Baton symbols ctags has under no kind at all.
 */
export function compareSymbols(definitions, allTags, batonByFile) {
  const missed = [];
  let matched = 0;
  for (const [path, group] of groupBy(definitions, (definition) => definition.path)) {
    const symbols = batonByFile.get(path) ?? [];
    const pairs = [];
    for (const definition of group) {
      const names = new Set([...definition.names].map(comparable));
      for (const symbol of symbols) {
        const distance = Math.min(Math.abs(symbol.line - definition.line), Math.abs(symbol.endLine - definition.line));
        if (distance <= LINE_TOLERANCE && names.has(comparable(symbol.name))) pairs.push({ definition, symbol, distance });
      }
    }
    pairs.sort((a, b) => a.distance - b.distance);
    const found = new Set();
    const used = new Set();
    for (const { definition, symbol } of pairs) {
      if (found.has(definition) || used.has(symbol)) continue;
      found.add(definition);
      used.add(symbol);
    }
    matched += found.size;
    for (const definition of group) if (!found.has(definition)) missed.push(definition);
  }
  const ctagsNames = new Set(allTags.map((tag) => `${tag.path}\0${comparable(tag.name)}`));
  let batonSymbols = 0;
  const batonOnly = [];
  for (const [path, symbols] of batonByFile) {
    batonSymbols += symbols.length;
    for (const symbol of symbols) if (!ctagsNames.has(`${path}\0${comparable(symbol.name)}`)) batonOnly.push({ path, ...symbol });
  }
  return { definitions: definitions.length, matched, recall: definitions.length ? matched / definitions.length : 1, missed, batonSymbols, batonOnly };
}

function groupBy(items, keyOf) {
  const groups = new Map();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

/**
 * Recall of `extract` (Baton's extractTags) on a project. `extract(path, source)` resolves to
 * `{ symbols }` or undefined.
 */
export async function measureRecall(project, extract) {
  const { root, files } = prepareProject(project);
  const tags = ctagsTags(root, files, project.language);
  const batonByFile = new Map();
  for (const file of files) {
    const tagsOfFile = await extract(file, readFileSync(join(root, file), 'utf8'));
    batonByFile.set(file, tagsOfFile?.symbols ?? []);
  }
  return { project: project.name, language: project.language, root, files, ...compareSymbols(keptDefinitions(tags, project.language), tags, batonByFile) };
}

/** Missed definitions counted by ctags kind: where a language's rules fall short. */
export function missesByKind(result) {
  const counts = {};
  for (const definition of result.missed) counts[definition.kind] = (counts[definition.kind] ?? 0) + 1;
  return counts;
}
