import { z } from 'zod';
import { DEFAULT_WAIT_SEC } from './jobs.js';

/**
 * The inputs every job-backed tool accepts (DESIGN.md §2). Kept apart from core/jobs so that
 * start-up, which needs the job manager, does not build schemas only tool calls need.
 */
export const jobInputs = {
  waitSec: z
    .number()
    .min(0)
    .max(3600)
    .optional()
    .describe(`Seconds to wait for the result before answering "running" with a jobId (default ${DEFAULT_WAIT_SEC})`),
  jobId: z.string().min(1).optional().describe('Wait again for (or cancel) a job an earlier call started'),
  cancel: z.boolean().optional().describe('With jobId: cancel the job and kill its processes'),
};
