import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../config.js';
import { budgetOf, countTokens, fitTail } from '../../core/budget.js';
import { UserError } from '../../core/errors.js';
import type { ToolContext } from '../../core/context.js';
import { answerJob, type JobContext, type RunningJob } from '../../core/jobs.js';
import { runProcess } from '../../core/process.js';
import { detectTestRunners, packageManagerOf, type RunnerId, testScriptPlan } from '../../core/project.js';
import type { ScriptStep } from '../../core/test-script.js';
import { readJson, readStateFile, writeFileAtomic } from '../../core/state.js';
import type { Workspace } from '../../core/workspace.js';
import { splitArgv } from './argv.js';
import { fromReport } from './runners/outcome.js';
import { RUNNERS } from './runners/index.js';
import { localBin, type Invocation, type RunRequest, type Runner, type RunnerOutcome } from './runners/runner.js';
import { throttled } from '../../core/progress.js';
import { countCases } from './parse/excerpt.js';
import { renderFailures } from './render.js';
import type { RunTestsInput, RunTestsOutput } from './schema.js';
import type { TestCase } from './types.js';

export type RunTestsContext = Pick<ToolContext, 'workspace' | 'state' | 'jobs' | 'config' | 'log' | 'signal' | 'progress'>;

/** A run that is ready to start: what runs, where, and how its results are read. */
interface Plan {
  runner: Runner | undefined;
  runnerName: string;
  request: RunRequest;
  invocation: Invocation;
  parse: (report: string | undefined, output: string) => RunnerOutcome;
  /** Steps of the project's test script that build what the tests load: run first, in order. */
  before: Array<{ text: string; file: string; args: string[]; env: Record<string, string> }>;
  /** Steps of the project's test script not run (lint, typecheck, …). */
  skippedSteps: string[];
  /** What the result should say about how the project's script was read. */
  notes: string[];
}

interface LastFailures {
  runner: string;
  path: string;
  failures: TestCase[];
}

/** What the job manager keeps about a run while it runs, for the "running" answer. */
interface RunMeta {
  runner: string;
  command: string[];
}

/**
 * run-tests: detect the runner, run it as a job with a machine-readable reporter, and return
 * structured results. The call waits `waitSec`; a longer run answers `running` with its jobId.
 */
export async function runTests(input: RunTestsInput, context: RunTestsContext): Promise<RunTestsOutput> {
  if (input.jobId) return waitForJob(input.jobId, input, context);
  if (input.cancel) throw new UserError('cancel needs the jobId of the run to cancel');

  const plan = await planRun(input, context);
  if ('status' in plan) return plan;
  const command = [plan.invocation.file, ...plan.invocation.args];
  const meta: RunMeta = { runner: plan.runnerName, command };
  const jobId = context.jobs.start('run-tests', (job) => execute(plan, input, context, job), { meta: { ...meta }, log: context.log });
  return waitForJob(jobId, input, context);
}

function waitForJob(jobId: string, input: RunTestsInput, context: RunTestsContext): Promise<RunTestsOutput> {
  return answerJob(context.jobs, jobId, { ...input, signal: context.signal, progress: context.progress }, runningOutput);
}

function runningOutput({ jobId, meta, lastMessage, elapsedMs }: RunningJob): RunTestsOutput {
  const known = meta as Partial<RunMeta>;
  return {
    status: 'running',
    jobId,
    runner: known.runner ?? 'unknown',
    command: known.command ?? [],
    exitCode: null,
    durationMs: elapsedMs,
    summary: { total: 0, passed: 0, failed: 0, skipped: 0 },
    failures: [],
    output: lastMessage,
    reportSource: 'text',
    note: `still running; call run-tests with {"jobId": "${jobId}"} to wait for the result, or add "cancel": true to stop it`,
  };
}

