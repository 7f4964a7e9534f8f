import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFiles } from './repo.js';

/** Baton's own node_modules: fixture projects borrow vitest, jest and mocha from it (no network). */
export const BATON_NODE_MODULES = fileURLToPath(new URL('../../node_modules', import.meta.url));

export async function jsProject(dir: string, pkg: Record<string, unknown>, files: Record<string, string>): Promise<void> {
  await writeFiles(dir, { 'package.json': JSON.stringify({ name: 'fixture', private: true, ...pkg }, null, 2), ...files });
  await symlink(BATON_NODE_MODULES, join(dir, 'node_modules'));
}

/** Each runner's fixture: 2 passing, 1 failing, 1 skipped test. */
export const FIXTURES = {
  vitest: {
    pkg: { type: 'module', scripts: { test: 'vitest run' }, devDependencies: { vitest: '*' } },
    files: {
      'src/math.test.ts': [
        "import { describe, expect, it } from 'vitest';",
        "describe('math', () => {",
        "  it('adds', () => expect(1 + 1).toBe(2));",
        "  it('multiplies', () => expect(2 * 3).toBe(6));",
        "  it('divides', () => expect(10 / 4).toBe(2));",
        "  it.skip('someday', () => expect(true).toBe(false));",
        '});',
        '',
      ].join('\n'),
    },
  },
  jest: {
    pkg: { scripts: { test: 'jest' }, devDependencies: { jest: '*' } },
    files: {
      'sum.test.js': [
        "describe('sum', () => {",
        "  test('adds', () => expect(1 + 1).toBe(2));",
        "  test('adds more', () => expect(2 + 2).toBe(4));",
        "  test('is wrong', () => expect(2 + 2).toBe(5));",
        "  test.skip('later', () => {});",
        '});',
        '',
      ].join('\n'),
    },
  },
  mocha: {
    pkg: { scripts: { test: 'mocha' }, devDependencies: { mocha: '*' } },
    files: {
      'test/a.spec.js': [
        "const assert = require('node:assert');",
        "describe('list', () => {",
        "  it('is empty', () => assert.strictEqual([].length, 0));",
        "  it('has one', () => assert.strictEqual([1].length, 1));",
        "  it('has two', () => assert.strictEqual([1].length, 2));",
        "  it.skip('has many', () => {});",
        '});',
        '',
      ].join('\n'),
    },
  },
  node: {
    pkg: { type: 'module', scripts: { test: 'node --test' } },
    files: {
      'test/a.test.js': [
        "import test from 'node:test';",
        "import assert from 'node:assert';",
        "test('adds', () => assert.strictEqual(1 + 1, 2));",
        "test('subtracts', () => assert.strictEqual(3 - 1, 2));",
        "test('fails', () => assert.strictEqual(1 + 1, 3));",
        "test('skipped', { skip: true }, () => {});",
        '',
      ].join('\n'),
    },
  },
} as const;
