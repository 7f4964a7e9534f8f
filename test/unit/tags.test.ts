import { describe, expect, it } from 'vitest';
import { extractTags, tagLanguageFor, type FileTags, type SymbolInfo } from '../../src/tools/repo-scan/tags/index.js';

/** Samples start on the line after the opening backtick, so line numbers read as in an editor. */
function code(text: string): string {
  return text.startsWith('\n') ? text.slice(1) : text;
}

async function tagsOf(path: string, source: string): Promise<FileTags> {
  const tags = await extractTags(path, source);
  if (!tags) throw new Error(`no grammar for ${path}`);
  return tags;
}

/** One line per symbol: "line-endLine kind name in container". */
function outline(tags: FileTags): string[] {
  return tags.symbols.map((s) => `${s.line}-${s.endLine} ${s.kind} ${s.name}${s.container ? ` in ${s.container}` : ''}`);
}

function symbol(tags: FileTags, name: string, container?: string): SymbolInfo {
  const found = tags.symbols.find((s) => s.name === name && (container === undefined || s.container === container));
  if (!found) throw new Error(`no symbol ${name}${container ? ` in ${container}` : ''}`);
  return found;
}

describe('tagLanguageFor', () => {
  it('maps extensions to grammars', () => {
    expect(tagLanguageFor('src/a.ts')).toBe('typescript');
    expect(tagLanguageFor('src/a.mts')).toBe('typescript');
    expect(tagLanguageFor('src/a.cts')).toBe('typescript');
    expect(tagLanguageFor('src/App.tsx')).toBe('tsx');
    expect(tagLanguageFor('lib/a.jsx')).toBe('javascript');
    expect(tagLanguageFor('lib/a.cjs')).toBe('javascript');
    expect(tagLanguageFor('stubs/a.pyi')).toBe('python');
    expect(tagLanguageFor('main.go')).toBe('go');
    expect(tagLanguageFor('src/lib.rs')).toBe('rust');
    expect(tagLanguageFor('A.java')).toBe('java');
    expect(tagLanguageFor('include/buffer.h')).toBe('c');
    expect(tagLanguageFor('src/shapes.hpp')).toBe('cpp');
    expect(tagLanguageFor('src/shapes.cc')).toBe('cpp');
    expect(tagLanguageFor('Order.cs')).toBe('csharp');
    expect(tagLanguageFor('lib/invoice.rb')).toBe('ruby');
    expect(tagLanguageFor('index.php')).toBe('php');
    expect(tagLanguageFor('SRC/MAIN.GO')).toBe('go');
  });

  it('knows nothing of other files', async () => {
    expect(tagLanguageFor('README.md')).toBeUndefined();
    expect(tagLanguageFor('Makefile')).toBeUndefined();
    expect(tagLanguageFor('src.ts/notes')).toBeUndefined();
    expect(await extractTags('README.md', '# Title\n')).toBeUndefined();
  });
});

