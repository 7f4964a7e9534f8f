/**
 * The model-written hand-off summary, through the openai SDK's Responses API.
 * The SDK is imported lazily: most runs never summarise, and start-up must stay fast.
 */
import type OpenAI from 'openai';
import type { Config } from '../../config.js';
import type { Summarizer } from './summarizer.js';

export interface ModelSummarizerOptions {
  model: string;
  /** Any Responses-compatible endpoint; the SDK's default (or `OPENAI_BASE_URL`) otherwise. */
  baseURL?: string;
  apiKey?: string;
  /** Retries of 429/5xx/connection errors, by the SDK with exponential backoff (default 2). */
  maxRetries?: number;
  /** Per attempt, so the worst case is about (maxRetries + 1) × timeoutMs (default 120 s). */
  timeoutMs?: number;
}

export function modelSummarizer(options: ModelSummarizerOptions): Summarizer {
  let client: Promise<OpenAI> | undefined;
  // Built once, on first use; a client that could not be built (e.g. no key) is not kept.
  const getClient = () =>
    (client ??= createClient(options).catch((error: unknown) => {
      client = undefined;
      throw error;
    }));
  return {
    kind: 'model',
    async summarize({ previous, events, budget, signal }) {
      let response: OpenAI.Responses.Response;
      try {
        const openai = await getClient();
        response = await openai.responses.create(
          {
            model: options.model,
            instructions: handOffInstructions(budget),
            input: [{ role: 'user', content: renderInput(previous, events) }],
            max_output_tokens: Math.max(64, Math.ceil(budget * 1.3)),
            // The summary is disposable; nothing needs to be kept on the provider's side.
            store: false,
          },
          { signal },
        );
      } catch (error) {
        const why = signal?.aborted ? 'cancelled' : describeError(error);
        throw new Error(`model summary failed (${options.model}): ${why}`, { cause: error });
      }
      return summaryText(response, options.model);
    },
  };
}

/**
 * A model summarizer when an endpoint is configured (`OPENAI_API_KEY` or `OPENAI_BASE_URL`), else
 * undefined (the caller then uses the extractive summary). Model: the argument, else
 * `BATON_SUMMARY_MODEL`, else gpt-5.1-codex-mini.
 */
/** The model summarizer when the configuration names an OpenAI endpoint or key, else none. */
export function configuredSummarizer(config: Pick<Config, 'openai' | 'session'>): Summarizer | undefined {
  const { apiKey, baseUrl } = config.openai;
  if (!apiKey && !baseUrl) return undefined;
  return modelSummarizer({ model: config.session.summaryModel, ...(baseUrl ? { baseURL: baseUrl } : {}), ...(apiKey ? { apiKey } : {}) });
}

export const HANDOFF_SECTIONS = ['Progress so far', 'Key decisions', 'Constraints and preferences', 'Next steps', 'Critical data and references'] as const;

export function handOffInstructions(budget: number): string {
  return [
    'You are writing a hand-off summary of a coding session for a fresh context window: the next',
    'reader has nothing but this summary and must be able to continue the work without asking.',
    'You get the summary written so far (if any) and the newer session events, oldest first.',
    'Merge them into one summary; keep what still matters from the old one, drop what is obsolete.',
    '',
    'Use exactly these sections, as markdown headings, in this order:',
    ...HANDOFF_SECTIONS.map((section) => `## ${section}`),
    '',
    'Under "Critical data and references" keep file paths, ids, commands and error messages',
    'verbatim. Be concrete and terse: facts, not narration. Do not invent anything the events do not show.',
    `Stay within about ${budget} tokens.`,
  ].join('\n');
}

function renderInput(previous: string | undefined, events: string[]): string {
  const old = previous?.trim() ? previous.trim() : '(none: this is the first summary)';
  return `# Summary so far\n${old}\n\n# New events (${events.length}, oldest first)\n${events.join('\n')}`;
}

function summaryText(response: OpenAI.Responses.Response, model: string): string {
  if (response.error) throw new Error(`model summary failed (${model}): ${response.error.code}: ${redact(response.error.message)}`);
  // An incomplete answer (output limit reached) still beats none; only an empty one is useless.
  const text = response.output_text.trim();
  if (!text) {
    const why = response.incomplete_details?.reason ? ` (incomplete: ${response.incomplete_details.reason})` : '';
    throw new Error(`model summary failed (${model}): the model returned no text${why}`);
  }
  return text;
}

async function createClient(options: ModelSummarizerOptions): Promise<OpenAI> {
  const { default: OpenAIClient } = await import('openai');
  return new OpenAIClient({
    // A local compatible endpoint often needs no key, but the SDK refuses to start without one.
    apiKey: options.apiKey ?? (options.baseURL ? 'unused' : undefined),
    ...(options.baseURL ? { baseURL: options.baseURL } : {}),
    maxRetries: options.maxRetries ?? 2,
    timeout: options.timeoutMs ?? 120_000,
    // The SDK logs to console (stdout for info/debug), which would corrupt the stdio transport.
    logLevel: 'off',
  });
}

function describeError(error: unknown): string {
  const status = typeof error === 'object' && error !== null && 'status' in error ? (error as { status?: unknown }).status : undefined;
  const message = error instanceof Error ? error.message : String(error);
  return redact(status !== undefined && !message.startsWith(String(status)) ? `HTTP ${String(status)}: ${message}` : message);
}

/** Error messages can echo a key back (e.g. "Incorrect API key provided: sk-…"). */
function redact(text: string): string {
  return text.replace(/\b(sk-[A-Za-z0-9_-]{3})[A-Za-z0-9_*-]{6,}/g, '$1…');
}
