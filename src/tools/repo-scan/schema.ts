import { z } from 'zod';
import { maxTokensInput } from '../../core/budget.js';

export const MODES = ['overview', 'tree', 'search', 'symbols', 'map', 'references', 'read'] as const;

export const RepoScanInput = z
  .object({
    mode: z.enum(MODES).default('overview'),
    path: z.string().optional(),
    glob: z.string().optional().describe('"*.ts" (any depth), "src/**/*.py"'),
    query: z.string().optional().describe('search: text/regex; map: identifiers to favour'),
    regex: z.boolean().default(false),
    caseSensitive: z.boolean().optional(),
    contextLines: z.number().int().min(0).max(20).default(0),
    focus: z.array(z.string()).optional().describe('map: files to rank around'),
    startLine: z.number().int().min(1).optional(),
    endLine: z.number().int().min(1).optional(),
    maxTokens: maxTokensInput,
    cursor: z.string().optional().describe('nextCursor of an earlier result'),
  })
  .strict();
export type RepoScanInput = z.output<typeof RepoScanInput>;

const SymbolEntry = z.object({
  name: z.string(),
  kind: z.string(),
  line: z.number(),
  endLine: z.number(),
  container: z.string().optional(),
  signature: z.string().optional(),
});

const Manifest = z.object({ path: z.string(), name: z.string().optional(), facts: z.record(z.string(), z.unknown()) });

export const RepoScanOutput = z.object({
  mode: z.enum(MODES),
  root: z.string(),
  truncated: z.boolean(),
  nextCursor: z.string().optional(),
  // overview
  git: z.object({ branch: z.string().nullable(), head: z.string().nullable(), dirty: z.boolean() }).nullable().optional(),
  fileCount: z.number().optional(),
  languages: z.array(z.object({ name: z.string(), files: z.number(), lines: z.number() })).optional(),
  vendoredFiles: z.number().optional(),
  generatedFiles: z.number().optional(),
  manifests: z.array(Manifest).optional(),
  testRunners: z.array(z.object({ runner: z.string(), path: z.string(), reason: z.string() })).optional(),
  tree: z.string().optional(),
  readme: z.string().optional(),
  // tree
  entries: z.array(z.object({ path: z.string(), type: z.string(), size: z.number() })).optional(),
  totalEntries: z.number().optional(),
  // search
  matches: z
    .array(z.object({ path: z.string(), line: z.number(), column: z.number(), text: z.string(), before: z.array(z.string()), after: z.array(z.string()) }))
    .optional(),
  totalMatches: z.number().optional(),
  // symbols (files) and map (files, map)
  files: z
    .array(z.object({ path: z.string(), language: z.string().optional(), rank: z.number().optional(), symbols: z.array(SymbolEntry).optional() }))
    .optional(),
  map: z.string().optional(),
  // references: definitions on the first page; uses file by file, best file first
  definitions: z
    .array(z.object({ path: z.string(), line: z.number(), kind: z.string(), container: z.string().optional(), signature: z.string().optional() }))
    .optional(),
  /** Definitions in all, when the first page shows fewer. */
  totalDefinitions: z.number().optional(),
  references: z.array(z.object({ path: z.string(), line: z.number(), column: z.number(), text: z.string(), container: z.string().optional() })).optional(),
  totalReferences: z.number().optional(),
  parsedFiles: z.number().optional(),
  /** map: what the map had to leave out of a very large tree. */
  note: z.string().optional(),
  cachedFiles: z.number().optional(),
  // overview, search, symbols, map, references: listed files left unread (a symlink out of the root, a FIFO)
  skipped: z.array(z.object({ path: z.string(), reason: z.string() })).optional(),
  skippedTotal: z.number().optional(),
  // read
  path: z.string().optional(),
  startLine: z.number().optional(),
  endLine: z.number().optional(),
  totalLines: z.number().optional(),
  text: z.string().optional(),
  /** The text starts inside startLine, at this column (a line longer than one page). */
  startColumn: z.number().optional(),
  /** endLine is cut after this column; the next page continues it. */
  endColumn: z.number().optional(),
});
export type RepoScanOutput = z.output<typeof RepoScanOutput>;
