import { z } from 'zod';
import { maxTokensInput } from '../../core/budget.js';

export const ApplyPatchInput = z
  .object({
    patch: z.string().optional().describe('Unified diff or Codex "*** Begin Patch" text'),
    undo: z.string().optional().describe('Checkpoint id of an earlier apply, to restore'),
    dryRun: z.boolean().default(false),
    format: z.enum(['auto', 'unified', 'codex']).default('auto'),
    maxTokens: maxTokensInput,
  })
  .strict();
export type ApplyPatchInput = z.output<typeof ApplyPatchInput>;

const HunkReport = z.object({
  index: z.number(),
  status: z.enum(['applied', 'failed']),
  line: z.number(),
  offset: z.number(),
  match: z.enum(['exact', 'offset', 'whitespace', 'unicode', 'fuzz']).optional(),
  message: z.string().optional(),
});

export const ApplyPatchOutput = z.object({
  applied: z.boolean(),
  dryRun: z.boolean(),
  checkpoint: z.string().optional(),
  files: z.array(
    z.object({
      path: z.string(),
      action: z.enum(['add', 'update', 'delete', 'move']),
      from: z.string().optional(),
      additions: z.number(),
      deletions: z.number(),
      hunks: z.array(HunkReport),
    }),
  ),
  errors: z.array(
    z.object({
      path: z.string(),
      hunk: z.number().optional(),
      message: z.string(),
      expected: z.array(z.string()).optional(),
      nearest: z.object({ line: z.number(), text: z.string() }).optional(),
    }),
  ),
  diff: z.string(),
  /** The diff was cut to fit maxTokens. */
  truncated: z.boolean().optional(),
});
export type ApplyPatchOutput = z.output<typeof ApplyPatchOutput>;
