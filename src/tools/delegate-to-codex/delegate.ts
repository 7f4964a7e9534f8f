import { createHash, randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { budgetOf, countTokens, fitHead } from '../../core/budget.js';
import { UserError } from '../../core/errors.js';
import { redactDeep } from '../../core/secrets.js';
import { answerJob, type JobContext, type RunningJob } from '../../core/jobs.js';
import { readJson, STATE_FILE_MODE, writeJsonAtomic } from '../../core/state.js';
import type { ToolContext } from '../../core/context.js';
import { cachedDelegation, storeDelegationCache } from './cache.js';
import { codexVersion, runCodexCli } from './codex-cli.js';
import { endpointOf, knownSupport, rememberSupport } from './endpoint-support.js';
import { normalizeFindings, parseFindings } from './findings.js';
import type { Item } from './responses-agent.js';
import { codexReviewPrompt, reviewPrompt, reviewTarget, type ReviewTarget } from './review.js';
import { route } from './router.js';
import type { DelegateInput, DelegateOutput, Finding } from './schema.js';
import { takeSnapshot } from './snapshot.js';

/** An earlier delegation, kept so a later call with its sessionId continues it. */
interface Delegation {
  id: string;
  backend: 'responses' | 'codex-cli';
  /** The Codex CLI thread to resume. */
  threadId?: string;
  /** The Responses conversation so far. */
  items?: Item[];
  /** The Codex thread's usage so far: on resume the CLI reports the thread's running total. */
  usage?: DelegateOutput['usage'];
}

/** What the job manager keeps about a delegation while it runs, for the "running" answer. */
interface DelegationMeta {
  sessionId: string;
  backend: string;
  model: string;
  effort: string;
}

/** Of a review's diff, the share of the model's window the first message may take. */
const REVIEW_DIFF_SHARE = 0.4;

/**
 * delegate-to-codex: hand a task to a Codex model (Baton runs the agent loop over the
 * Responses API) or to the installed Codex CLI, as a job; answer with what it did and the
 * diff of everything it changed, taken against a snapshot from before it started.
 */
export async function delegate(input: DelegateInput, context: ToolContext): Promise<DelegateOutput> {
  if (input.jobId) return waitFor(input.jobId, input, context);
  if (input.cancel) throw new UserError('cancel needs the jobId of the delegation to cancel');
  const review = input.mode === 'review';
  const task = input.task?.trim() || undefined;
  if (!task && !review) throw new UserError('task is empty', 'Describe the sub-task to delegate');
  if (!review && input.base !== undefined)
    throw new UserError('base is for mode "review"', 'Add mode "review" to review the change against base, or leave base out');
  if (review && input.sessionId) {
    throw new UserError(
      'a review starts afresh; sessionId continues a task',
      'Leave sessionId out; to act on the findings, call again with mode "task" and the sessionId the review returned',
    );
  }

  const earlier = input.sessionId ? await loadDelegation(context, input.sessionId) : undefined;
  const backend = earlier?.backend ?? (await chooseBackend(input.backend, context));
  const target = review ? await reviewTarget(context.workspace, input.base) : undefined;
  // A review is as broad as the change: the files its diff touches stand in for the task's words.
  const routed = route(target ? `${task ?? ''} ${changedPaths(target.diff).join(' ')}` : task!, input.model, input.effort, context.config);
  const sandbox = review ? 'read-only' : input.sandbox;
  if (review && input.sandbox === 'workspace-write') routed.notes.push('a review is read-only: sandbox workspace-write was not used');
  const sessionId = earlier?.id ?? `d-${randomBytes(6).toString('hex')}`;
  const cacheKey = createHash('sha256')
    .update(
      JSON.stringify([
        task ?? '',
        routed.model,
        routed.effort,
        backend,
        input.maxTurns,
        input.budgetTokens ?? null,
        ...(target ? ['review', target.against, target.diffHash] : []),
      ]),
    )
    .digest('hex')
    .slice(0, 32);

  if (backend === 'responses' && sandbox === 'read-only' && !earlier) {
    const hit = await cachedDelegation(context, cacheKey);
    if (hit)
      return {
        ...hit,
        sessionId,
        cached: true,
        notes: [...(hit.notes ?? []), 'served from the cache: same task, model and effort, and nothing it read has changed'],
      };
  }

  const meta: DelegationMeta = { sessionId, backend, model: routed.model, effort: routed.effort };
  const work = (job: JobContext) => runDelegation({ input, task, target, sandbox, backend, routed, sessionId, earlier, cacheKey }, context, job);
  const jobId = context.jobs.start('delegate', work, { meta: { ...meta }, log: context.log });
  return waitFor(jobId, input, context);
}

function waitFor(jobId: string, input: DelegateInput, context: ToolContext): Promise<DelegateOutput> {
  return answerJob(context.jobs, jobId, { ...input, signal: context.signal, progress: context.progress }, runningOutput);
}

function runningOutput({ jobId, meta, lastMessage }: RunningJob): DelegateOutput {
  const known = meta as Partial<DelegationMeta>;
  return {
    status: 'running',
    jobId,
    sessionId: known.sessionId ?? '',
    backend: known.backend ?? 'unknown',
    model: known.model ?? 'unknown',
    effort: known.effort ?? 'unknown',
    finalMessage: lastMessage,
    filesChanged: [],
    diff: '',
    commands: [],
    usage: { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, reasoningTokens: 0 },
    turns: 0,
    compactions: 0,
    notes: [`still running; call delegate-to-codex with {"jobId": "${jobId}"} to wait for the result, or add "cancel": true to stop it`],
  };
}

/** `auto`: the Codex CLI when installed, else the Responses API when configured. */
async function chooseBackend(asked: DelegateInput['backend'], context: ToolContext): Promise<'responses' | 'codex-cli'> {
  const configured = Boolean(context.config.openai.apiKey || context.config.openai.baseUrl);
  if (asked === 'responses') {
    if (!configured)
      throw new UserError(
        'the responses backend needs OPENAI_API_KEY (or OPENAI_BASE_URL for a compatible endpoint)',
        'Set it in the environment Baton runs in',
      );
    return 'responses';
  }
  if (asked === 'codex-cli') return 'codex-cli';
  if (await codexVersion(context.config.delegate.codexBinary)) return 'codex-cli';
  if (configured) return 'responses';
  throw new UserError(
    'no way to delegate: the Codex CLI is not installed and no OpenAI endpoint is configured',
    'Install the CLI (npm install -g @openai/codex) or set OPENAI_API_KEY (or OPENAI_BASE_URL) in the environment Baton runs in',
  );
}

async function loadDelegation(context: ToolContext, id: string): Promise<Delegation> {
  const stored = /^d-[0-9a-f]{12}$/.test(id) ? await readJson<Delegation>(context.state.path('delegations', `${id}.json`)) : undefined;
  if (!stored)
    throw new UserError(
      `no delegation ${id} in this workspace`,
      'Use the sessionId an earlier delegate-to-codex call in this workspace returned, or omit it to start afresh',
    );
  return stored;
}

interface Plan {
  input: DelegateInput;
  /** The task; for a review, the optional extra instructions. */
  task: string | undefined;
  /** What a review reviews. */
  target: ReviewTarget | undefined;
  sandbox: 'read-only' | 'workspace-write';
  backend: 'responses' | 'codex-cli';
  routed: ReturnType<typeof route>;
  sessionId: string;
  earlier: Delegation | undefined;
  cacheKey: string;
}

async function runDelegation(plan: Plan, context: ToolContext, job: JobContext): Promise<DelegateOutput> {
  const { input, task, target, sandbox, backend, routed, sessionId } = plan;
  const snapshot = await takeSnapshot(context.workspace);
  try {
    const tools = { ...context, signal: job.signal, progress: job.progress };
    type Core = Omit<DelegateOutput, 'sessionId' | 'backend' | 'effort' | 'diff' | 'filesChanged'> & { reads?: Array<{ path: string; hash: string }> };
    let core: Core;
    if (backend === 'responses') {
      const [{ default: OpenAI }, { runResponsesAgent }, { modelSummarizer }] = await Promise.all([
        import('openai'),
        import('./responses-agent.js'),
        import('../../core/compaction/model-summarizer.js'),
      ]);
      const connection = { baseURL: context.config.openai.baseUrl, apiKey: context.config.openai.apiKey ?? 'unused' };
      // The SDK retries 429 and 5xx with exponential backoff and jitter; its default logger writes to stdout.
      const client = new OpenAI({ ...connection, maxRetries: 4, timeout: 600_000, logLevel: 'off' });
      const endpoint = endpointOf(connection.baseURL);
      const support = await knownSupport(context, endpoint);
      const notes = [...routed.notes];
      let first = task ?? '';
      if (target) {
        const prompt = await reviewPrompt(target, task, Math.floor(routed.contextWindow * REVIEW_DIFF_SHARE));
        first = prompt.prompt;
        if (prompt.cut)
          notes.push(`the diff was cut to ${Math.round(REVIEW_DIFF_SHARE * 100)} % of the window for the reviewer, who read the rest from the files`);
      }
      const agent = await runResponsesAgent({
        client: client as never,
        endpoint,
        task: first,
        mode: target ? 'review' : 'task',
        model: routed.model,
        smallModel: context.config.delegate.smallModel,
        effort: routed.effort,
        sandbox,
        contextWindow: routed.contextWindow,
        maxTurns: input.maxTurns,
        ...(input.budgetTokens ? { budgetTokens: input.budgetTokens } : {}),
        ...(plan.earlier?.items ? { history: plan.earlier.items } : {}),
        summarizer: modelSummarizer({
          model: context.config.delegate.smallModel,
          ...(connection.baseURL ? { baseURL: connection.baseURL } : {}),
          apiKey: connection.apiKey,
        }),
        support,
        modelNotFound: modelNotFound(plan, context, endpoint),
        signal: job.signal,
        progress: job.progress,
        tools,
      });
      await rememberSupport(context, endpoint, support, agent.learned);
      await saveDelegation(context, { id: sessionId, backend, items: agent.items });
      notes.push(...agent.notes);
      let findings: Finding[] | undefined;
      if (target) {
        findings = agent.findings ? normalizeFindings(agent.findings, context.workspace.root) : parseFindings(agent.finalMessage, context.workspace.root);
        if (!findings && agent.status === 'completed') notes.push('the reviewer answered without findings Baton could read; its answer is finalMessage');
      }
      core = {
        status: agent.status,
        model: agent.model,
        finalMessage: agent.finalMessage,
        commands: agent.commands,
        usage: agent.usage,
        turns: agent.turns,
        compactions: agent.compactions,
        reads: agent.reads,
        notes,
        ...(target ? { findings: findings ?? [] } : {}),
      };
    } else {
      // `model: "auto"` means Baton's routing on this backend too: the routed model goes to Codex
      // with -m, so the result names the model Codex ran, and the routing notes are about it.
      const cli = await runCodexCli({
        ...(context.config.delegate.codexBinary ? { binary: context.config.delegate.codexBinary } : {}),
        cwd: context.workspace.root,
        task: target ? (task ? codexReviewPrompt(target, task) : '') : task!,
        model: routed.model,
        effort: routed.effort,
        sandbox,
        ...(target ? { review: { ...(target.base !== undefined ? { base: target.base } : {}), prompt: task !== undefined } } : {}),
        ...(plan.earlier?.threadId ? { resumeThreadId: plan.earlier.threadId } : {}),
        passEnv: ['OPENAI_API_KEY', 'CODEX_API_KEY', ...context.config.env.pass],
        timeoutMs: 3_600_000,
        signal: job.signal,
        onProgress: job.progress,
      });
      if (cli.status === 'failed' && cli.error && MODEL_NOT_FOUND.test(cli.error)) {
        throw modelNotFound(plan, context, "the Codex CLI's model provider", false)(routed.model, cli.error);
      }
      await saveDelegation(context, { id: sessionId, backend, ...(cli.threadId ? { threadId: cli.threadId } : {}), usage: cli.usage });
      const before = plan.earlier?.usage;
      const usage = before
        ? {
            inputTokens: cli.usage.inputTokens - before.inputTokens,
            cachedInputTokens: cli.usage.cachedInputTokens - before.cachedInputTokens,
            outputTokens: cli.usage.outputTokens - before.outputTokens,
            reasoningTokens: cli.usage.reasoningTokens - before.reasoningTokens,
          }
        : cli.usage;
      const finalMessage = cli.finalMessage || cli.error || '';
      core = {
        status: cli.status,
        model: routed.model,
        finalMessage,
        commands: cli.commands,
        usage,
        turns: cli.turns,
        compactions: 0,
        notes: routed.notes,
        ...(target ? { findings: cli.status === 'completed' ? (parseFindings(cli.finalMessage, context.workspace.root) ?? []) : [] } : {}),
      };
    }
    const { diff, files } = await snapshot.diff();
    const { reads, ...rest } = core;
    const output = await withinBudget({ ...rest, sessionId, backend, effort: routed.effort, filesChanged: files, diff }, input.maxTokens, context, job.jobId);
    if (backend === 'responses' && sandbox === 'read-only' && output.status === 'completed' && !plan.earlier) {
      await storeDelegationCache(context, plan.cacheKey, reads ?? [], output);
    }
    return output;
  } finally {
    await snapshot.dispose();
  }
}

/** How Codex and OpenAI-compatible endpoints word a model they do not serve. */
const MODEL_NOT_FOUND = /model_not_found|\bmodel\b[^\n]*\b(does not exist|not found)/i;

/**
 * The tool error for a model the endpoint does not serve: it names the model, the endpoint and
 * what to change (the configuration key the model came from, or the `model` input).
 */
function modelNotFound(plan: Plan, context: ToolContext, endpoint: string, doctorLists = true): (model: string, reason: string) => UserError {
  return (model, reason) => {
    const { delegate } = context.config;
    const keys = [model === delegate.smallModel ? 'delegate.smallModel' : '', model === delegate.largeModel ? 'delegate.largeModel' : ''].filter(Boolean);
    const asked = plan.input.model !== 'auto' && plan.input.model === model;
    // `doctor` lists what Baton's own endpoint serves, not what the Codex CLI's provider does.
    const served = doctorLists ? 'a model it serves (`baton-mcp doctor` lists them)' : 'a model it serves';
    const hint = asked
      ? `Pass ${served} as model, or correct "${model}" under delegate.models in the Baton config`
      : `Set ${keys.join(' and ') || `delegate.models (the entry "${model}")`} in the Baton config to ${served}`;
    return new UserError(`the model "${model}" is not served by ${endpoint} (${reason.replace(/\s+/g, ' ').slice(0, 300)})`, hint);
  };
}

/** The files a unified diff touches. */
function changedPaths(diff: string): string[] {
  return [...new Set([...diff.matchAll(/^diff --git a\/(\S+) b\//gm)].map((match) => match[1]!))];
}

async function saveDelegation(context: ToolContext, delegation: Delegation): Promise<void> {
  // What a task or the conversation carried of credentials is not kept at rest.
  await writeJsonAtomic(context.state.path('delegations', `${delegation.id}.json`), redactDeep(delegation));
}

/** A diff over the budget is saved whole in the state dir, and the result says where. */
async function withinBudget(output: DelegateOutput, maxTokens: number | undefined, context: ToolContext, jobId: string): Promise<DelegateOutput> {
  const budget = budgetOf(maxTokens);
  const rest = budget - (await countTokens(output.finalMessage)) - (output.findings ? await countTokens(JSON.stringify(output.findings)) : 0) - 400;
  const cut = await fitHead(output.diff, Math.max(0, rest));
  if (!cut.truncated) return output;
  const file = context.state.path('delegations', `${jobId}.diff`);
  await mkdir(context.state.path('delegations'), { recursive: true });
  await writeFile(file, output.diff, { mode: STATE_FILE_MODE });
  return { ...output, diff: cut.text, notes: [...(output.notes ?? []), `the diff was cut to fit maxTokens; the whole diff is in ${file}`] };
}
