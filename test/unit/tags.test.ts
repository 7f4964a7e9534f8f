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
