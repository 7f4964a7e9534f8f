import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { parseJunit } from '../parse/junit.js';
import { fromReport } from './outcome.js';
import { pathArg, refuseOptionLike, type RunRequest, type Runner } from './runner.js';

/** The project's virtualenv python when it has one, else python3 from PATH. */
async function python(request: RunRequest): Promise<string> {
  for (const dir of new Set([request.dir, request.root])) {
    for (const venv of ['.venv', 'venv']) {
      const candidate = join(dir, venv, 'bin', 'python');
      if (
        await access(candidate).then(
          () => true,
          () => false,
        )
      )
        return candidate;
    }
  }
  return 'python3';
}

export const pytest: Runner = {
  id: 'pytest',
  async invocation(request) {
    const reportFile = join(request.reportDir, 'pytest.xml');
    // ./ paths and no "--": pytest loads `-p<name>` plugins from anywhere in argv, "--" or not.
    const targets = (request.only?.length ? request.only.map((test) => test.id ?? test.name) : request.files).map(pathArg);
    // -k takes the next element, which argparse (and pytest's -p pre-scan) would read as an option if it began with "-".
    const expression =
      request.testNamePattern && !request.only?.length ? refuseOptionLike(request.testNamePattern, 'pytest', '"adds and not slow"') : undefined;
    return {
      file: await python(request),
      args: [
        '-m',
        'pytest',
        `--junitxml=${reportFile}`,
        '-o',
        'junit_family=xunit1',
        '-p',
        'no:cacheprovider', // no .pytest_cache written into the repository
        // No -v: the report has every test, and a line per test costs pytest time (bench/run-tests.mjs).
        '--color=no',
        ...(expression ? ['-k', expression] : []),
        ...targets,
      ],
      cwd: request.dir,
      env: { PYTHONDONTWRITEBYTECODE: '1' },
      reportFile,
    };
  },
  parse: (report, output, request) => fromReport(report, output, 'junit', (text) => parseJunit(text, { root: request.root })),
  progress(line) {
    // pytest's default progress: a file, then one character per test (wrapped past 80 columns),
    // then the percentage done: `tests/test_a.py ..F.s   [ 12%]`.
    const done = /^(?:(\S+\.py) )?([.FEsxX]+)\s*(?:\[\s*\d+%\])?$/.exec(line);
    return done ? { finished: done[2]!.length, ...(done[1] ? { file: done[1] } : {}) } : undefined;
  },
};
