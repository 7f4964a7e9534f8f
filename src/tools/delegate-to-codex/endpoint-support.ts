import type { ToolContext } from '../../core/context.js';
import { readJson, writeJsonAtomic } from '../../core/state.js';

/**
 * What an endpoint is known to support of the Responses API's own compaction, remembered per
 * base URL in the workspace's state folder: an OpenAI-compatible gateway that refuses
 * `context_management` (or has no `/responses/compact`) is asked once, not on every delegation.
 * A refusal is re-checked after a week, so a gateway that learns compaction is noticed.
 */
export interface CompactionSupport {
  /** `context_management: [{type: "compaction", compact_threshold}]` on `responses.create`. */
  contextManagement?: 'supported' | 'unsupported';
  /** `POST /responses/compact` (`responses.compact()`). */
  compactEndpoint?: 'supported' | 'unsupported';
}

interface Entry extends CompactionSupport {
  checkedAt: string;
}

const FILE = 'delegate-endpoints.json';
const RECHECK_REFUSAL_MS = 7 * 24 * 3600 * 1000;

/** The SDK's endpoint when none is configured. */
export const DEFAULT_BASE_URL = 'https://api.openai.com/v1';

/** The endpoint as a key and for messages: no credentials, no trailing slash. */
export function endpointOf(baseUrl: string | undefined): string {
  const url = new URL(baseUrl ?? DEFAULT_BASE_URL);
  url.username = url.password = '';
  url.search = url.hash = '';
  return url.toString().replace(/\/+$/, '');
}

export async function knownSupport(context: Pick<ToolContext, 'state'>, endpoint: string): Promise<CompactionSupport> {
  const entry = (await readEntries(context))[endpoint];
  if (!entry) return {};
  const fresh = Date.now() - Date.parse(entry.checkedAt) < RECHECK_REFUSAL_MS;
  const known: CompactionSupport = {};
  // A refusal is trusted for a while; a success for good (it is re-learned if it stops).
  if (entry.contextManagement === 'supported' || (entry.contextManagement === 'unsupported' && fresh)) known.contextManagement = entry.contextManagement;
  if (entry.compactEndpoint === 'supported' || (entry.compactEndpoint === 'unsupported' && fresh)) known.compactEndpoint = entry.compactEndpoint;
  return known;
}

/** Records what a run learned; nothing is written when it learned nothing new. */
export async function rememberSupport(
  context: Pick<ToolContext, 'state'>,
  endpoint: string,
  before: CompactionSupport,
  learned: CompactionSupport,
): Promise<void> {
  const merged = { ...before, ...learned };
  if (merged.contextManagement === before.contextManagement && merged.compactEndpoint === before.compactEndpoint) return;
  const entries = await readEntries(context);
  entries[endpoint] = { ...entries[endpoint], ...merged, checkedAt: new Date().toISOString() };
  await writeJsonAtomic(context.state.path(FILE), entries);
}

async function readEntries(context: Pick<ToolContext, 'state'>): Promise<Record<string, Entry>> {
  // A damaged file is as good as none: the endpoint is asked again.
  return (await readJson<Record<string, Entry>>(context.state.path(FILE)).catch(() => undefined)) ?? {};
}
