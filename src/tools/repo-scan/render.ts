import type { EntryInfo } from '../../core/files.js';
import type { Overview } from './overview.js';
import type { Definition, Reference, Use } from './references.js';
import type { RepoScanOutput } from './schema.js';
import type { SearchMatch } from './search.js';
import type { Skipped } from './skipped.js';
import type { SymbolInfo } from './tags/index.js';

/**
 * The readable renderings of repo-scan results. The per-item renderers are also what the
 * budget is measured on, so what is counted is exactly what is shown.
 */

export function renderEntry(entry: EntryInfo): string {
  return entry.type === 'file' ? `${entry.path}  ${formatSize(entry.size)}` : `${entry.path}  (${entry.type})`;
}

export function renderMatch(match: SearchMatch): string {
  const lines = [
    ...match.before.map((text, i) => `${match.path}-${match.line - match.before.length + i}-  ${text}`),
    `${match.path}:${match.line}:${match.column}: ${match.text}`,
    ...match.after.map((text, i) => `${match.path}-${match.line + 1 + i}-  ${text}`),
  ];
  return match.before.length || match.after.length ? lines.join('\n') + '\n--' : lines.join('\n');
}

export function renderSymbol(symbol: SymbolInfo): string {
  const head = symbol.signature ?? `${symbol.kind} ${symbol.name}`;
  const where = symbol.container ? `  [in ${symbol.container}]` : '';
  return `  ${symbol.line}-${symbol.endLine} ${symbol.kind}: ${head}${where}`;
}

export function renderFileSymbols(file: { path: string; language: string; symbols: readonly SymbolInfo[] }): string {
  return [`${file.path} (${file.language})`, ...file.symbols.map(renderSymbol)].join('\n');
}

export function renderDefinition(definition: Definition): string {
  const where = definition.container ? `  [in ${definition.container}]` : '';
  return `  ${definition.path}:${definition.line} ${definition.kind}${definition.signature ? `: ${definition.signature}` : ''}${where}`;
}

/** The line naming a file whose uses follow. */
export function renderUsesHead(path: string): string {
  return `${path}:`;
}

export function renderUse(use: Use): string {
  return `  ${use.line}:${use.column}  ${use.text}${use.container ? `  [in ${use.container}]` : ''}`;
}

function renderReferences(result: RepoScanOutput): string {
  const references = (result.references ?? []) as Reference[];
  const shown = references.length;
  const out = [`${result.totalReferences} uses by name (not type-resolved)${result.truncated ? `, showing ${shown}` : ''}`];
  const definitions = result.definitions as Definition[] | undefined;
  if (definitions) {
    const more = (result.totalDefinitions ?? 0) - definitions.length;
    if (definitions.length) out.push('defined at:', ...definitions.map(renderDefinition), ...(more > 0 ? [`  … ${more} more`] : []));
    else if (more > 0) out.push(`defined at: ${more} ${more === 1 ? 'place' : 'places'}, not shown within maxTokens`);
    else out.push('defined at: no mapped file (outside the repository, built in, or made at run time)');
  }
  references.forEach((use, i) => {
    if (use.path !== references[i - 1]?.path) out.push(renderUsesHead(use.path));
    out.push(renderUse(use));
  });
  return out.join('\n');
}

export function renderReadLine(line: { number: number; text: string }): string {
  return `${String(line.number).padStart(6)}\t${line.text}`;
}

export function renderSkippedLine(skipped: Skipped): string {
  return `  ${skipped.path}: ${skipped.reason}`;
}

/** The files a listing left unread, and why; `total` counts those not named. */
export function renderSkipped(skipped: readonly Skipped[] = [], total?: number): string {
  const more = (total ?? 0) - skipped.length;
  if (!skipped.length) return more > 0 ? `skipped: ${more} files not read` : '';
  return ['skipped:', ...skipped.map(renderSkippedLine), ...(more > 0 ? [`  … ${more} more`] : [])].join('\n');
}

