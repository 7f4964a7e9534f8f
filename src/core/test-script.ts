/**
 * Reads a package's `scripts.test` the way the package manager would run it, without running a
 * shell: split into steps (`&&`, `;`), follow what a step delegates to (`npm run x`, `yarn x`,
 * `npm-run-all`/`run-s`/`run-p`, `npm test`, npm's `pre`/`post` scripts), strip what only sets
 * the scene (`NAME=value`, `cross-env`, `npx`, coverage wrappers `nyc`/`c8`), and find the one
 * step that invokes a known test runner, with every argument the project gave it.
 *
 * What it cannot follow (a pipe, `||`, a variable, a sub-shell, `pnpm -r`, `turbo`, a step it
 * does not know, two test steps) makes the whole script the unit to run (`npm-script`): Baton
 * never runs a guessed part of a suite.
 */

export type ScriptRunner = 'vitest' | 'jest' | 'mocha' | 'node';
export type PackageManager = 'npm' | 'pnpm' | 'yarn' | 'bun';

/** One step of the script, as written (`text`) and as argv with its environment. */
export interface ScriptStep {
  text: string;
  argv: string[];
  env: Record<string, string>;
  /** The script it came from (`test`, `test:unit`, `pretest`, …). */
  script: string;
}

export type StepKind = 'runner' | 'build' | 'check' | 'housekeeping';

export interface TestScriptPlan {
  kind: 'runner';
  runner: ScriptRunner;
  /** The runner step: argv from the runner's name on (for node, everything after `node`). */
  step: ScriptStep;
  /** The runner's own arguments as the project gave them (after the runner's name; for node, after `node`). */
  args: string[];
  /** Build steps before the runner step: the tests load what they produce, so they run first. */
  before: ScriptStep[];
  /** Everything else (lint, typecheck, format, clean-up, steps after the tests): not run, named. */
  skipped: string[];
  /** What was stripped from the runner step (coverage wrappers, npx), said in the result. */
  notes: string[];
}

export interface WholeScriptPlan {
  kind: 'script';
  /** Why the script is run whole, for the result's note. */
  reason: string;
}

export class Unsupported extends Error {}

const RUNNER_WORDS: Record<string, ScriptRunner> = { vitest: 'vitest', jest: 'jest', mocha: 'mocha', _mocha: 'mocha' };
/** Lint, format and type checks: never needed for the tests to run. */
const CHECK_TOOLS = new Set([
  'eslint',
  'prettier',
  'standard',
  'xo',
  'biome',
  'tslint',
  'stylelint',
  'markdownlint',
  'markdownlint-cli2',
  'dtslint',
  'tsd',
  'tstyche',
  'attw',
  'publint',
  'oxlint',
  'semistandard',
  'jshint',
  'jscs',
  'dprint',
  'knip',
  'depcheck',
  'lockfile-lint',
  'type-coverage',
  'size-limit',
]);
/** Build tools: what they write is what the tests load. */
const BUILD_TOOLS = new Set(['babel', 'rollup', 'esbuild', 'webpack', 'tsup', 'swc', 'unbuild', 'microbundle', 'pkgroll', 'tsdown', 'tsc-alias']);
const HOUSEKEEPING = new Set(['rimraf', 'rm', 'del-cli', 'del', 'mkdirp', 'mkdir', 'echo', 'shx', 'true', 'cpy', 'cp', 'copyfiles', 'trash']);
const CHECK_SCRIPT = /^(lint|format|fmt|prettier|eslint|typecheck|type-check|check-types|types|tsc|tsd|style|check)([:-]|$)/;
const BUILD_SCRIPT = /^(build|compile|prepare|bundle|dist|pretest:build)([:-]|$)/;

