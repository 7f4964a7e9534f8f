/** Writes the hand-off summary of older events: by a model, or extracted from the events. */
export interface Summarizer {
  readonly kind: 'model' | 'extractive';
  summarize(input: {
    /** The summary so far, to extend. */
    previous?: string;
    /** The events to fold in, one rendered line (or a few) each. */
    events: string[];
    /** Tokens the new summary may take. */
    budget: number;
    signal?: AbortSignal;
  }): Promise<string>;
}
