import { z } from 'zod';
import { maxTokensInput } from '../core/budget.js';

export const SessionInput = z
  .object({
    action: z.enum(['resume', 'checkpoint', 'list', 'compact']).default('resume'),
    sessionId: z.string().optional(),
    goal: z.string().optional(),
    constraints: z.array(z.string()).optional().describe('Added to earlier ones'),
    retire: z.array(z.string()).optional(),
    plan: z.array(z.object({ step: z.string(), status: z.string() })).optional(),
    decisions: z.array(z.string()).optional(),
    notes: z.string().optional(),
    next: z.array(z.string()).optional(),
    maxTokens: maxTokensInput,
  })
  .strict();
export type SessionInput = z.output<typeof SessionInput>;

export const SessionOutput = z.object({
  sessionId: z.string().optional(),
  // resume, compact
  brief: z.string().optional(),
  tokens: z.number().optional(),
  events: z.number().optional(),
  summarizedThrough: z.number().optional(),
  compactions: z.number().optional(),
  // checkpoint
  briefTokens: z.number().optional(),
  compactionRecommended: z.boolean().optional(),
  // list
  sessions: z.array(z.object({ id: z.string(), goal: z.string().optional(), updatedAt: z.string(), events: z.number() })).optional(),
});
export type SessionOutput = z.output<typeof SessionOutput>;
