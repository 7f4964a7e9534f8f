import { z } from 'zod';
import { maxTokensInput } from '../../core/budget.js';
import { jobInputs } from '../../core/job-inputs.js';

import { EFFORTS } from '../../config.js';


export const DelegateInput = z
  .object({
    task: z.string().optional(),
    backend: z.enum(['auto', 'responses', 'codex-cli']).default('auto'),
    model: z.string().default('auto'),
    effort: z.enum(EFFORTS).default('medium'),
    sandbox: z.enum(['read-only', 'workspace-write']).default('read-only'),
    sessionId: z.string().optional(),
    maxTurns: z.number().int().min(1).max(500).default(40),
    budgetTokens: z.number().int().min(1000).optional(),
    ...jobInputs,
    maxTokens: maxTokensInput,
  })
  .strict();
export type DelegateInput = z.output<typeof DelegateInput>;

export const DELEGATE_STATUSES = ['completed', 'failed', 'running', 'cancelled', 'budget-exceeded'] as const;

export const DelegateOutput = z.object({
  status: z.enum(DELEGATE_STATUSES),
  jobId: z.string().optional(),
  sessionId: z.string(),
  backend: z.string(),
  model: z.string(),
  effort: z.string(),
  finalMessage: z.string(),
  filesChanged: z.array(z.object({ path: z.string(), kind: z.string() })),
  diff: z.string(),
  commands: z.array(z.object({ command: z.string(), exitCode: z.number().nullable() })),
  usage: z.object({ inputTokens: z.number(), cachedInputTokens: z.number(), outputTokens: z.number(), reasoningTokens: z.number() }),
  turns: z.number(),
  compactions: z.number(),
  /** Served from the cache of identical read-only delegations. */
  cached: z.boolean().optional(),
  /** Anything the caller should know: an effort clamped, a diff cut to the budget (and where the whole one is). */
  notes: z.array(z.string()).optional(),
});
export type DelegateOutput = z.output<typeof DelegateOutput>;
