import { describe, expect, it } from 'vitest';
import { gitFailureReason } from '../../src/core/git.js';

describe("git's failure reason", () => {
  const fatal = 'fatal: pcre2_jit_match failed with error code -47: match limit exceeded';
  const racy = 'warning: die() called many times. Recursion error or racy threaded death!';
  it.each([
    ['a fatal line alone', `${fatal}\n`, fatal],
    // git grep's threads failing at once, in the order a CI run printed them.
    ['a warning before the fatal line', `${racy}\n${fatal}\n${fatal}\n`, fatal],
    ['an error line after hints', 'hint: see git help\nerror: pathspec did not match\n', 'error: pathspec did not match'],
    ['neither: the first line', 'usage: git grep [<options>]\n\n  -n  show line numbers\n', 'usage: git grep [<options>]'],
    ['nothing', '', ''],
  ])('%s', (_name, stderr, reason) => {
    expect(gitFailureReason(stderr)).toBe(reason);
  });
});
