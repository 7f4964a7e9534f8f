// run-tests on the real projects of the run-tests corpus (test/corpus/projects.ts): each
// project's own test command, as a shell runs it, and Baton's run-tests (an MCP tools/call on a
// warm server), interleaved in one run after one warm-up of each. Target: Baton adds under 10 %.
// The counts are the corpus test's to check (npm run test:corpus); here they are shown beside
// the times. A project whose own run takes over 20 s (zod) is measured only with
// BENCH_CORPUS_ALL=1.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { BATON_CLI, median, ms, report, ROOT, StdioRpc } from './lib.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const SLOW_MS = 20_000;
const RUN_ENV = { CI: 'true', NO_COLOR: '1', FORCE_COLOR: '0', GOPROXY: 'off', GOFLAGS: '-mod=mod' };

/**
 * The corpus is TypeScript; it is bundled here, two folders below the root like its source, so
 * the paths it finds from its own location (Baton's node_modules, bench/) stay right. With it
 * come the writer of Baton's mocha reporter, which Baton's command names and which a direct run
 * needs in its own report folder, and Baton's script splitter, for the variables a script sets.
 */
async function loadCorpus() {
  const outfile = join(ROOT, 'bench', '.build', 'projects.mjs');
  await build({
    stdin: {
      contents: `export * from './projects.ts';\nexport { writeMochaReporter } from '../../src/tools/run-tests/runners/mocha-reporter.ts';\nexport { splitSteps } from '../../src/core/test-script.ts';\n`,
      resolveDir: join(ROOT, 'test', 'corpus'),
      loader: 'ts',
    },
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    external: ['../../bench/*'],
    logLevel: 'warning',
  });
  return import(pathToFileURL(outfile).href);
}

export async function run() {
  const { CORPUS, hasProgram, writeMochaReporter, splitSteps } = await loadCorpus();
  const state = mkdtempSync(join(tmpdir(), 'baton-bench-corpus-'));
  const reports = mkdtempSync(join(tmpdir(), 'baton-bench-reports-'));
  await writeMochaReporter(reports);
  const rows = [];
  const all = process.env.BENCH_CORPUS_ALL === '1';
  try {
    for (const project of CORPUS) {
      const row = [project.name, project.runner, project.own];
      if (project.needs && !hasProgram(project.needs)) {
        rows.push([...row, `skipped: ${project.needs} is not installed`, '', '', '', '', '', '', '']);
        continue;
      }
      const root = project.prepare();
      const cwd = join(root, project.path);
      const env = { ...process.env, ...RUN_ENV, PATH: `${join(cwd, 'node_modules', '.bin')}:${join(root, 'node_modules', '.bin')}:${process.env.PATH}` };
      // Baton runs its command with the variables the script sets before it (NODE_OPTIONS=…).
      const stepEnv = { ...env, ...splitSteps(project.own, 'test')[0].env };
      const timed = (file, args, withEnv = env) => {
        const started = performance.now();
        spawnSync(file, args, { cwd, env: withEnv, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 });
        return performance.now() - started;
      };
      const own = () => timed('sh', ['-c', project.own]);
      const rpc = new StdioRpc(process.execPath, [BATON_CLI, '--root', root, '--state-dir', state], RUN_ENV);
      try {
        await rpc.initialize();
        const baton = async () => {
          const started = performance.now();
          const reply = (await rpc.request('tools/call', { name: 'run-tests', arguments: { waitSec: 600, ...(project.path ? { path: project.path } : {}) } }))
            .message.result;
          const elapsed = performance.now() - started;
          // Some projects fail as published (zod's tests import packages it does not list): the
          // same in both, so compared all the same.
          if (reply.isError || !['passed', 'failed'].includes(reply.structuredContent.status))
            throw new Error(`${project.name} via Baton: ${reply.content[0].text.slice(0, 800)}`);
          return { elapsed, result: reply.structuredContent };
        };
        // Warm-up: builds (cargo, go), caches, the server's first call.
        const first = own();
        if (first > SLOW_MS && !all) {
          rows.push([...row, `skipped: ${(first / 1000).toFixed(0)} s a run (BENCH_CORPUS_ALL=1 measures it)`, '', '', '', '', '', '', '']);
          continue;
        }
        let last = await baton();
        // Baton's command run directly: what the reporter Baton asks for costs the runner itself.
        const [file, ...args] = last.result.command.map((word) => word.replace(/\/tmp\/baton-run-tests-[^/]+\//, `${reports}/`));
        // A direct run that fails where Baton's did not (a file it names is missing) measures nothing.
        const check = spawnSync(file, args, { cwd, env: stepEnv, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 });
        if (check.status !== last.result.exitCode) {
          throw new Error(
            `${project.name}: Baton's command run directly exited ${check.status}, under Baton ${last.result.exitCode}: ${check.stderr.toString().slice(0, 800)}`,
          );
        }
        const owns = [];
        const directs = [];
        const batons = [];
        for (let i = 0; i < RUNS; i++) {
          owns.push(own());
          directs.push(timed(file, args, stepEnv));
          last = await baton();
          batons.push(last.elapsed);
        }
        const { total, passed, failed, skipped } = last.result.summary;
        const command = last.result.command
          .map((word, i) => (i === 0 ? word.replace(/^.*\//, '') : word.replace(/\/tmp\/baton-run-tests-[^/]+\//, '$TMP/')))
          .join(' ');
        const o = median(owns);
        const d = median(directs);
        const b = median(batons);
        const percent = (value, base) => `${(((value - base) / base) * 100).toFixed(1)} %`;
        rows.push([...row, command, `${total}/${passed}/${failed}/${skipped}`, ms(o), ms(d), ms(b), percent(b, o), percent(b, d), '10 %']);
      } finally {
        await rpc.close();
      }
    }
  } finally {
    rmSync(state, { recursive: true, force: true });
    rmSync(reports, { recursive: true, force: true });
  }
  report(
    'run-tests-corpus',
    [
      'project',
      'runner',
      "project's command",
      "Baton's command",
      'total/passed/failed/skipped',
      'own command',
      "Baton's command, directly",
      'Baton',
      'overhead on own',
      "overhead on Baton's command",
      'target',
    ],
    rows,
    { runs: RUNS },
  );
}
