import { realpathSync } from 'node:fs';
import { isAbsolute, relative, sep } from 'node:path';
import type { Finding } from './schema.js';

/**
 * A review's findings, from what the reviewer returned: the structured `finish` of Baton's own
 * loop, the text `codex exec review` prints (checked with codex-cli 0.169.0), or a JSON answer
 * in either shape. Paths come out relative to the root, lines 1-based.
 *
 * Codex prints its findings as
 *
 *   Review comment:                 (or "Full review comments:" for several)
 *
 *   - [P1] Title — /abs/path/file.ts:12-14
 *     Body, each line indented by two spaces.
 *
 * and its JSON (when the model's answer was not rendered) has `findings [{title, body, priority,
 * code_location {absolute_file_path, line_range {start, end}}}]`. Priorities P0 and P1 are high,
 * P2 medium, P3 low; a finding without one is medium.
 */

const CODEX_ITEM = /^- (?:\[[ x]\] )?(.*) — (.+):(\d+)-(\d+)\s*$/;
const PRIORITY_TAG = /^\[P([0-3])\]\s*/i;

export function parseFindings(text: string, root: string): Finding[] | undefined {
  return fromJson(text, root) ?? fromCodexText(text, root);
}

/** The findings in Codex's text rendering, or undefined when the text has no findings block. */
function fromCodexText(text: string, root: string): Finding[] | undefined {
  const lines = text.split(/\r?\n/);
  const header = lines.findIndex((line) => /^(Review comment|Full review comments):\s*$/.test(line.trim()));
  if (header === -1) return undefined;
  const findings: Finding[] = [];
  let current: { finding: Finding; body: string[] } | undefined;
  const close = () => {
    if (current) findings.push({ ...current.finding, body: current.body.join('\n').trim() });
    current = undefined;
  };
  for (const line of lines.slice(header + 1)) {
    const item = CODEX_ITEM.exec(line);
    if (item) {
      close();
      const [, rawTitle = '', path = '', start = '1'] = item;
      const priority = PRIORITY_TAG.exec(rawTitle)?.[1];
      current = {
        finding: {
          path: relativePath(path, root),
          line: Math.max(1, Number(start)),
          severity: severityOf(priority === undefined ? undefined : Number(priority)),
          title: rawTitle.replace(PRIORITY_TAG, '').trim(),
          body: '',
        },
        body: [],
      };
    } else if (current && (line.startsWith('  ') || !line.trim())) current.body.push(line.slice(2));
    else close();
  }
  close();
  return findings;
}

/** Findings in a JSON answer (fenced or bare), in Baton's shape or Codex's. */
function fromJson(text: string, root: string): Finding[] | undefined {
  const candidates = [text.trim(), ...[...text.matchAll(/```(?:json)?\s*\n([\s\S]*?)```/g)].map((match) => match[1]!.trim())];
  for (const candidate of candidates) {
    if (!candidate.startsWith('{')) continue;
    let value: unknown;
    try {
      value = JSON.parse(candidate);
    } catch {
      continue;
    }
    const list = (value as { findings?: unknown }).findings;
    if (!Array.isArray(list)) continue;
    return list.flatMap((entry) => {
      const finding = fromJsonEntry(entry as Record<string, unknown>, root);
      return finding ? [finding] : [];
    });
  }
  return undefined;
}

function fromJsonEntry(entry: Record<string, unknown>, root: string): Finding | undefined {
  if (typeof entry !== 'object' || entry === null) return undefined;
  const location = entry.code_location as { absolute_file_path?: unknown; line_range?: { start?: unknown } } | undefined;
  const path = typeof entry.path === 'string' ? entry.path : typeof location?.absolute_file_path === 'string' ? location.absolute_file_path : undefined;
  const rawTitle = typeof entry.title === 'string' ? entry.title : undefined;
  if (!path || !rawTitle) return undefined;
  const line = Number(entry.line ?? location?.line_range?.start);
  const tag = PRIORITY_TAG.exec(rawTitle)?.[1];
  const severity =
    typeof entry.severity === 'string' && ['high', 'medium', 'low'].includes(entry.severity)
      ? (entry.severity as Finding['severity'])
      : severityOf(typeof entry.priority === 'number' ? entry.priority : tag === undefined ? undefined : Number(tag));
  return {
    path: relativePath(path, root),
    ...(Number.isInteger(line) && line >= 1 ? { line } : {}),
    severity,
    title: rawTitle.replace(PRIORITY_TAG, '').trim(),
    body: typeof entry.body === 'string' ? entry.body.trim() : '',
  };
}

/** Findings a model gave in the structured `finish`: the same paths rule as parsed ones. */
export function normalizeFindings(findings: readonly Finding[], root: string): Finding[] {
  return findings.map((finding) => ({
    ...finding,
    path: relativePath(finding.path, root),
    title: finding.title.replace(PRIORITY_TAG, '').trim(),
    body: finding.body.trim(),
  }));
}

function severityOf(priority: number | undefined): Finding['severity'] {
  if (priority === undefined) return 'medium';
  return priority <= 1 ? 'high' : priority === 2 ? 'medium' : 'low';
}

/** Relative to the root with `/` separators; a path outside the root stays absolute, to say so. */
function relativePath(path: string, root: string): string {
  const posix = (p: string) => (sep === '/' ? p : p.split(sep).join('/'));
  if (!isAbsolute(path)) return posix(path).replace(/^(\.\/)+/, '');
  for (const base of new Set([root, safeRealpath(root)])) {
    const inside = relative(base, path);
    if (inside && !inside.startsWith('..') && !isAbsolute(inside)) return posix(inside);
  }
  return path;
}

function safeRealpath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