export function renderOverview(o: Partial<Overview>): string {
  const out: string[] = [];
  if (o.git) out.push(`git: branch ${o.git.branch ?? '(detached)'} at ${o.git.head ?? '(no commits)'}${o.git.dirty ? ', uncommitted changes' : ', clean'}`);
  else if (o.git === null) out.push('git: not a git repository');
  out.push(`files: ${o.fileCount}${o.vendoredFiles ? `, ${o.vendoredFiles} vendored` : ''}${o.generatedFiles ? `, ${o.generatedFiles} generated` : ''}`);
  if (o.languages?.length) out.push('languages: ' + o.languages.map((l) => `${l.name} ${l.files} files/${l.lines} lines`).join('; '));
  if (o.manifests?.length) {
    out.push('manifests:');
    for (const m of o.manifests) {
      const facts = Object.entries(m.facts)
        .filter(([, v]) => v !== undefined && v !== false)
        .map(([k, v]) => `${k}=${typeof v === 'object' ? (Array.isArray(v) ? v.join(',') : Object.keys(v as object).join(',')) : String(v)}`);
      out.push(`  ${m.path}${m.name ? ` (${m.name})` : ''}${facts.length ? ': ' + facts.join('; ') : ''}`);
    }
  }
  if (o.testRunners?.length) out.push('test runners: ' + o.testRunners.map((r) => `${r.runner} (${r.reason})`).join('; '));
  if (o.tree) out.push('tree:', o.tree);
  if (o.readme) out.push('readme:', o.readme);
  const skipped = renderSkipped(o.skipped, o.skippedTotal);
  if (skipped) out.push(skipped);
  return out.join('\n');
}

/** The whole text rendering of a result, by mode. */
export function renderScan(result: RepoScanOutput): string {
  const body = (() => {
    switch (result.mode) {
      case 'overview':
        return renderOverview(result as Partial<Overview>);
      case 'tree':
        return [
          `${result.totalEntries} files${result.truncated ? `, showing ${result.entries?.length}` : ''}`,
          ...(result.entries ?? []).map((e) => renderEntry(e as EntryInfo)),
        ].join('\n');
      case 'search':
        return withSkipped(
          [
            `${result.totalMatches} matching lines${result.truncated ? `, showing ${result.matches?.length}` : ''}`,
            ...(result.matches ?? []).map(renderMatch),
          ].join('\n'),
          result,
        );
      case 'symbols':
        return withSkipped(
          (result.files ?? [])
            .map((f) => renderFileSymbols({ path: f.path, language: f.language ?? '', symbols: (f.symbols ?? []) as SymbolInfo[] }))
            .join('\n') || 'no symbols found',
          result,
        );
      case 'map':
        return withSkipped((result.note ? `note: ${result.note}\n` : '') + (result.map || 'no files with symbols to map'), result);
      case 'references':
        return withSkipped(renderReferences(result), result);
      case 'read':
        return [
          readHeader(result),
          ...(result.text ? result.text.split('\n').map((text, i) => renderReadLine({ number: result.startLine! + i, text })) : []),
        ].join('\n');
    }
  })();
  return result.truncated && result.nextCursor
    ? `${body}\n[truncated: pass cursor "${result.nextCursor}" for more]`
    : result.truncated
      ? `${body}\n[truncated to fit maxTokens]`
      : body;
}

function withSkipped(body: string, result: RepoScanOutput): string {
  const skipped = renderSkipped(result.skipped, result.skippedTotal);
  return skipped ? `${body}\n${skipped}` : body;
}

/** "path lines a-b of n", and where a page starts or stops inside a line too long for one page. */
function readHeader(result: RepoScanOutput): string {
  const notes = [
    ...(result.startColumn ? [`line ${result.startLine} from column ${result.startColumn}`] : []),
    ...(result.endColumn ? [`line ${result.endLine} continues after column ${result.endColumn}`] : []),
  ];
  return `${result.path} lines ${result.startLine}-${result.endLine} of ${result.totalLines}${notes.length ? ` (${notes.join('; ')})` : ''}`;
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1 << 20) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1 << 20)).toFixed(1)} MB`;
}