describe('extractTags per language', () => {
  it('typescript', async () => {
    const tags = await tagsOf('src/store/file-store.ts', SOURCE_TYPESCRIPT);
    expect(tags.language).toBe('typescript');
    expect(outline(tags)).toEqual([
      '4-4 constant DEFAULT_TIMEOUT_MS',
      '5-5 constant cache',
      '7-7 type CacheKey',
      '9-12 interface Store',
      '10-10 method get in Store',
      '11-11 method put in Store',
      '14-17 enum Mode',
      '19-19 function normalize',
      '21-28 function loadConfig',
      '30-46 class FileStore',
      '31-31 field root in FileStore',
      '33-35 method constructor in FileStore',
      '37-41 method get in FileStore',
      '43-45 method put in FileStore',
      '48-52 module Internal',
      '49-51 function helper in Internal',
      '54-56 class Base',
      '55-55 method run in Base',
    ]);
    expect(symbol(tags, 'loadConfig').signature).toBe('export async function loadConfig(path: string, logger: Logger): Promise<Record<string, unknown>>');
    expect(symbol(tags, 'normalize').signature).toBe('export const normalize = (text: string): string =>');
    expect(symbol(tags, 'FileStore').signature).toBe('export class FileStore implements Store');
    expect(symbol(tags, 'DEFAULT_TIMEOUT_MS').signature).toBe('export const DEFAULT_TIMEOUT_MS = 30_000');
    expect(tags.references.normalize).toBe(2);
    expect(tags.references.DEFAULT_TIMEOUT_MS).toBe(1);
    expect(tags.references.Store).toBe(1);
    expect(tags.references.loadConfig).toBeUndefined();
    expect(tags.references.readFile).toBe(3);
  });

  it('tsx', async () => {
    const tags = await tagsOf('src/components/Button.tsx', SOURCE_TSX);
    expect(tags.language).toBe('tsx');
    expect(outline(tags)).toEqual([
      '3-6 interface ButtonProps',
      '8-10 function Button',
      '12-20 function Counter',
      '22-26 class Panel',
      '23-25 method render in Panel',
    ]);
    expect(symbol(tags, 'Panel').signature).toBe('export default class Panel extends React.Component<ButtonProps>');
    expect(symbol(tags, 'Counter').signature).toBe('export const Counter = () =>');
    // JSX tags are references too.
    expect(tags.references.Button).toBe(3);
    expect(tags.references.ButtonProps).toBe(2);
  });

  it('javascript', async () => {
    const tags = await tagsOf('lib/resolver.js', SOURCE_JAVASCRIPT);
    expect(tags.language).toBe('javascript');
    // `const path = require('path')` binds a module; `let counter` is module state, not a constant.
    expect(outline(tags)).toEqual([
      '4-4 constant MAX_DEPTH',
      '5-5 variable counter',
      '7-11 function walk',
      '13-15 function resolveAll',
      '17-33 class Resolver',
      '18-20 method constructor in Resolver',
      '22-24 method resolve in Resolver',
      '26-28 method create in Resolver',
      '30-32 method size in Resolver',
      '35-35 constant helpers',
    ]);
    expect(symbol(tags, 'walk').signature).toBe('function walk(dir, depth = 0)');
    expect(symbol(tags, 'resolveAll').signature).toBe('const resolveAll = function (dirs)');
    expect(symbol(tags, 'create').signature).toBe('static create()');
    expect(tags.references.walk).toBe(3);
    expect(tags.references.Resolver).toBe(2);
    expect(tags.references.MAX_DEPTH).toBe(1);
  });

  it('python', async () => {
    const tags = await tagsOf('worker/queue.py', SOURCE_PYTHON);
    expect(tags.language).toBe('python');
    // `default_queue` is not UPPER_CASE; `wrapped` is local to make_queue.
    expect(outline(tags)).toEqual([
      '7-7 constant MAX_RETRIES',
      '12-17 class Job',
      '16-17 method should_retry in Job',
      '20-41 class Queue',
      '23-24 class Empty in Queue',
      '26-28 method __init__ in Queue',
      '30-31 method push in Queue',
      '33-41 method drain in Queue',
      '44-48 function make_queue',
    ]);
    expect(symbol(tags, 'Queue').signature).toBe('class Queue(object):');
    expect(symbol(tags, 'drain').signature).toBe('async def drain(self) -> int:');
    expect(symbol(tags, 'Empty').signature).toBe('class Empty(Exception):');
    expect(symbol(tags, 'MAX_RETRIES').signature).toBe('MAX_RETRIES = 3');
    expect(tags.references.MAX_RETRIES).toBe(1);
    expect(tags.references.should_retry).toBe(1);
    expect(tags.references.push).toBe(1);
    expect(tags.references.Job).toBe(3);
    expect(tags.references.make_queue).toBeUndefined();
  });

  it('go', async () => {
    const tags = await tagsOf('store/repo.go', SOURCE_GO);
    expect(tags.language).toBe('go');
    expect(outline(tags)).toEqual([
      '8-8 constant MaxItems',
      '11-11 constant modeRead',
      '12-12 constant modeWrite',
      '15-15 variable ErrFull',
      '17-17 type Key',
      '19-22 struct Item',
      '24-26 interface Reader',
      '25-25 method Get in Reader',
      '28-31 struct Repo',
      '33-35 function NewRepo',
      '37-45 method Save in Repo',
      '47-49 method Get in Repo',
    ]);
    expect(symbol(tags, 'Save').signature).toBe('func (r *Repo) Save(it *Item) error');
    expect(symbol(tags, 'Item').signature).toBe('type Item struct');
    expect(symbol(tags, 'MaxItems').signature).toBe('const MaxItems = 100');
    expect(symbol(tags, 'modeRead').signature).toBe('modeRead = iota');
    expect(tags.references.MaxItems).toBe(1);
    expect(tags.references.Repo).toBe(4);
    expect(tags.references.Save).toBeUndefined();
  });

  it('rust', async () => {
    const tags = await tagsOf('src/config.rs', SOURCE_RUST);
    expect(tags.language).toBe('rust');
    expect(outline(tags)).toEqual([
      '4-4 constant MAX_SIZE',
      '5-5 constant GREETING',
      '8-11 struct Config',
      '13-16 enum Shape',
      '18-20 trait Area',
      '19-19 method area in Area',
      '22-22 type Registry',
      '25-27 method new in Config',
      '31-36 method area in Shape',
      '40-42 method fmt in Config',
      '45-49 module util',
      '46-48 function total in util',
      '51-53 function square',
    ]);
    expect(symbol(tags, 'new').signature).toBe('pub fn new(name: &str) -> Self');
    expect(symbol(tags, 'Config').signature).toBe('pub struct Config');
    expect(symbol(tags, 'MAX_SIZE').signature).toBe('pub const MAX_SIZE: usize = 1024');
    expect(tags.references.MAX_SIZE).toBe(1);
    expect(tags.references.Shape).toBe(4);
    expect(tags.references.area).toBe(1);
  });

  it('java', async () => {
    const tags = await tagsOf('src/main/java/com/example/cache/LruCache.java', SOURCE_JAVA);
    expect(tags.language).toBe('java');
    // Only `static final` fields are constants.
    expect(outline(tags)).toEqual([
      '6-39 class LruCache',
      '7-7 constant DEFAULT_CAPACITY in LruCache',
      '8-8 constant NAME in LruCache',
      '12-14 method LruCache in LruCache',
      '16-19 method get in LruCache',
      '21-26 method put in LruCache',
      '28-30 method evict in LruCache',
      '32-38 class Stats in LruCache',
      '35-37 method ratio in Stats',
      '41-44 interface Cache',
      '42-42 method get in Cache',
      '43-43 method put in Cache',
      '46-46 enum Policy',
      '48-48 class Entry',
    ]);
    // The annotation is left out of the head, but the method's range starts at it.
    expect(symbol(tags, 'get', 'LruCache')).toMatchObject({ line: 16, signature: 'public V get(K key)' });
    expect(symbol(tags, 'LruCache').signature).toBe('public class LruCache<K, V> implements Cache<K, V>');
    expect(symbol(tags, 'get', 'Cache').signature).toBe('V get(K key)');
    expect(tags.references.evict).toBe(1);
    expect(tags.references.Cache).toBe(1);
    expect(tags.references.DEFAULT_CAPACITY).toBeUndefined();
  });

  it('c', async () => {
    const tags = await tagsOf('src/buffer.c', SOURCE_C);
    expect(tags.language).toBe('c');
    // The prototype on line 23 is dropped: the function is defined in the same file.
    expect(outline(tags)).toEqual([
      '4-4 constant BUFFER_SIZE',
      '5-5 function MIN',
      '7-10 type buffer_t',
      '7-10 struct buffer',
      '12-15 struct node',
      '17-17 enum color',
      '19-19 type compare_fn',
      '21-21 constant max_nodes',
      '25-31 function buffer_new',
      '33-37 function buffer_free',
      '39-45 function main',
    ]);
    expect(symbol(tags, 'buffer_new').signature).toBe('static buffer_t *buffer_new(size_t cap)');
    expect(symbol(tags, 'buffer_t').signature).toBe('typedef struct buffer {…} buffer_t');
    expect(symbol(tags, 'compare_fn').signature).toBe('typedef int (*compare_fn)(const void *, const void *)');
    expect(symbol(tags, 'BUFFER_SIZE').signature).toBe('#define BUFFER_SIZE 4096');
    expect(tags.references.buffer_new).toBe(1);
    expect(tags.references.BUFFER_SIZE).toBe(2);
    expect(tags.references.buffer_t).toBe(6);
    expect(tags.references.main).toBeUndefined();
  });

  it('cpp', async () => {
    const tags = await tagsOf('src/geo/shapes.cpp', SOURCE_CPP);
    expect(tags.language).toBe('cpp');
    expect(outline(tags)).toEqual([
      '4-4 constant VERSION',
      '6-47 module geo',
      '8-8 constant kPi in geo',
      '10-13 struct Point in geo',
      '15-23 class Shape in geo',
      '17-17 method ~Shape in Shape',
      '18-18 method area in Shape',
      '19-19 method name in Shape',
      '25-32 class Circle in geo',
      '27-27 method Circle in Circle',
      '28-28 method area in Circle',
      '34-36 method area in Circle',
      '38-41 function clamp in geo',
      '43-43 enum Unit in geo',
      '45-45 type Points in geo',
      '49-52 function main',
    ]);
    expect(tags.symbols.find((s) => s.line === 34)?.signature).toBe('double Circle::area() const');
    expect(symbol(tags, 'clamp').signature).toBe('template <typename T> T clamp(T v, T lo, T hi)');
    expect(symbol(tags, 'Circle', 'geo').signature).toBe('class Circle : public Shape');
    expect(tags.references.clamp).toBe(1);
    expect(tags.references.kPi).toBe(1);
    expect(tags.references.Circle).toBe(2);
  });

  it('csharp', async () => {
    const tags = await tagsOf('Shop/Orders/Order.cs', SOURCE_CSHARP);
    expect(tags.language).toBe('csharp');
    expect(outline(tags)).toEqual([
      '4-44 module Shop.Orders',
      '6-10 interface IOrderRepository in Shop.Orders',
      '8-8 method Find in IOrderRepository',
      '9-9 method Save in IOrderRepository',
      '12-12 enum OrderStatus in Shop.Orders',
      '14-18 struct Money in Shop.Orders',
      '20-39 class Order in Shop.Orders',
      '22-22 constant MaxLines in Order',
      '27-30 method Order in Order',
      '32-36 method AddLine in Order',
      '38-38 method Pay in Order',
      '41-41 class OrderPlaced in Shop.Orders',
      '43-43 type OrderHandler in Shop.Orders',
    ]);
    expect(symbol(tags, 'Pay').signature).toBe('public void Pay()');
    expect(symbol(tags, 'MaxLines').signature).toBe('public const int MaxLines = 50');
    expect(symbol(tags, 'OrderPlaced').signature).toBe('public record OrderPlaced(int OrderId, DateTime At)');
    expect(tags.references.MaxLines).toBe(1);
    expect(tags.references.OrderStatus).toBe(2);
    expect(tags.references.Shop).toBeUndefined();
  });

  it('ruby', async () => {
    const tags = await tagsOf('lib/billing/invoice.rb', SOURCE_RUBY);
    expect(tags.language).toBe('ruby');
    expect(outline(tags)).toEqual([
      '3-40 module Billing',
      '4-4 constant DEFAULT_CURRENCY in Billing',
      '6-35 class Invoice in Billing',
      '9-12 method initialize in Invoice',
      '14-17 method add_line in Invoice',
      '19-21 method total in Invoice',
      '23-28 method from_json in Invoice',
      '32-34 method currency in Invoice',
      '37-39 method format in Billing',
    ]);
    expect(symbol(tags, 'Invoice').signature).toBe('class Invoice < Base');
    expect(symbol(tags, 'from_json').signature).toBe('def self.from_json(text)');
    expect(symbol(tags, 'total').signature).toBe('def total');
    expect(tags.references.add_line).toBe(1);
    expect(tags.references.DEFAULT_CURRENCY).toBe(2);
    expect(tags.references.Base).toBe(1);
  });

  it('php', async () => {
    const tags = await tagsOf('src/Services/UserService.php', SOURCE_PHP);
    expect(tags.language).toBe('php');
    expect(outline(tags)).toEqual([
      '3-3 module App\\Services',
      '7-7 constant DEFAULT_ROLE',
      '9-12 interface Notifier',
      '11-11 method notify in Notifier',
      '14-20 trait Loggable',
      '16-19 method log in Loggable',
      '22-26 enum Status',
      '28-48 class UserService',
      '32-32 constant MAX_USERS in UserService',
      '34-36 method __construct in UserService',
      '38-42 method notify in UserService',
      '44-47 method create in UserService',
      '50-53 function format_name',
    ]);
    expect(symbol(tags, 'notify', 'UserService').signature).toBe('public function notify(User $user, string $message): void');
    expect(symbol(tags, 'MAX_USERS').signature).toBe('public const MAX_USERS = 1000');
    expect(tags.references.log).toBe(1);
    expect(tags.references.User).toBe(4);
    // `$user` is a variable, not a reference to anything defined elsewhere.
    expect(tags.references.user).toBeUndefined();
  });
});

