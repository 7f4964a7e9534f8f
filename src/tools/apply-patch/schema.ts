import { z } from 'zod';
import { maxTokensInput } from '../../core/budget.js';

export const ApplyPatchInput = z
  .object({
    // Descriptions are kept to what the tool's description does not say: tools/list is under 8 KB for all tools.
    patch: z.string().optional(),
    edits: z.array(z.object({ path: z.string(), oldText: z.string(), newText: z.string(), replaceAll: z.boolean().optional() })).optional(),
    undo: z.string().optional(),
    // Defaults are applied by the tool (`false`, `auto`): their bytes in tools/list are saved.
    dryRun: z.boolean().optional(),
    format: z.enum(['auto', 'unified', 'codex', 'search-replace']).optional(),
    rejectSyntaxErrors: z.boolean().optional(),
    maxTokens: maxTokensInput,
  })
  .strict();
export type ApplyPatchInput = z.output<typeof ApplyPatchInput>;

export const HunkReport = z.object({
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
  /** Syntax errors the edit introduces in files of a tree-sitter language (1-based line and column). */
  syntax: z.array(z.object({ path: z.string(), line: z.number(), column: z.number(), message: z.string() })).optional(),
  files: z.array(
    z.object({
      path: z.string(),
      action: z.enum(['add', 'update', 'delete', 'move']),
      from: z.string().optional(),
      /** Codex semantics: `*** Add File` over an existing file, `*** Move to` onto one. */
      overwritten: z.boolean().optional(),
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
  /**
   * Sets an earlier Baton process left half written when it stopped (a crash, kill -9),
   * repaired when this workspace was opened: told once, in the next result. `rolled-back`:
   * every file of that apply is as before it; `undo-finished`: that undo was completed.
   */
  recovered: z
    .array(
      z.object({
        checkpoint: z.string(),
        action: z.enum(['rolled-back', 'undo-finished']),
        fileCount: z.number(),
        /** The set's files (at most 20; fileCount says how many). */
        files: z.array(z.string()),
        /** Changed by someone else since: left as they are; {undo: checkpoint} restores them. */
        leftAlone: z.array(z.string()).optional(),
      }),
    )
    .optional()
    .describe('Interrupted earlier applies repaired at start-up (rolled back, or an undo finished); told once'),
});
export type ApplyPatchOutput = z.output<typeof ApplyPatchOutput>;
export type HunkReport = z.output<typeof HunkReport>;
export type FileReport = ApplyPatchOutput['files'][number];
export type PatchError = ApplyPatchOutput['errors'][number];
export type RecoveredApply = NonNullable<ApplyPatchOutput['recovered']>[number];
