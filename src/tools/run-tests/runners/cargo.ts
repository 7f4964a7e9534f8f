import { parseCargoTest } from '../parse/cargo-text.js';
import { refuseOptionLike, type Runner } from './runner.js';

export const cargo: Runner = {
  id: 'cargo',
  async invocation(request) {
    // TESTNAME is a positional of cargo's own parser, which would take `--config=…` as cargo's
    // option (build.rustc-wrapper runs a program). After "--" the test binary's parser would read
    // it as one of its options instead (--logfile writes a file), so a leading "-" is refused.
    const filter = request.only?.length || !request.testNamePattern ? [] : [refuseOptionLike(request.testNamePattern, 'cargo', 'tests::adds')];
    const only = request.only ?? [];
    // --exact matches the whole test path in every test binary; the same path in two binaries
    // (tests/a.rs and tests/b.rs both with `test_eq`) is told apart by the target: --test a,
    // --doc. A unit test's binary (lib or a bin) is not in the output, so with one all run.
    const targets =
      only.length && only.every((test) => targetOf(test) !== undefined)
        ? [...new Set(only.map((test) => targetOf(test)!.join('\0')))].flatMap((target) => target.split('\0'))
        : [];
    const exact = only.length ? ['--', '--exact', ...new Set(only.map((test) => test.id ?? test.name))] : [];
    return {
      file: 'cargo',
      args: ['test', '--no-fail-fast', '--color', 'never', ...targets, ...filter, ...exact],
      cwd: request.dir,
      env: { CARGO_TERM_COLOR: 'never' },
    };
  },
  parse: (report, output) => ({ ...parseCargoTest(output), source: 'text' }),
  progress(line) {
    if (/^test \S+ \.\.\. (ok|FAILED|ignored)/.test(line)) return { finished: 1 };
    // cargo names each test binary as it starts it: `Running tests/t0.rs (target/…)`, `Doc-tests name`.
    const binary = /^\s+(?:Running (?:unittests )?(\S+)|Doc-tests (\S+))/.exec(line);
    return binary ? { file: binary[1] ?? `the doc tests of ${binary[2]}` } : undefined;
  },
};

/** The cargo target selector of a failed test: `--test name` for tests/name.rs, `--doc` for a doc test. */
function targetOf(test: { name: string; file?: string | undefined }): string[] | undefined {
  if (/ - .*\(line \d+\)$/.test(test.name)) return ['--doc'];
  const integration = test.file ? /(?:^|\/)tests\/([^/]+)\.rs$/.exec(test.file) : null;
  return integration ? ['--test', integration[1]!] : undefined;
}