describe('extractTags edge cases', () => {
  it('survives broken sources in every language', async () => {
    const garbage = 'class ( def { fn ]] <?php -> ::: "unterminated\n\t}}} #define\n\u0000\uFFFF';
    for (const extension of ['ts', 'tsx', 'js', 'py', 'go', 'rs', 'java', 'c', 'cpp', 'cs', 'rb', 'php']) {
      const tags = await tagsOf(`broken.${extension}`, garbage);
      expect(Array.isArray(tags.symbols)).toBe(true);
    }
    const broken = code(String.raw`
def ok(a):
    return a

class Broken(
    def nope(:
        pass
`);
    const tags = await tagsOf('broken.py', broken);
    expect(symbol(tags, 'ok')).toMatchObject({ kind: 'function', line: 1, endLine: 2 });
  });

  it('returns nothing for an empty file', async () => {
    expect(await extractTags('empty.go', '')).toEqual({ language: 'go', symbols: [], references: {} });
  });

  it('skips files over 1 MB', async () => {
    const huge = 'export const A = 1;\n'.repeat(60_000);
    expect(await extractTags('huge.ts', huge)).toEqual({ language: 'typescript', symbols: [], references: {} });
  });

  it('keeps prototypes in headers', async () => {
    const header = code(String.raw`
#ifndef BUFFER_H
#define BUFFER_H

#include <stddef.h>

typedef struct buffer buffer_t;

buffer_t *buffer_new(size_t cap);
void buffer_free(buffer_t *b);
extern int (*buffer_hook)(buffer_t *);

#endif
`);
    const tags = await tagsOf('include/buffer.h', header);
    // The include guard has no value: not a constant. A function pointer is not a function.
    expect(outline(tags)).toEqual(['6-6 type buffer_t', '8-8 function buffer_new', '9-9 function buffer_free']);
    expect(symbol(tags, 'buffer_free').signature).toBe('void buffer_free(buffer_t *b)');
  });

  it('reads CRLF files and non-ASCII text', async () => {
    const source =
      '// “config” ✨\r\nexport const ÉTAT_INITIAL = "prêt";\r\n\r\nexport function démarrer(\r\n  état: string,\r\n): void {\r\n  console.log(ÉTAT_INITIAL, état);\r\n}\r\n';
    const tags = await tagsOf('src/état.ts', source);
    expect(tags.symbols).toEqual([
      { name: 'ÉTAT_INITIAL', kind: 'constant', line: 2, endLine: 2, signature: 'export const ÉTAT_INITIAL = "prêt"' },
      { name: 'démarrer', kind: 'function', line: 4, endLine: 8, signature: 'export function démarrer(état: string): void' },
    ]);
    expect(tags.references.ÉTAT_INITIAL).toBe(1);
    expect(tags.references['état']).toBe(2);
  });

  it('leaves out local definitions but keeps those of module-style IIFEs', async () => {
    const source = code(String.raw`
describe('queue', () => {
  const FIXTURE = 1;
  function helper() {}
  it('works', () => helper());
});

(function () {
  function legacyPlugin() {}
  window.legacyPlugin = legacyPlugin;
})();

function outer() {
  class Hidden {}
  return new Hidden();
}
`);
    const tags = await tagsOf('test/queue.test.js', source);
    expect(outline(tags)).toEqual(['8-8 function legacyPlugin', '12-15 function outer']);
    // A local function is no definition, so its name counts where it is declared too.
    expect(tags.references.helper).toBe(2);
    expect(tags.references.Hidden).toBe(2);
  });

  it('lists class fields, treats those holding functions as methods, and strips decorators from heads', async () => {
    const source = code(String.raw`
@Component({
  selector: 'app-root',
  template: '<div></div>',
})
export class AppComponent {
  @Input() title = '';
  handleClick = (event: MouseEvent): void => {
    this.title = String(event.detail);
  };
}
`);
    const tags = await tagsOf('src/app.component.ts', source);
    expect(tags.symbols).toEqual([
      { name: 'AppComponent', kind: 'class', line: 1, endLine: 10, signature: 'export class AppComponent' },
      { name: 'title', kind: 'field', line: 6, endLine: 6, container: 'AppComponent', signature: "title = ''" },
      {
        name: 'handleClick',
        kind: 'method',
        line: 7,
        endLine: 9,
        container: 'AppComponent',
        signature: 'handleClick = (event: MouseEvent): void =>',
      },
    ]);
  });

  it('serves concurrent calls across languages', async () => {
    const inputs: [string, string][] = [
      ['a.ts', SOURCE_TYPESCRIPT],
      ['a.py', SOURCE_PYTHON],
      ['a.go', SOURCE_GO],
      ['a.rs', SOURCE_RUST],
      ['b.ts', SOURCE_TYPESCRIPT],
      ['a.rb', SOURCE_RUBY],
    ];
    const sequential: (FileTags | undefined)[] = [];
    for (const [path, source] of inputs) sequential.push(await extractTags(path, source));
    const concurrent = await Promise.all(inputs.map(([path, source]) => extractTags(path, source)));
    expect(concurrent).toEqual(sequential);
  });
});