async function planRun(input: RunTestsInput, context: RunTestsContext): Promise<Plan | RunTestsOutput> {
  const { workspace } = context;
  const last = input.onlyFailed ? await lastFailures(context) : undefined;
  if (input.onlyFailed && (!last?.failures.length || !(last.runner in RUNNERS))) {
    throw new UserError('no failures of a detected runner are recorded from an earlier run in this workspace', 'Run the tests once without onlyFailed first');
  }
  if (input.command !== undefined && input.onlyFailed) throw new UserError('onlyFailed cannot be combined with command', 'Drop one of them');
  const dir = await workspace.resolve(input.path ?? last?.path ?? '');
  const rel = workspace.relative(dir);
  const files = await Promise.all((input.files ?? []).map((file) => testFile(workspace, dir, file)));
  const argv = input.command === undefined ? undefined : allowedCommand(input.command, context.config);
  const runnerId = last ? (last.runner as RunnerId) : input.runner === 'auto' ? (await detectTestRunners(workspace.root, rel))[0]?.runner : input.runner;
  if (!argv && !runnerId) {
    return noTests(
      'no test runner found. Looked for: package.json test script or vitest/jest/mocha in its dependencies, ' +
        'pytest.ini, pyproject.toml [tool.pytest.ini_options], setup.cfg [tool:pytest], tox.ini [pytest], conftest.py, go.mod, Cargo.toml' +
        (rel ? ` in ${rel}` : ' at the root') +
        '. Pass runner (or path for a package in a monorepo)',
    );
  }

  const packageManager = await packageManagerOf(workspace.root, rel);
  // The project's own test script: the runner invocation in it, with its arguments, or the
  // reason it can only run whole. Only for the runner the script itself runs.
  const script = argv ? undefined : await testScriptPlan(workspace.root, rel);
  let chosen = runnerId;
  const notes: string[] = [];
  if (script?.kind === 'script' && input.runner === 'auto' && !last) {
    chosen = 'npm-script';
    notes.push(`${script.reason}, so Baton runs the whole script as npm-script and reads its text output`);
  }
  const fromScript = script?.kind === 'runner' && script.runner === chosen ? script : undefined;
  const request: RunRequest = {
    root: workspace.root,
    dir,
    files,
    ...(input.testNamePattern ? { testNamePattern: input.testNamePattern } : {}),
    ...(last ? { only: last.failures } : {}),
    reportDir: await mkdtemp(join(tmpdir(), 'baton-run-tests-')),
    packageManager,
    ...(fromScript ? { project: { args: fromScript.args, env: fromScript.step.env } } : {}),
  };
  if (argv) {
    return {
      runner: undefined,
      runnerName: 'command',
      request,
      invocation: { file: argv[0]!, args: argv.slice(1), cwd: dir },
      parse: (report, output) => fromReport(undefined, output, 'text', () => undefined),
      before: [],
      skippedSteps: [],
      notes,
    };
  }
  const runner = RUNNERS[chosen!];
  try {
    const invocation = await runner.invocation(request);
    if (fromScript) {
      notes.push(...fromScript.notes);
      if (invocation.replaced?.length) notes.push(`the script's ${invocation.replaced.map((r) => `"${r}"`).join(', ')} replaced by Baton's reporter`);
      if (fromScript.before.length)
        notes.push(`ran the script's build step${fromScript.before.length > 1 ? 's' : ''} first: ${fromScript.before.map((step) => step.text).join('; ')}`);
      if (fromScript.skipped.length) notes.push(`not run: ${fromScript.skipped.join('; ')} (runner "npm-script" runs the whole test script)`);
    }
    const before = fromScript ? await Promise.all(fromScript.before.map((step) => beforeStep(request, step))) : [];
    return {
      runner,
      runnerName: runner.id,
      request,
      invocation,
      parse: (report, output) => runner.parse(report, output, request),
      before,
      skippedSteps: fromScript?.skipped ?? [],
      notes,
    };
  } catch (error) {
    await rm(request.reportDir, { recursive: true, force: true });
    throw error;
  }
}

/** A build step as argv: `npm run build` through the package manager, a tool from the package's node_modules/.bin. */
async function beforeStep(request: RunRequest, step: ScriptStep): Promise<Plan['before'][number]> {
  const [program, ...args] = step.argv;
  const file = program === request.packageManager ? program : ((await localBin(request, program!)) ?? program!);
  return { text: step.text, file, args, env: step.env };
}

