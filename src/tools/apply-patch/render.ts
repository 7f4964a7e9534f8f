import type { ApplyPatchOutput } from './schema.js';

/** Lines of expected / nearest text shown per failed hunk; the structured result has them all. */
const SHOWN_LINES = 15;

export function renderSummary(result: ApplyPatchOutput): string {
  const out: string[] = [];
  const files = `${result.files.length} file${result.files.length === 1 ? '' : 's'}`;
  if (result.errors.length) out.push(`NOT applied: ${result.errors.length} problem${result.errors.length === 1 ? '' : 's'}, nothing was written`);
  else if (result.dryRun) out.push(`dry run: the patch applies cleanly to ${files}; nothing was written`);
  else out.push(`applied to ${files}${result.checkpoint ? `; undo with {"undo": "${result.checkpoint}"}` : ''}`);
  for (const file of result.files) {
    const hunks = file.hunks
      .map((h) =>
        h.status === 'failed' ? `#${h.index} failed` : `#${h.index} ${h.match}@${h.line}${h.offset ? ` (${h.offset > 0 ? '+' : ''}${h.offset})` : ''}`,
      )
      .join(', ');
    out.push(
      `  ${file.action} ${file.from ? `${file.from} -> ` : ''}${file.path}${file.overwritten ? ' (replaced the existing file)' : ''} +${file.additions} -${file.deletions}${hunks ? `  [${hunks}]` : ''}`,
    );
  }
  for (const issue of result.syntax ?? []) out.push(`syntax: ${issue.path}:${issue.line}:${issue.column}: ${issue.message} (introduced by this edit; fix it)`);
  for (const recovered of result.recovered ?? []) out.push(`note: ${describeRecovery(recovered)}`);
  for (const error of result.errors) {
    out.push(`error: ${error.path}${error.hunk ? ` hunk ${error.hunk}` : ''}: ${error.message}`);
    if (error.expected?.length) out.push('  expected:', ...quote(error.expected));
    if (error.nearest) out.push(`  nearest in the file, from line ${error.nearest.line}:`, ...quote(error.nearest.text.split('\n')));
  }
  return out.join('\n');
}

export function renderApply(result: ApplyPatchOutput): string {
  const summary = renderSummary(result);
  if (!result.diff) return summary;
  return `${summary}\n${result.dryRun ? 'diff (would be written):' : 'diff:'}\n${result.diff}${result.truncated ? '\n[diff truncated to fit maxTokens]' : ''}`;
}

/** One repaired set, for the log and the result. */
export function describeRecovery(result: NonNullable<ApplyPatchOutput['recovered']>[number]): string {
  const files = `${result.fileCount} file${result.fileCount === 1 ? '' : 's'}`;
  const what =
    result.action === 'rolled-back'
      ? `apply ${result.checkpoint} was interrupted (Baton stopped mid-write) and has been rolled back: its ${files} are as before it`
      : `undo of ${result.checkpoint} was interrupted (Baton stopped mid-write) and has been finished: its ${files} are restored`;
  const left = result.leftAlone?.length
    ? `, except ${result.leftAlone.join(', ')}, changed since and left as they are ({"undo": "${result.checkpoint}"} restores them)`
    : '';
  return what + left;
}

function quote(lines: readonly string[]): string[] {
  const shown = lines.slice(0, SHOWN_LINES).map((line) => `    | ${line}`);
  if (lines.length > SHOWN_LINES) shown.push(`    | … ${lines.length - SHOWN_LINES} more lines`);
  return shown;
}