/** One line per symbol with its container: "line kind name in container". */
function members(tags: FileTags): string[] {
  return tags.symbols.map((s) => `${s.line} ${s.kind} ${s.name}${s.container ? ` in ${s.container}` : ''}`);
}

describe('JavaScript and TypeScript definitions as people write them', () => {
  it('CommonJS exports: the receiver is the container, functions of exports are functions', async () => {
    const tags = await tagsOf(
      'lib/utils.js',
      code(`
'use strict';
var path = require('path');
var join = require('path').join;
exports.isAbsolute = function (p) { return path.isAbsolute(p); };
exports.setCharset = function setCharsetImpl(type) { return type; };
module.exports.normalize = (type) => type;
exports.VERSION = '1.0';
exports.Router = Router;
exports.application = proto;
exports.Widget = class { render() {} };
`),
    );
    expect(members(tags)).toEqual([
      '4 function isAbsolute in exports',
      '5 function setCharset in exports',
      '6 function normalize in module.exports',
      '7 constant VERSION in exports',
      '9 alias application in exports',
      '10 class Widget in exports',
      '10 method render in Widget',
    ]);
    expect(symbol(tags, 'setCharset').signature).toBe('exports.setCharset = function setCharsetImpl(type)');
  });

  it('module.exports = a function or an object: the module itself', async () => {
    const named = await tagsOf('lib/query.js', 'module.exports = function query(options) {\n  return options;\n};\n');
    expect(named.symbols).toEqual([{ name: 'query', kind: 'function', line: 1, endLine: 3, signature: 'module.exports = function query(options)' }]);
    // Without a name there is nothing to look up (and `exports` would name every CommonJS module).
    const anonymous = await tagsOf('lib/main.js', 'module.exports = function (req, res) {\n  var local = req;\n};\n');
    expect(anonymous.symbols).toEqual([]);
    const anonymousClass = await tagsOf('lib/store.js', 'module.exports = class {\n  get(key) {}\n};\n');
    expect(members(anonymousClass)).toEqual(['2 method get in module.exports']);
    const object = await tagsOf(
      'lib/cursor.js',
      code(`
module.exports = {
  hide() {},
  show: function () {},
  'delete-line': () => {},
  count: 3,
  [computed]: () => {},
  helper,
};
`),
    );
    // Data members and shorthand re-exports of names defined elsewhere are not definitions.
    expect(members(object)).toEqual(['2 method hide in module.exports', '3 method show in module.exports', '4 method delete-line in module.exports']);
  });

  it('members assigned to objects and prototypes, one symbol per name of a chain', async () => {
    const tags = await tagsOf(
      'lib/application.js',
      code(`
var app = exports = module.exports = {};
app.listen = function listen() {
  var server = http.createServer(this);
  server.helper = function () {};
  return server;
};
res.contentType = res.type = function contentType(type) {};
function Layer(path) { this.path = path; }
Layer.prototype.match = function match(path) {};
Layer.create = function (path) { return new Layer(path); };
Layer.prototype.handle = Layer.prototype.match;
Layer.prototype.constructor = Layer;
Route.prototype = {
  dispatch(req) {},
  all: function () {},
};
app.locals = { title: 'x' };
app[method] = function () {};
require('x').patched = function () {};
`),
    );
    expect(members(tags)).toEqual([
      '1 variable app',
      '2 method listen in app',
      '7 method contentType in res',
      '7 method type in res',
      '8 function Layer',
      '9 method match in Layer.prototype',
      '10 method create in Layer',
      '11 alias handle in Layer.prototype',
      '14 method dispatch in Route.prototype',
      '15 method all in Route.prototype',
    ]);
    expect(symbol(tags, 'listen').endLine).toBe(6);
    // Locals of listen are not listed, and their names are references.
    expect(tags.references.server).toBe(3);
  });

  it("object literals bound at module level list their methods under the binding's name", async () => {
    const tags = await tagsOf(
      'lib/reporters/base.js',
      code(`
const helpers = {
  one() {},
  two: async function () {},
  nested: { deeper() {} },
};
exports.cursor = {
  hide: function () {},
};
export default {
  data() { return {}; },
  name: 'component',
};
`),
    );
    expect(members(tags)).toEqual([
      '1 constant helpers',
      '2 method one in helpers',
      '3 method two in helpers',
      '6 constant cursor in exports',
      '7 method hide in exports.cursor',
      '10 method data in default',
    ]);
  });

  it('class fields and static members, private names and TypeScript parameter properties', async () => {
    const js = await tagsOf(
      'src/widget.js',
      code(`
class Widget extends Base {
  static count = 0;
  static create() { return new Widget(); }
  #secret = 1;
  name;
  onClick = () => { const local = 1; };
  static { var hidden = 1; }
  get size() { return 1; }
}
`),
    );
    expect(members(js)).toEqual([
      '1 class Widget',
      '2 field count in Widget',
      '3 method create in Widget',
      '4 field #secret in Widget',
      '5 field name in Widget',
      '6 method onClick in Widget',
      '8 method size in Widget',
    ]);
    const ts = await tagsOf(
      'src/store.ts',
      code(`
export class Store {
  private readonly cache = new Map<string, string>();
  declare owner: string;
  constructor(private readonly root: string, public name?: string, plain = 1) {}
}
interface Shape {
  width: number;
  area(): number;
}
`),
    );
    // Interface properties are a data shape's slots, like struct fields: not listed.
    expect(members(ts)).toEqual([
      '1 class Store',
      '2 field cache in Store',
      '3 field owner in Store',
      '4 method constructor in Store',
      '4 field root in Store',
      '4 field name in Store',
      '6 interface Shape',
      '8 method area in Shape',
    ]);
    expect(symbol(ts, 'root').signature).toBe('private readonly root: string');
  });

  it('functions bound to names, module state, destructuring; not imports or loop variables', async () => {
    const tags = await tagsOf(
      'src/index.ts',
      code(`
import fs from 'node:fs';
const arrow = (a: number) => a;
let handler = function () {};
var named = function realName() {};
let counter = 0;
const { isArray, keys: getKeys, ...rest } = Array;
const [first, second = 2] = list;
const { join } = require('path');
const lazy = await import('./lazy.js');
declare const VERSION: string;
for (let i = 0; i < 3; i++) {}
const config = { retries: 3 } as const;
`),
    );
    expect(members(tags)).toEqual([
      '2 function arrow',
      '3 function handler',
      '4 function named',
      '5 variable counter',
      '6 constant isArray',
      '6 constant getKeys',
      '6 constant rest',
      '7 constant first',
      '7 constant second',
      '10 constant VERSION',
      '12 constant config',
    ]);
  });

  it('export default and re-exports', async () => {
    // An anonymous default has no name to look up (ctags names none either); a class's methods still count.
    const anonymousFunction = await tagsOf('src/handler.ts', 'export default function (req: Request) {\n  const local = req;\n}\n');
    expect(anonymousFunction.symbols).toEqual([]);
    const anonymousClass = await tagsOf('src/panel.js', 'export default class extends Base {\n  render() {}\n}\n');
    expect(members(anonymousClass)).toEqual(['2 method render in default']);
    const named = await tagsOf(
      'src/panel.js',
      'export default class Panel {}\nexport default function start() {}\nexport default arrow;\nexport default (class Dialog {});\n',
    );
    expect(members(named)).toEqual(['1 class Panel', '2 function start', '4 class Dialog']);
    const barrel = await tagsOf(
      'src/index.ts',
      code(`
export { parse } from './parse.js';
export { default as Parser, tokenize as lex } from './parser.js';
export * as ast from './ast.js';
export * from './types.js';
export { local as renamed };
export { main as default };
`),
    );
    // `export { parse } from` adds no name: parse is listed where it is defined.
    expect(members(barrel)).toEqual(['2 alias Parser', '2 alias lex', '3 module ast', '5 alias renamed']);
    expect(symbol(barrel, 'ast').signature).toBe("export * as ast from './ast.js'");
  });

  it('lists nothing defined inside function bodies or callbacks, and keeps named functions passed at module level', async () => {
    const tags = await tagsOf(
      'lib/request.js',
      code(`
defineGetter(req, 'ip', function ip() {
  return this.socket.remoteAddress;
});
methods.forEach(function (method) {
  app[method] = function () {};
  exports.inner = function () {};
});
on('x', { handler: function () { var deep = 1; exports.deeper = 1; } });
function outer() {
  exports.fromOuter = 1;
  const api = { m() {} };
}
(function () {
  exports.fromIife = function () {};
})();
`),
    );
    expect(members(tags)).toEqual(['1 function ip', '9 function outer', '14 function fromIife in exports']);
  });
});