/**
 * A `files` entry as the runner gets it: relative to the tested package, inside the root (no
 * `..`, absolute path or symlink leading out) and existing. Requiring that it exists keeps
 * option-looking values (`--require=…`) out; the runners also pass files in a form no parser
 * takes for an option, since a file can be named like one.
 */
async function testFile(workspace: Workspace, dir: string, given: string): Promise<string> {
  const absolute = await workspace.resolve(given);
  if (
    !(await stat(absolute).then(
      () => true,
      () => false,
    ))
  ) {
    throw new UserError(`file "${given}" does not exist`, 'Pass test files or folders that exist, relative to the workspace root');
  }
  return relativeTo(dir, absolute, given);
}

function relativeTo(dir: string, absolute: string, given: string): string {
  if (absolute !== dir && !absolute.startsWith(dir + '/')) throw new UserError(`file "${given}" is not inside the tested package`, 'Pass files inside path');
  return absolute.slice(dir.length + 1) || '.';
}

function allowedCommand(command: string, config: Config): string[] {
  const argv = splitArgv(command);
  if (!argv.length) throw new UserError('command is empty');
  const allowed = config.runTests.allowCommands.some((prefix) => {
    const words = splitArgv(prefix);
    return words.length > 0 && words.every((word, i) => argv[i] === word);
  });
  if (!allowed) {
    throw new UserError(
      `command "${command}" is not allowed`,
      `Add its prefix to runTests.allowCommands in the Baton config file (e.g. "${argv.slice(0, 2).join(' ')}"), or omit command to let Baton detect the runner`,
    );
  }
  return argv;
}

function noTests(note: string): RunTestsOutput {
  return { ...emptyOutput('no-tests', 'none'), note };
}

/** A result with nothing run or nothing reported. */
function emptyOutput(status: RunTestsOutput['status'], runner: string): RunTestsOutput {
  return {
    status,
    runner,
    command: [],
    exitCode: null,
    durationMs: 0,
    summary: { total: 0, passed: 0, failed: 0, skipped: 0 },
    failures: [],
    output: '',
    reportSource: 'text',
  };
}

