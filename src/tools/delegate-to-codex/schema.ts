import { z } from 'zod';
import { EFFORTS } from '../../config.js';
import { maxTokensInput } from '../../core/budget.js';
import { jobInputs } from '../../core/job-inputs.js';

/**
 * A default that applies but is left out of tools/list, whose 8 KB for all tools (DESIGN.md §5)
 * is nearly spent: for inputs whose default a caller guesses anyway (the first value of the
 * enum, or a value worth leaving alone). The README lists every default.
 */
const unlisted = <T extends z.ZodType>(schema: T): T => schema.meta({ default: undefined });

export const DelegateInput = z
  .object({
    /** The sub-task; in `review` mode, optional extra instructions for the reviewer. */
    task: z.string().optional(),
    /** `review`: a read-only second opinion on the current change, with `findings`. */
    mode: unlisted(z.enum(['task', 'review']).default('task')),
    /** `review`: the git ref to review the change against (its merge base); default: the uncommitted changes against HEAD. */
    base: z.string().optional(),
    backend: unlisted(z.enum(['auto', 'responses', 'codex-cli']).default('auto')),
    model: z.string().default('auto'),
    effort: unlisted(z.enum(EFFORTS).default('medium')),
    sandbox: z.enum(['read-only', 'workspace-write']).default('read-only'),
    sessionId: z.string().optional(),
    maxTurns: unlisted(z.number().int().min(1).max(500).default(40)),
    // A whole number, checked by a refinement: `.int()` would list a 16-digit maximum.
    budgetTokens: z.number().min(1000).refine(Number.isInteger, 'must be a whole number').optional(),
    ...jobInputs,
    maxTokens: maxTokensInput,
  })
  .strict();
export type DelegateInput = z.output<typeof DelegateInput>;

export const FINDING_SEVERITIES = ['high', 'medium', 'low'] as const;

/** One problem a review found: where (relative to the root, 1-based line), how bad, and why. */
export const Finding = z.object({
  path: z.string(),
  line: z.number().int().min(1).optional(),
  severity: z.enum(FINDING_SEVERITIES),
  title: z.string(),
  body: z.string(),
});
export type Finding = z.output<typeof Finding>;

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
  /** Anything the caller should know: an effort clamped, the model routing, how the loop compacted, a diff cut to the budget. */
  notes: z.array(z.string()).optional(),
  /** `review` mode: what the reviewer found (an empty list: nothing); its raw answer is `finalMessage`. */
  findings: z.array(Finding).optional(),
});
export type DelegateOutput = z.output<typeof DelegateOutput>;
