import type { RunTestsOutput } from './schema.js';

/** The summary line and the failures: what must show whatever the budget. */
export function renderFailures(result: RunTestsOutput): string {
  const { total, passed, failed, skipped } = result.summary;
  const out = [
    `${result.status.toUpperCase()}: ${passed} passed, ${failed} failed, ${skipped} skipped of ${total} (${result.runner}, ${(result.durationMs / 1000).toFixed(1)}s, exit ${result.exitCode ?? '-'})`,
  ];
  if (result.jobId && result.status === 'running') out.push(`jobId: ${result.jobId}`);
  if (result.note) out.push(`note: ${result.note}`);
  if (result.command.length) out.push(`command: ${result.command.join(' ')}`);
  for (const failure of result.failures) {
    const where = failure.file ? ` (${failure.file}${failure.line ? `:${failure.line}` : ''})` : '';
    out.push(`✗ ${failure.name}${where}: ${failure.message}`);
    if (failure.excerpt && failure.excerpt !== failure.message) out.push(...failure.excerpt.split('\n').map((line) => `    ${line}`));
  }
  return out.join('\n');
}

export function renderRunTests(result: RunTestsOutput): string {
  const head = renderFailures(result);
  const log = result.logFile ? `\nfull log: ${result.logFile}` : '';
  return result.output ? `${head}\noutput (tail):\n${result.output}${log}` : head + log;
}