/** Runs the plan to the end (or the timeout, or a cancel) and turns what came out into the result. */
async function execute(plan: Plan, input: RunTestsInput, context: RunTestsContext, job: JobContext): Promise<RunTestsOutput> {
  // The runner writes its output straight into the run's log file (see RunOptions.outputFile).
  const logFile = context.state.path('run-tests', `${job.jobId}.log`);
  await mkdir(context.state.path('run-tests'), { recursive: true });
  let finished = 0;
  let currentFile: string | undefined;
  let progressQueued = false;
  const progress = throttled((message) => job.progress(message));
  job.progress(`started ${plan.runnerName}`);
  const started = performance.now();
  try {
    const maxLogMB = context.config.runTests.maxLogMB;
    const common = { passEnv: context.config.env.pass, signal: job.signal, outputFile: logFile, maxOutputFileBytes: maxLogMB * 1_000_000 };
    for (const step of plan.before) {
      job.progress(`running the script's build step: ${step.text}`);
      const remaining = input.timeoutSec * 1000 - (performance.now() - started);
      const built = await runProcess(step.file, step.args, {
        ...common,
        cwd: plan.request.dir,
        env: { ...step.env, CI: 'true' },
        timeoutMs: Math.max(1, remaining),
      });
      if (built.exitCode !== 0 || built.cancelled || built.timedOut || built.outputLimited) {
        const status = built.cancelled ? 'cancelled' : built.timedOut ? 'timeout' : 'error';
        return await shape(
          {
            ...emptyResult(status, plan),
            command: [step.file, ...step.args],
            exitCode: built.exitCode,
            durationMs: Math.round(performance.now() - started),
            output: built.output,
            logFile,
            note: [
              ...plan.notes,
              `the script's build step "${step.text}" ${built.outputLimited ? outputLimitNote(maxLogMB) : status === 'error' ? `failed (exit ${built.exitCode ?? built.signal})` : `ended: ${status}`}; the tests did not run`,
            ].join('; '),
          },
          input.maxTokens,
        );
      }
    }
    // Where this run's output starts in the log, after any build step's.
    const logStart = plan.before.length ? (await stat(logFile)).size : 0;
    const result = await runProcess(plan.invocation.file, plan.invocation.args, {
      ...common,
      cwd: plan.invocation.cwd,
      ...(plan.invocation.env ? { env: plan.invocation.env } : {}),
      timeoutMs: Math.max(1, input.timeoutSec * 1000 - (performance.now() - started)),
      onLine: (line) => {
        const event = plan.runner?.progress(line);
        if (!event) return;
        finished += event.finished ?? 0;
        currentFile = event.file ?? currentFile;
        // Once per read of the output, after all its lines: the message says where the run is
        // now, not where the first line of the read left it.
        if (progressQueued) return;
        progressQueued = true;
        queueMicrotask(() => {
          progressQueued = false;
          progress(`${finished} test${finished === 1 ? '' : 's'} finished${currentFile ? `; running ${currentFile}` : ''}`);
        });
      },
    });
    const report = plan.invocation.reportInOutput
      ? (await readFile(logFile)).subarray(logStart).toString('utf8')
      : plan.invocation.reportFile
        ? await readFile(plan.invocation.reportFile, 'utf8').catch(() => undefined)
        : undefined;
    const outcome = onlySelected(plan.parse(report, result.output), plan.request.only);
    const status = statusOf(result, outcome, plan.runnerName);
    if (status === 'passed' || status === 'failed') await rememberFailures(context, plan, outcome, input.path ?? '');
    return await shape(
      {
        status,
        runner: plan.runnerName,
        command: [plan.invocation.file, ...plan.invocation.args],
        exitCode: result.exitCode,
        durationMs: result.durationMs,
        summary: outcome.summary,
        failures: [
          ...outcome.errors.map((error) => ({ name: 'error outside any test', message: error.split('\n')[0] ?? error, excerpt: error })),
          ...outcome.cases
            .filter((test) => test.status === 'failed')
            .map((test) => ({
              name: test.name,
              ...(test.file ? { file: test.file } : {}),
              ...(test.line ? { line: test.line } : {}),
              message: test.message ?? 'failed',
              excerpt: test.excerpt ?? '',
            })),
        ],
        output: result.output,
        reportSource: outcome.source,
        logFile,
        ...(plan.skippedSteps.length ? { skippedSteps: plan.skippedSteps } : {}),
        ...noteFor(status, result, outcome, plan.notes, maxLogMB),
      },
      input.maxTokens,
    );
  } finally {
    await rm(plan.request.reportDir, { recursive: true, force: true });
  }
}

/**
 * onlyFailed re-runs the failed tests by name, and jest, vitest and node list the other tests of
 * the same files as skipped: those are left out of the result, which counts what was re-run.
 */
function onlySelected(outcome: RunnerOutcome, only: TestCase[] | undefined): RunnerOutcome {
  if (!only?.length) return outcome;
  const key = (test: TestCase): string => `${test.file ?? ''}\0${test.name}`;
  const wanted = new Set(only.map(key));
  const cases = outcome.cases.filter((test) => wanted.has(key(test)) || test.status === 'failed');
  const left = outcome.cases.length - cases.length;
  if (left === 0) return outcome;
  const note = `${left} other test${left === 1 ? '' : 's'} of the same files, not selected, left out`;
  return { ...outcome, cases, summary: countCases(cases), note: outcome.note ? `${outcome.note}; ${note}` : note };
}

type ProcessResult = Awaited<ReturnType<typeof runProcess>>;