describe('C and C++ as libraries write them', () => {
  it('reads a .h file written in C++ as C++', async () => {
    const header = code(`
#pragma once
namespace geo {
class Shape {
 public:
  virtual double area() const = 0;
};
}
`);
    const tags = await tagsOf('include/geo/shape.h', header);
    expect(tags.language).toBe('cpp');
    expect(members(tags)).toEqual(['2 module geo', '3 class Shape in geo', '5 method area in Shape']);
    const cHeader = await tagsOf('include/buffer.h', 'typedef struct buffer buffer_t;\nint class_count(void);\n');
    expect(cHeader.language).toBe('c');
  });

  it('reads past export, attribute and declaration macros it cannot expand', async () => {
    const source = code(String.raw`
#define GTEST_API_ __attribute__((visibility("default")))
FMT_BEGIN_NAMESPACE
class GTEST_API_ Matcher : public Base {
 public:
  GTEST_DISALLOW_COPY_AND_ASSIGN_(Matcher);
  void Register(const void* obj) GTEST_LOCK_EXCLUDED_(mutex_);
  bool Matches(int x) const
      GTEST_LOCK_EXCLUDED_(mutex_);
  Matcher() {}
};
FMT_CONSTEXPR FMT_INLINE auto parse(int x) -> int { return x; }
GTEST_DISABLE_MSC_WARNINGS_PUSH_(4251 \
/* class A needs to have dll-interface */)
struct GTEST_API_ Registry final {};
FMT_END_NAMESPACE
`);
    const tags = await tagsOf('include/gtest/matcher.hpp', source);
    expect(members(tags)).toEqual([
      '1 constant GTEST_API_',
      '3 class Matcher',
      '6 method Register in Matcher',
      '7 method Matches in Matcher',
      '9 method Matcher in Matcher',
      '11 function parse',
      '14 struct Registry',
    ]);
    // Signatures are read from the file as written: a macro inside a head stays, one before it is
    // no longer part of the declaration.
    expect(symbol(tags, 'Matcher', undefined).signature).toBe('class GTEST_API_ Matcher : public Base');
    expect(symbol(tags, 'parse').signature).toBe('auto parse(int x) -> int');
    expect(symbol(tags, 'Register').signature).toBe('void Register(const void* obj) GTEST_LOCK_EXCLUDED_(mutex_)');
  });

  it('leaves type-like names and macro definitions alone', async () => {
    const source = code(String.raw`
#define MAKE_LIST(name) \
  LIST_HEAD(name)
static SSL_CTX *make_context(void) { return 0; }
SSL_CTX const *shared_context(void) { return 0; }
LARGE_INTEGER frequency;
CURL_EXTERN CURL *curl_easy_init(void);
`);
    const tags = await tagsOf('src/tls.c', source);
    expect(members(tags)).toEqual(['1 function MAKE_LIST', '3 function make_context', '4 function shared_context', '6 function curl_easy_init']);
    expect(symbol(tags, 'MAKE_LIST').endLine).toBe(2);
  });

  it('names specializations by their template and conversion functions by their type', async () => {
    const source = code(`
template <typename T> struct is_char : std::false_type {};
template <> struct is_char<char> : std::true_type {};
struct Flag {
  explicit operator bool() const { return on; }
  bool on;
};
`);
    const tags = await tagsOf('include/traits.hpp', source);
    expect(members(tags)).toEqual(['1 struct is_char', '2 struct is_char', '3 struct Flag', '4 method operator bool in Flag']);
    expect(symbol(tags, 'is_char').signature).toBe('template <typename T> struct is_char : std::false_type');
  });
});

