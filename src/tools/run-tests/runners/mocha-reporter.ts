import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * mocha takes one reporter, and Baton needs two things from a run: mocha's JSON report (the
 * results) and a line per test as it ends (progress, and an output a person can read). This
 * reporter is mocha's own JSON reporter, found in the mocha that loaded it, so the report is the
 * one `--reporter json` writes, field for field; beside it, it writes to stderr:
 *
 *     mocha ▸ test/hash-test.js           when a file's suites start
 *       ✓ Hash function should work       per test: ✓ passed, ✗ failed (or a hook), - pending
 *       12 passing (31ms)                 at the end, as mocha's spec reporter says it
 *
 * stderr, because a mocha before 9 writes the JSON to stdout: its JSON reporter has no `output`
 * option. For those, the reporter writes the report file itself from what the JSON reporter
 * left on the runner (`runner.testResults`, there since mocha 3), so Baton reads the same file
 * from every mocha.
 *
 * mocha loads reporters with require(), so this is CommonJS, written into the run's report
 * folder (private to the run) by `writeMochaReporter`.
 */
const SOURCE = String.raw`'use strict';
const { existsSync, writeFileSync } = require('node:fs');
const { relative, sep } = require('node:path');

// The JSON reporter of the mocha running this runner: require.cache holds every built-in reporter
// of a loaded mocha, beside the lib/runner.js whose Runner made this runner.
function jsonReporterFor(runner) {
  const suffix = sep + 'reporters' + sep + 'json.js';
  for (const [file, loaded] of Object.entries(require.cache)) {
    if (!file.endsWith(suffix)) continue;
    const runnerModule = require.cache[file.slice(0, -suffix.length) + sep + 'runner.js'];
    if (runnerModule && typeof runnerModule.exports === 'function' && runner instanceof runnerModule.exports) return loaded.exports;
  }
  return require(require.resolve('mocha/lib/reporters/json.js', { paths: [process.cwd()] }));
}

module.exports = function BatonMochaReporter(runner, options) {
  const counts = { passing: 0, pending: 0, failing: 0 };
  const started = Date.now();
  let currentFile;
  // Lines go out in batches, five times a second: a write per test costs a fast suite a few
  // per cent (bench/run-tests.mjs), and Baton reads the output only twice a second.
  let pending = '';
  const flush = () => {
    if (pending) process.stderr.write(pending);
    pending = '';
  };
  const say = (text) => {
    pending += text + '\n';
    if (pending.length > 65536) flush();
  };
  const timer = setInterval(flush, 200);
  timer.unref();
  process.once('exit', flush);
  // A file's suites start before its tests; under --parallel only its tests say the file.
  const enter = (file) => {
    if (!file || file === currentFile) return;
    currentFile = file;
    say('mocha \u25b8 ' + relative(process.cwd(), file));
  };
  runner.on('suite', (suite) => enter(suite.file));
  const ended = (symbol, count) => (test) => {
    enter(test.file);
    counts[count]++;
    say('  ' + symbol + ' ' + test.fullTitle());
  };
  runner.on('pass', ended('\u2713', 'passing'));
  runner.on('fail', ended('\u2717', 'failing'));
  runner.on('pending', ended('-', 'pending'));
  // Before the JSON reporter's: the lines are out before an old mocha prints its JSON to stdout.
  runner.once('end', () => {
    say('');
    say('  ' + counts.passing + ' passing (' + (Date.now() - started) + 'ms)');
    if (counts.pending) say('  ' + counts.pending + ' pending');
    if (counts.failing) say('  ' + counts.failing + ' failing');
    clearInterval(timer);
    flush();
  });
  const JSONReporter = jsonReporterFor(runner);
  const report = new JSONReporter(runner, options);
  // After the JSON reporter's (listeners run in order, and it writes synchronously): the file
  // it was asked for, if it could not write one.
  const output = ((options && (options.reporterOption || options.reporterOptions)) || {}).output;
  runner.once('end', () => {
    if (!output || !runner.testResults || existsSync(output)) return;
    try {
      writeFileSync(output, JSON.stringify(runner.testResults));
    } catch (error) {
      process.stderr.write('baton: could not write the mocha report ' + output + ': ' + error.message + '\n');
    }
  });
  // mocha waits for the reporter's done(), which the JSON reporter may define.
  return report;
};
`;

/** Writes the reporter into `dir` (the run's own report folder) and returns its path for `--reporter`. */
export async function writeMochaReporter(dir: string): Promise<string> {
  const file = join(dir, 'baton-mocha-reporter.cjs');
  await writeFile(file, SOURCE, { mode: 0o600 });
  return file;
}

/** Reads one line the reporter wrote: a file starting, or a test that ended. */
export function mochaProgress(line: string): { finished?: number; file?: string } | undefined {
  const file = /^mocha \u25b8 (.+)$/.exec(line);
  if (file) return { file: file[1]! };
  return /^ {2}[\u2713\u2717-] /.test(line) ? { finished: 1 } : undefined;
}
