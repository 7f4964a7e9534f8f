import { z } from 'zod';
import { maxTokensInput } from '../../core/budget.js';
import { jobInputs } from '../../core/job-inputs.js';

export const RUNNER_CHOICES = ['auto', 'vitest', 'jest', 'mocha', 'node', 'npm-script', 'pytest', 'go', 'cargo'] as const;

export const RunTestsInput = z
  .object({
    runner: z.enum(RUNNER_CHOICES).default('auto'),
    command: z.string().optional().describe('argv (no shell); needs runTests.allowCommands'),
    path: z.string().optional(),
    files: z.array(z.string()).optional(),
    testNamePattern: z.string().optional(),
    onlyFailed: z.boolean().default(false).describe('Re-run the failures of the last run'),
    timeoutSec: z.number().int().min(1).max(7200).default(600),
    ...jobInputs,
    maxTokens: maxTokensInput,
  })
  .strict();
export type RunTestsInput = z.output<typeof RunTestsInput>;

export const RUN_STATUSES = ['passed', 'failed', 'error', 'timeout', 'cancelled', 'no-tests', 'running'] as const;

export const RunTestsOutput = z.object({
  status: z.enum(RUN_STATUSES),
  jobId: z.string().optional(),
  runner: z.string(),
  command: z.array(z.string()),
  exitCode: z.number().nullable(),
  durationMs: z.number(),
  summary: z.object({ total: z.number(), passed: z.number(), failed: z.number(), skipped: z.number() }),
  failures: z.array(z.object({ name: z.string(), file: z.string().optional(), line: z.number().optional(), message: z.string(), excerpt: z.string() })),
  output: z.string(),
  reportSource: z.enum(['junit', 'json', 'text']),
  /** The whole output of the run, in the state dir. */
  logFile: z.string().optional(),
  /** Steps of the project's test script that were not run (lint, typecheck, …); runner "npm-script" runs them all. */
  skippedSteps: z.array(z.string()).optional(),
  /** Why the status is what it is, when that needs saying (no tests found, report unreadable, …). */
  note: z.string().optional(),
});
export type RunTestsOutput = z.output<typeof RunTestsOutput>;