describe('module-level values and associated types', () => {
  it("go: package-level vars, not a function body's", async () => {
    const source = code(`
package store

var (
	ErrFull = errors.New("full")
	_       = registry
)

func Save() error {
	var attempts int
	return ErrFull
}
`);
    expect(members(await tagsOf('store/errors.go', source))).toEqual(['4 variable ErrFull', '8 function Save']);
  });

  it("rust: a trait's associated types", async () => {
    const source = code(`
pub trait Parser {
    type Output;
    fn parse(&self) -> Self::Output;
}
`);
    expect(members(await tagsOf('src/parser.rs', source))).toEqual(['1 trait Parser', '2 type Output in Parser', '3 method parse in Parser']);
  });
});

const SOURCE_TYPESCRIPT = code(String.raw`
import { readFile } from 'node:fs/promises';
import type { Logger } from './log.js';

export const DEFAULT_TIMEOUT_MS = 30_000;
const cache = new Map<string, string>();

export type CacheKey = string | number;

export interface Store {
  get(key: string): Promise<string | undefined>;
  put(key: string, value: string): Promise<void>;
}

export enum Mode {
  Fast,
  Careful,
}

export const normalize = (text: string): string => text.trim().toLowerCase();

export async function loadConfig(
  path: string,
  logger: Logger,
): Promise<Record<string, unknown>> {
  const raw = await readFile(path, 'utf8');
  logger.debug(normalize(raw));
  return JSON.parse(raw) as Record<string, unknown>;
}

export class FileStore implements Store {
  private readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  async get(key: string): Promise<string | undefined> {
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    return readFile(this.root + '/' + normalize(key), 'utf8');
  }

  async put(key: string, value: string): Promise<void> {
    cache.set(key, value);
  }
}

namespace Internal {
  export function helper(): number {
    return DEFAULT_TIMEOUT_MS;
  }
}

abstract class Base<T> {
  abstract run(input: T): void;
}
`);

