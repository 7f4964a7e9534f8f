import { budgetOf, countTokens, fitHead, fitsBudget } from '../../core/budget.js';
import { UserError } from '../../core/errors.js';
import type { ToolContext } from '../../core/context.js';
import { applyParsed, undoCheckpoint, type ApplyResult } from './apply.js';
import { takeRecoveredNote } from './journal.js';
import { parsePatch } from './parse.js';
import { renderApply, renderSummary } from './render.js';
import { eolOf } from './text.js';
import type { ApplyPatchInput, ApplyPatchOutput } from './schema.js';

type Services = Pick<ToolContext, 'workspace' | 'state'>;

/** apply-patch: verify everything, write atomically or not at all, keep a checkpoint to undo. */
export async function applyPatch(input: ApplyPatchInput, services: Services): Promise<ApplyPatchOutput> {
  if (input.patch !== undefined && input.undo !== undefined) {
    throw new UserError('pass either patch or undo, not both', 'Apply a patch, or undo a checkpoint, one call each');
  }
  if (input.undo !== undefined) return withinBudget(await withRecovered(await undoCheckpoint(input.undo, services), services), input.maxTokens);
  if (!input.patch?.trim()) throw new UserError('apply-patch needs a patch (or an undo id)', 'Pass a unified diff or a Codex "*** Begin Patch" patch');
  const parsed = parsePatch(input.patch, input.format);
  if (!parsed.files.length) throw new UserError('the patch changes no file', 'Include at least one file section');
  return withinBudget(await withRecovered(await applyParsed(parsed, services, input.dryRun, eolOf(input.patch)), services), input.maxTokens);
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