/** Shell words and operators of a script line; anything that needs a real shell throws Unsupported. */
export function shellWords(text: string): Array<{ word: string } | { op: '&&' | ';' }> {
  const out: Array<{ word: string } | { op: '&&' | ';' }> = [];
  let current = '';
  let started = false;
  let quote: '"' | "'" | undefined;
  const flush = (): void => {
    if (started) out.push({ word: current });
    current = '';
    started = false;
  };
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quote) {
      if (char === quote) quote = undefined;
      else if (quote === '"' && (char === '$' || char === '`')) throw new Unsupported(`"${char}" inside quotes needs a shell`);
      else if (char === '\\' && quote === '"' && /["\\$`]/.test(text[i + 1] ?? '')) current += text[++i];
      else current += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      started = true;
    } else if (char === '\\' && i + 1 < text.length) {
      current += text[++i];
      started = true;
    } else if (/\s/.test(char)) flush();
    else if (char === '&' && text[i + 1] === '&') {
      flush();
      out.push({ op: '&&' });
      i++;
    } else if (char === ';') {
      flush();
      out.push({ op: ';' });
    } else if (/[|&<>`$()]/.test(char)) {
      throw new Unsupported(`"${char === '|' && text[i + 1] === '|' ? '||' : char}" needs a shell`);
    } else {
      current += char;
      started = true;
    }
  }
  if (quote) throw new Unsupported(`an unclosed ${quote} quote`);
  flush();
  return out;
}

/** Splits a script line into steps, each with its leading `NAME=value` assignments and `cross-env` taken off. */
export function splitSteps(text: string, script: string): ScriptStep[] {
  const steps: ScriptStep[] = [];
  let words: string[] = [];
  const parts = shellWords(text);
  const end = (): void => {
    if (!words.length) return;
    steps.push(stepOf(words, script));
    words = [];
  };
  for (const part of parts) {
    if ('op' in part) end();
    else words.push(part.word);
  }
  end();
  return steps;
}

function stepOf(words: string[], script: string): ScriptStep {
  const env: Record<string, string> = {};
  let i = 0;
  for (;;) {
    const assignment = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(words[i] ?? '');
    if (assignment) {
      env[assignment[1]!] = assignment[2]!;
      i++;
    } else if (words[i] === 'cross-env') i++;
    else if (words[i] === 'cross-env-shell') throw new Unsupported('cross-env-shell runs a shell');
    else break;
  }
  const argv = words.slice(i);
  return { text: words.join(' '), argv, env, script };
}

/** A word as a shell would need it quoted, for appending `npm run x -- args` to a script's text. */
function quote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Script names an `npm-run-all` / `run-s` pattern stands for (`test:*`, `test:**`), in declaration order. */
function matchScripts(pattern: string, scripts: Record<string, string>): string[] {
  if (!/[*?]/.test(pattern)) return [pattern];
  const regex = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*\*/g, '\0')
      .replace(/\*/g, '[^:]*')
      .replace(/\0/g, '.*')
      .replace(/\?/g, '[^:]')}$`,
  );
  return Object.keys(scripts).filter((name) => regex.test(name));
}

/** What a step delegates to: other scripts (with arguments appended), or undefined when it runs a program itself. */
function delegation(argv: string[], manager: PackageManager, scripts: Record<string, string>): Array<{ name: string; extra: string[] }> | undefined {
  const [program, ...rest] = argv;
  const withExtra = (name: string, after: string[]): Array<{ name: string; extra: string[] }> => {
    const dash = after.indexOf('--');
    const extra = dash >= 0 ? after.slice(dash + 1) : manager === 'npm' ? [] : after;
    if (dash < 0 && manager === 'npm' && after.length) throw new Unsupported(`"npm run ${name} ${after.join(' ')}" gives npm options`);
    return [{ name, extra }];
  };
  if (program === 'npm' || program === 'pnpm' || program === 'yarn' || program === 'bun') {
    if (
      rest.some(
        (word) => /^(-r|--recursive|--filter|-F|--workspaces?|-w|--if-present)$/.test(word) || word.startsWith('--filter=') || word.startsWith('--workspace='),
      )
    ) {
      throw new Unsupported(`"${argv.join(' ')}" runs scripts of other packages`);
    }
    if (rest[0] === 'test' || rest[0] === 't' || rest[0] === 'tst') return withExtra('test', rest.slice(1));
    if (rest[0] === 'run' || rest[0] === 'run-script') {
      if (!rest[1] || rest[1].startsWith('-')) throw new Unsupported(`"${argv.join(' ')}" is not a plain script run`);
      return withExtra(rest[1], rest.slice(2));
    }
    if ((program === 'yarn' || program === 'pnpm') && rest[0] && rest[0] in scripts) return withExtra(rest[0], rest.slice(1));
    return undefined;
  }
  if (program === 'npm-run-all' || program === 'npm-run-all2' || program === 'run-s' || program === 'run-p') {
    const names: string[] = [];
    for (const word of rest) {
      if (
        /^(-s|-p|--serial|--sequential|--parallel|-l|--print-label|-n|--print-name|--silent|-c|--continue-on-error|--aggregate-output|--npm-path)$/.test(word)
      )
        continue;
      if (word.startsWith('-')) throw new Unsupported(`"${program} ${word}" is an option Baton does not follow`);
      names.push(...matchScripts(word, scripts));
    }
    return names.map((name) => ({ name, extra: [] }));
  }
  return undefined;
}

/** The step, with what only wraps the real command (npx, pnpm exec, nyc, c8) taken off; notes say what. */
function unwrap(step: ScriptStep, notes: string[]): string[] {
  let argv = step.argv;
  for (;;) {
    const [program, ...rest] = argv;
    if (program === 'npx' || program === 'bunx' || program === 'pnpx') {
      let i = 0;
      while (rest[i] && /^(-y|--yes|--no-install|--no|-q|--quiet|--prefer-offline)$/.test(rest[i]!)) i++;
      if (rest[i]?.startsWith('-')) throw new Unsupported(`"${argv.join(' ')}" gives npx options`);
      argv = rest.slice(i);
    } else if ((program === 'pnpm' || program === 'yarn') && rest[0] === 'exec') argv = rest.slice(1);
    // `pnpm vitest run`, `yarn jest`: both run a package's bin by its name when no script has it.
    else if ((program === 'pnpm' || program === 'yarn') && rest[0] !== undefined && rest[0] in RUNNER_WORDS) argv = rest;
    else if (program === 'nyc' || program === 'c8') {
      // Coverage wrappers: the tests are the same without them. Their options come first.
      const at = rest.findIndex((word) => word in RUNNER_WORDS || word === 'node');
      if (at < 0) throw new Unsupported(`"${program}" wraps a command Baton does not know`);
      notes.push(`the coverage wrapper "${[program, ...rest.slice(0, at)].join(' ')}" is not run`);
      argv = rest.slice(at);
    } else return argv;
  }
}

function kindOf(argv: string[]): StepKind | undefined {
  const [program, ...rest] = argv;
  if (!program) return 'housekeeping';
  const name = program.replace(/^.*node_modules\/\.bin\//, '');
  if (name in RUNNER_WORDS) return 'runner';
  if (name === 'node' && rest.includes('--test')) return 'runner';
  if (CHECK_TOOLS.has(name)) return 'check';
  if (name === 'tsc' || name === 'vue-tsc') return rest.some((word) => word === '--noEmit' || word === '--noemit') ? 'check' : 'build';
  if (name === 'vite' && rest[0] === 'build') return 'build';
  if (BUILD_TOOLS.has(name)) return 'build';
  if (HOUSEKEEPING.has(name)) return 'housekeeping';
  if (name === 'node' && rest[0] && /(^|\/)build[^/]*\.[cm]?js$/.test(rest[0])) return 'build';
  return undefined;
}

interface Walk {
  runners: Array<{ step: ScriptStep; argv: string[] }>;
  before: ScriptStep[];
  skipped: string[];
  notes: string[];
}

/** The plan for `scripts.test` of a package: its runner step, or why the script must run whole. */
export function planTestScript(scripts: Record<string, string>, manager: PackageManager): TestScriptPlan | WholeScriptPlan {
  const walk: Walk = { runners: [], before: [], skipped: [], notes: [] };
  try {
    visitScript('test', [], {}, scripts, manager, walk, new Set());
  } catch (error) {
    if (error instanceof Unsupported) return { kind: 'script', reason: `scripts.test ${error.message}` };
    throw error;
  }
  if (walk.runners.length === 0) return { kind: 'script', reason: 'scripts.test runs no test runner Baton knows (vitest, jest, mocha, node --test)' };
  if (walk.runners.length > 1) {
    return { kind: 'script', reason: `scripts.test runs ${walk.runners.length} test commands (${walk.runners.map((r) => `"${r.step.text}"`).join(', ')})` };
  }
  const [runner] = walk.runners;
  const name = runner!.argv[0]!.replace(/^.*node_modules\/\.bin\//, '');
  return {
    kind: 'runner',
    runner: RUNNER_WORDS[name] ?? 'node',
    step: runner!.step,
    args: runner!.argv.slice(1),
    before: walk.before,
    skipped: walk.skipped,
    notes: walk.notes,
  };
}

function visitScript(
  name: string,
  extra: string[],
  env: Record<string, string>,
  scripts: Record<string, string>,
  manager: PackageManager,
  walk: Walk,
  seen: Set<string>,
): void {
  const text = scripts[name];
  if (text === undefined) throw new Unsupported(`runs the script "${name}", which package.json does not have`);
  if (seen.has(name)) throw new Unsupported(`runs the script "${name}" recursively`);
  seen = new Set(seen).add(name);
  // npm runs preX and postX around X; pnpm (7+), yarn 2+ and bun do not.
  const pre = manager === 'npm' && scripts[`pre${name}`] !== undefined ? `pre${name}` : undefined;
  const post = manager === 'npm' && scripts[`post${name}`] !== undefined ? `post${name}` : undefined;
  if (pre) visitNamed(pre, [], env, scripts, manager, walk, seen);
  const line = extra.length ? `${text} ${extra.map(quote).join(' ')}` : text;
  // Variables set before `npm run x` reach every step of x.
  for (const step of splitSteps(line, name)) visitStep({ ...step, env: { ...env, ...step.env } }, scripts, manager, walk, seen);
  if (post) visitNamed(post, [], env, scripts, manager, walk, seen);
}

/** A delegated script as one unit: classified by its name when that says lint or build, else walked. */
function visitNamed(
  name: string,
  extra: string[],
  env: Record<string, string>,
  scripts: Record<string, string>,
  manager: PackageManager,
  walk: Walk,
  seen: Set<string>,
): void {
  const label = `${manager} run ${name}${extra.length ? ` -- ${extra.map(quote).join(' ')}` : ''}`;
  if (CHECK_SCRIPT.test(name)) {
    walk.skipped.push(label);
    return;
  }
  if (BUILD_SCRIPT.test(name)) {
    const step: ScriptStep = { text: label, argv: [manager, 'run', name, ...(extra.length ? ['--', ...extra] : [])], env, script: name };
    if (walk.runners.length) walk.skipped.push(label);
    else walk.before.push(step);
    return;
  }
  visitScript(name, extra, env, scripts, manager, walk, seen);
}

function visitStep(step: ScriptStep, scripts: Record<string, string>, manager: PackageManager, walk: Walk, seen: Set<string>): void {
  const delegated = delegation(step.argv, manager, scripts);
  if (delegated) {
    for (const { name, extra } of delegated) visitNamed(name, extra, step.env, scripts, manager, walk, seen);
    return;
  }
  const notes: string[] = [];
  const argv = unwrap(step, notes);
  const kind = kindOf(argv);
  if (kind === undefined) throw new Unsupported(`runs "${step.text}", which Baton does not know`);
  if (kind === 'runner') {
    walk.runners.push({ step, argv });
    walk.notes.push(...notes);
  } else if (kind === 'build' && !walk.runners.length) walk.before.push({ ...step, argv });
  else walk.skipped.push(step.text);
}