const SOURCE_TSX = code(String.raw`
import React, { useState } from 'react';

export interface ButtonProps {
  label: string;
  onClick?: () => void;
}

export function Button({ label, onClick }: ButtonProps) {
  return <button onClick={onClick}>{label}</button>;
}

export const Counter = () => {
  const [count, setCount] = useState(0);
  return (
    <div>
      <Button label={'Clicked ' + count} onClick={() => setCount(count + 1)} />
      <Button label="Reset" onClick={() => setCount(0)} />
    </div>
  );
};

export default class Panel extends React.Component<ButtonProps> {
  render() {
    return <Button label={this.props.label} />;
  }
}
`);

const SOURCE_JAVASCRIPT = code(String.raw`
'use strict';
const path = require('path');

const MAX_DEPTH = 8;
let counter = 0;

function walk(dir, depth = 0) {
  if (depth > MAX_DEPTH) return [];
  counter += 1;
  return [path.join(dir, 'index.js')];
}

const resolveAll = function (dirs) {
  return dirs.flatMap((d) => walk(d));
};

class Resolver {
  constructor(base) {
    this.base = base;
  }

  resolve(name) {
    return walk(path.join(this.base, name));
  }

  static create() {
    return new Resolver(process.cwd());
  }

  get size() {
    return counter;
  }
}

export const helpers = { walk, resolveAll };

module.exports = { Resolver, resolveAll };
`);

const SOURCE_PYTHON = code(String.raw`
"""Small job queue used by the worker."""
from __future__ import annotations

import dataclasses
from typing import Callable

MAX_RETRIES = 3
default_queue = None


@dataclasses.dataclass
class Job:
    name: str
    attempts: int = 0

    def should_retry(self) -> bool:
        return self.attempts < MAX_RETRIES


class Queue(object):
    """FIFO of jobs."""

    class Empty(Exception):
        pass

    def __init__(self, handler: Callable[[Job], None]):
        self._jobs: list[Job] = []
        self._handler = handler

    def push(self, job: Job) -> None:
        self._jobs.append(job)

    async def drain(self) -> int:
        done = 0
        while self._jobs:
            job = self._jobs.pop(0)
            self._handler(job)
            if job.should_retry():
                self.push(job)
            done += 1
        return done


def make_queue(handler):
    def wrapped(job):
        return handler(job)

    return Queue(wrapped)
`);

const SOURCE_GO = code(String.raw`
package store

import (
	"errors"
	"sync"
)

const MaxItems = 100

const (
	modeRead  = iota
	modeWrite
)

var ErrFull = errors.New("store full")

type Key string

type Item struct {
	Key   Key
	Value []byte
}

type Reader interface {
	Get(k Key) (*Item, error)
}

type Repo struct {
	mu    sync.Mutex
	items map[Key]*Item
}

func NewRepo() *Repo {
	return &Repo{items: make(map[Key]*Item)}
}

func (r *Repo) Save(it *Item) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.items) >= MaxItems {
		return ErrFull
	}
	r.items[it.Key] = it
	return nil
}

func (r Repo) Get(k Key) (*Item, error) {
	return r.items[k], nil
}
`);

const SOURCE_RUST = code(String.raw`
use std::collections::HashMap;
use std::fmt;

pub const MAX_SIZE: usize = 1024;
static GREETING: &str = "hello";

#[derive(Debug, Clone)]
pub struct Config {
    pub name: String,
    pub size: usize,
}

pub enum Shape {
    Circle(f64),
    Square(f64),
}

pub trait Area {
    fn area(&self) -> f64;
}

pub type Registry = HashMap<String, Config>;

impl Config {
    pub fn new(name: &str) -> Self {
        Config { name: name.to_string(), size: MAX_SIZE }
    }
}

impl Area for Shape {
    fn area(&self) -> f64 {
        match self {
            Shape::Circle(r) => 3.14 * r * r,
            Shape::Square(s) => s * s,
        }
    }
}

impl fmt::Display for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name, self.size)
    }
}

pub mod util {
    pub fn total(shapes: &[super::Shape]) -> f64 {
        shapes.iter().map(|s| super::Area::area(s)).sum()
    }
}

macro_rules! square {
    ($x:expr) => { $x * $x };
}
`);

