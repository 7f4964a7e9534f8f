import { budgetOf, countTokens, fitHead, fitsBudget } from '../../core/budget.js';
import { UserError } from '../../core/errors.js';
import type { ToolContext } from '../../core/context.js';
import { applyParsed, undoCheckpoint, type ApplyResult } from './apply.js';
import { takeRecoveredNote } from './journal.js';
import { parsePatch } from './parse.js';
import { editsToFiles } from './search-replace.js';
import type { ParsedPatch } from './types.js';
import { renderApply, renderSummary } from './render.js';
import { eolOf } from './text.js';
import type { ApplyPatchInput, ApplyPatchOutput } from './schema.js';

type Services = Pick<ToolContext, 'workspace' | 'state'>;

/** apply-patch: verify everything, write atomically or not at all, keep a checkpoint to undo. */
export async function applyPatch(input: ApplyPatchInput, services: Services): Promise<ApplyPatchOutput> {
  const hasEdits = input.edits !== undefined && input.edits.length > 0;
  if ((input.patch !== undefined || hasEdits) && input.undo !== undefined) {
    throw new UserError('pass either patch or undo, not both (edits count as a patch)', 'Apply a patch, or undo a checkpoint, one call each');
  }
  if (input.undo !== undefined) return withinBudget(await withRecovered(await undoCheckpoint(input.undo, services), services), input.maxTokens);
  if (!input.patch?.trim() && !hasEdits) {
    throw new UserError(
      'apply-patch needs a patch, edits (or an undo id)',
      'Pass a unified diff, a Codex "*** Begin Patch" patch, SEARCH/REPLACE blocks or edits [{path, oldText, newText}]',
    );
  }
  // A patch and edits in one call apply together, all or nothing.
  const parsed: ParsedPatch = input.patch?.trim() ? parsePatch(input.patch, input.format) : { format: 'search-replace', files: [] };
  if (hasEdits) parsed.files.push(...editsToFiles(input.edits!));
  if (!parsed.files.length) throw new UserError('the patch changes no file', 'Include at least one file section');
  return withinBudget(
    await withRecovered(
      await applyParsed(parsed, services, input.dryRun ?? false, input.patch ? eolOf(input.patch) : '\n', input.rejectSyntaxErrors ?? false),
      services,
    ),
    input.maxTokens,
  );
}

/** Adds what start-up recovery repaired, taken once, to the first result after it. */
async function withRecovered(result: ApplyResult, services: Services): Promise<ApplyResult> {
  const recovered = await takeRecoveredNote(services.state);
  return recovered.length ? { ...result, recovered } : result;
}

/** The summary and errors always show; the diff gets what budget is left and is cut at a line. */
async function withinBudget(result: ApplyResult, maxTokens: number | undefined): Promise<ApplyPatchOutput> {
  const budget = budgetOf(maxTokens);
  if (await fitsBudget(renderApply(result), budget)) return result;
  const rest = budget - (await countTokens(renderSummary({ ...result, diff: '' }))) - 20;
  const diff = await fitHead(result.diff, Math.max(0, rest));
  return diff.truncated ? { ...result, diff: diff.text, truncated: true } : result;
}