function statusOf(result: ProcessResult, outcome: RunnerOutcome, runner: string): RunTestsOutput['status'] {
  if (result.cancelled) return 'cancelled';
  if (result.timedOut) return 'timeout';
  if (result.outputLimited) return 'error';
  if (outcome.summary.failed > 0 || outcome.errors.length > 0) return 'failed';
  if (outcome.summary.total === 0) {
    const nothingCollected =
      result.exitCode === 0 || (runner === 'pytest' && result.exitCode === 5) || /no tests? (files )?(found|to run)/i.test(result.output);
    return nothingCollected ? 'no-tests' : 'error';
  }
  return result.exitCode === 0 ? 'passed' : 'error';
}

function emptyResult(status: RunTestsOutput['status'], plan: Plan): RunTestsOutput {
  return { ...emptyOutput(status, plan.runnerName), ...(plan.skippedSteps.length ? { skippedSteps: plan.skippedSteps } : {}) };
}

/** Says why a run (or a build step) that wrote too much was stopped. */
const outputLimitNote = (maxLogMB: number): string =>
  `wrote more than ${maxLogMB} MB of output, so Baton stopped it (runTests.maxLogMB); the log keeps the first ${maxLogMB} MB`;

function noteFor(status: RunTestsOutput['status'], result: ProcessResult, outcome: RunnerOutcome, planNotes: string[], maxLogMB: number): { note?: string } {
  const notes: string[] = [...planNotes];
  if (outcome.note) notes.push(outcome.note);
  if (status === 'timeout') notes.push('the run hit timeoutSec and its process group was killed');
  if (result.outputLimited) notes.push(`the run ${outputLimitNote(maxLogMB)}; the counts are what it reported until then`);
  else if (status === 'error') notes.push(`the runner exited with code ${result.exitCode ?? result.signal} before reporting any test result; see the output`);
  if (status === 'no-tests') notes.push('the runner found no tests to run');
  return notes.length ? { note: notes.join('; ') } : {};
}

/** Lines of output a passed run keeps. */
const PASSED_TAIL_LINES = 30;

function lastLines(text: string, count: number): string {
  let at = text.endsWith('\n') ? text.length - 1 : text.length;
  for (let kept = 0; kept < count && at > 0; kept++) at = text.lastIndexOf('\n', at - 1);
  return at > 0 ? text.slice(at + 1) : text;
}

/** Failures and the summary always show; the output tail gets the budget that is left. */
async function shape(output: RunTestsOutput, maxTokens: number | undefined): Promise<RunTestsOutput> {
  const budget = budgetOf(maxTokens);
  let failures = output.failures.map((failure) => ({ ...failure, excerpt: failure.excerpt.split('\n').slice(0, 20).join('\n') }));
  let fixed = await countTokens(renderFailures({ ...output, failures, output: '' }));
  while (failures.length > 1 && fixed > budget * 0.75) {
    failures = failures.slice(0, Math.ceil(failures.length / 2));
    fixed = await countTokens(renderFailures({ ...output, failures, output: '' }));
  }
  // A run that passed needs no log beyond its last lines (the runner's own summary): a page of
  // "ok" lines would spend the model's context on nothing.
  const log = output.status === 'passed' ? lastLines(output.output, PASSED_TAIL_LINES) : output.output;
  const tail = await fitTail(log, Math.max(0, budget - fixed - 40));
  const omitted = output.failures.length - failures.length;
  const note = omitted ? `${output.note ? `${output.note}; ` : ''}${omitted} more failures are in the log file` : output.note;
  return { ...output, failures, output: tail.text, ...(note ? { note } : {}) };
}

async function lastFailures(context: RunTestsContext): Promise<LastFailures | undefined> {
  return readJson<LastFailures>(context.state.path('run-tests', 'last-failures.json'));
}

async function rememberFailures(context: RunTestsContext, plan: Plan, outcome: RunnerOutcome, path: string): Promise<void> {
  const file = context.state.path('run-tests', 'last-failures.json');
  const failures = outcome.cases.filter((test) => test.status === 'failed');
  const record = JSON.stringify({ runner: plan.runnerName, path, failures } satisfies LastFailures);
  // Most runs record what the one before did (nothing failed, again): that needs no write.
  if (readStateFile(file)?.toString('utf8') === record) return;
  await writeFileAtomic(file, [record]);
}
