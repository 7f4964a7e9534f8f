import { describeError } from '../core/errors.js';
import { renderScan } from '../tools/repo-scan/render.js';
import { repoScan } from '../tools/repo-scan/scan.js';
import { MODES, RepoScanInput } from '../tools/repo-scan/schema.js';
import { configFlags, intFlag, openWorkspace, parseCommand, UsageError } from './common.js';

export const SCAN_HELP = `Usage: baton-mcp scan [mode] [options]

Modes: ${MODES.join(', ')} (default overview)

Options:
  --path P            file or folder, relative to the root
  --glob G            filter files, e.g. "*.ts" or "src/**/*.py"
  --query Q           search: text or regex; map: identifiers to rank towards
  --regex             search: treat the query as a regex
  --case-sensitive    search: match case exactly (default: smart case)
  --context N         search: lines of context around each match
  --focus F           map: a file to rank around (repeatable)
  --start-line N      read: first line
  --end-line N        read: last line
  --max-tokens N      output budget (default 4000)
  --cursor C          continue from an earlier result's nextCursor
  --json              print the structured result as JSON
  --root DIR, --state-dir DIR, --config FILE
`;

/** `baton-mcp scan`: the repo-scan capability for people. */
export async function scanCommand(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommand(argv, {
    path: { type: 'string' },
    glob: { type: 'string' },
    query: { type: 'string' },
    regex: { type: 'boolean' },
    'case-sensitive': { type: 'boolean' },
    context: { type: 'string' },
    focus: { type: 'string', multiple: true },
    'start-line': { type: 'string' },
    'end-line': { type: 'string' },
    'max-tokens': { type: 'string' },
    cursor: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (values.help) {
    process.stdout.write(SCAN_HELP);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
  const parsed = RepoScanInput.safeParse({
    mode: positionals[0] ?? 'overview',
    path: values.path,
    glob: values.glob,
    query: values.query,
    regex: values.regex ?? false,
    caseSensitive: values['case-sensitive'],
    contextLines: intFlag('context', values.context) ?? 0,
    focus: values.focus,
    startLine: intFlag('start-line', values['start-line']),
    endLine: intFlag('end-line', values['end-line']),
    maxTokens: intFlag('max-tokens', values['max-tokens']),
    cursor: values.cursor,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`${issue.path.join('.') || 'input'}: ${describeError(issue.message)}`);
  }
  const { services } = await openWorkspace(configFlags(values));
  const result = await repoScan(parsed.data, services);
  process.stdout.write((values.json ? JSON.stringify(result, null, 2) : renderScan(result)) + '\n');
  return 0;
}