const SOURCE_JAVA = code(String.raw`
package com.example.cache;

import java.util.HashMap;
import java.util.Map;

public class LruCache<K, V> implements Cache<K, V> {
    public static final int DEFAULT_CAPACITY = 16;
    private static final String NAME = "lru";
    private final int capacity;
    private final Map<K, V> entries = new HashMap<>();

    public LruCache(int capacity) {
        this.capacity = capacity;
    }

    @Override
    public V get(K key) {
        return entries.get(key);
    }

    public void put(K key, V value) {
        if (entries.size() >= capacity) {
            evict();
        }
        entries.put(key, value);
    }

    private void evict() {
        entries.clear();
    }

    public static class Stats {
        public long hits;

        public double ratio(long total) {
            return total == 0 ? 0 : (double) hits / total;
        }
    }
}

interface Cache<K, V> {
    V get(K key);
    void put(K key, V value);
}

enum Policy { LRU, FIFO }

record Entry(String key, int size) {}
`);

const SOURCE_C = code(String.raw`
#include <stdio.h>
#include <stdlib.h>

#define BUFFER_SIZE 4096
#define MIN(a, b) ((a) < (b) ? (a) : (b))

typedef struct buffer {
    char *data;
    size_t len;
} buffer_t;

struct node {
    int value;
    struct node *next;
};

enum color { RED, GREEN, BLUE };

typedef int (*compare_fn)(const void *, const void *);

static const int max_nodes = 64;

static buffer_t *buffer_new(size_t cap);

static buffer_t *buffer_new(size_t cap)
{
    buffer_t *b = malloc(sizeof(buffer_t));
    b->data = malloc(MIN(cap, BUFFER_SIZE));
    b->len = 0;
    return b;
}

void buffer_free(buffer_t *b)
{
    free(b->data);
    free(b);
}

int main(int argc, char **argv)
{
    buffer_t *b = buffer_new(BUFFER_SIZE);
    printf("%d\n", argc);
    buffer_free(b);
    return 0;
}
`);

const SOURCE_CPP = code(String.raw`
#include <string>
#include <vector>

#define VERSION "1.2"

namespace geo {

constexpr double kPi = 3.14159;

struct Point {
    double x;
    double y;
};

class Shape {
public:
    virtual ~Shape() = default;
    virtual double area() const = 0;
    std::string name() const { return name_; }

private:
    std::string name_;
};

class Circle : public Shape {
public:
    explicit Circle(double r) : r_(r) {}
    double area() const override;

private:
    double r_;
};

double Circle::area() const {
    return kPi * r_ * r_;
}

template <typename T>
T clamp(T v, T lo, T hi) {
    return v < lo ? lo : (v > hi ? hi : v);
}

enum class Unit { Meter, Foot };

using Points = std::vector<Point>;

}  // namespace geo

int main() {
    geo::Circle c(2.0);
    return static_cast<int>(geo::clamp(c.area(), 0.0, 100.0));
}
`);

const SOURCE_CSHARP = code(String.raw`
using System;
using System.Collections.Generic;

namespace Shop.Orders
{
    public interface IOrderRepository
    {
        Order Find(int id);
        void Save(Order order);
    }

    public enum OrderStatus { Open, Paid, Shipped }

    public struct Money
    {
        public decimal Amount;
        public string Currency;
    }

    public class Order
    {
        public const int MaxLines = 50;
        public int Id { get; set; }
        public OrderStatus Status { get; private set; }
        private readonly List<string> _lines = new List<string>();

        public Order(int id)
        {
            Id = id;
        }

        public void AddLine(string sku)
        {
            if (_lines.Count >= MaxLines) throw new InvalidOperationException("full");
            _lines.Add(sku);
        }

        public void Pay() => Status = OrderStatus.Paid;
    }

    public record OrderPlaced(int OrderId, DateTime At);

    public delegate void OrderHandler(Order order);
}
`);

const SOURCE_RUBY = code(String.raw`
require 'json'

module Billing
  DEFAULT_CURRENCY = 'EUR'.freeze

  class Invoice < Base
    attr_reader :lines

    def initialize(customer)
      @customer = customer
      @lines = []
    end

    def add_line(amount, description = nil)
      @lines << { amount: amount, description: description }
      self
    end

    def total
      @lines.sum { |l| l[:amount] }
    end

    def self.from_json(text)
      data = JSON.parse(text)
      invoice = new(data['customer'])
      data['lines'].each { |l| invoice.add_line(l['amount']) }
      invoice
    end

    private

    def currency
      DEFAULT_CURRENCY
    end
  end

  def self.format(invoice)
    "#{invoice.total} #{DEFAULT_CURRENCY}"
  end
end
`);

const SOURCE_PHP = code(String.raw`
<?php

namespace App\Services;

use App\Models\User;

const DEFAULT_ROLE = 'member';

interface Notifier
{
    public function notify(User $user, string $message): void;
}

trait Loggable
{
    protected function log(string $line): void
    {
        error_log($line);
    }
}

enum Status: string
{
    case Active = 'active';
    case Banned = 'banned';
}

class UserService implements Notifier
{
    use Loggable;

    public const MAX_USERS = 1000;

    public function __construct(private Repository $repo)
    {
    }

    public function notify(User $user, string $message): void
    {
        $this->log("notify {$user->id}");
        mail($user->email, 'Notice', $message);
    }

    public static function create(): self
    {
        return new self(new Repository());
    }
}

function format_name(User $user): string
{
    return ucfirst($user->name);
}
`);
