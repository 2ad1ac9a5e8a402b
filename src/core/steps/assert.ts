/** assert: transcription assertions against the running service, and the GPU-memory assertion. */
import path from 'node:path';
import { gpuMemoryAssertion } from '../assertions/gpu-memory.js';
import { compareTranscript } from '../../transcribe/compare.js';
import { transcriberFor } from '../../transcribe/registry.js';
import { DrillError } from '../../model/errors.js';
import { assertionStatus, type AssertionOutcome, type AssertionResult } from '../../model/record.js';
import type { TranscriptionAssertion } from '../../plan/types.js';
import { judgeServiceProof } from '../service-proof.js';
import { defineStep, type StepContext } from './step.js';


async function transcription(ctx: StepContext, assertion: TranscriptionAssertion, env: Readonly<Record<string, string>>): Promise<AssertionResult> {
  // A silence control expects nothing at all.
  const expected = assertion.expect.contains ?? '';
  const base = { name: assertion.name, api: assertion.api, audio: assertion.audio, expected, required: assertion.required };
  // One request may not outlast its limit: a stream that never completes, a server that never answers.
  const limitSec = ctx.plan.service.requestTimeoutSec;
  const request = new AbortController();
  const overdue = new Error(`no answer within service.requestTimeoutSec (${limitSec} s)`);
  const timer = setTimeout(() => request.abort(overdue), limitSec * 1000);
  const forward = () => request.abort(ctx.signal.reason);
  ctx.signal.addEventListener('abort', forward, { once: true });
  try {
    const result = await transcriberFor(assertion)({
      baseUrl: ctx.plan.service.url,
      audioPath: path.join(ctx.workspace.dir, assertion.audio),
      language: assertion.language,
      endpoint: assertion.endpoint,
      model: assertion.model,
      apiKey: ctx.options.apiKey,
      cwd: ctx.workspace.dir,
      env: { ...ctx.options.env, ...env, ...ctx.plan.service.env },
      signal: request.signal,
    });
    const verdict = compareTranscript(result.text, assertion.expect);
    return {
      ...base,
      actual: result.text,
      normalizedExpected: verdict.normalizedExpected,
      normalizedActual: verdict.normalizedActual,
      cer: verdict.cer,
      passed: verdict.passed,
      latencyMs: result.latencyMs,
      detail: `${verdict.reason} (${result.via})`,
    };
  } catch (error) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const message = request.signal.reason === overdue ? `${ctx.plan.service.url}: ${overdue.message}` : (error as Error).message;
    return { ...base, actual: '', cer: null, passed: false, latencyMs: null, detail: withoutSecret(message, ctx.options.apiKey) };
  } finally {
    clearTimeout(timer);
    ctx.signal.removeEventListener('abort', forward);
  }
}

/** A server may echo what it was sent: the key never reaches the record. */
function withoutSecret(message: string, secret: string | undefined): string {
  return secret ? message.replaceAll(secret, '***') : message;
}

function summarize(assertions: readonly AssertionOutcome[]): { ran: number; failed: number; notRun: number } {
  const ran = assertions.filter((a) => !a.inconclusive);
  return { ran: ran.length, failed: ran.filter((a) => !a.passed).length, notRun: assertions.length - ran.length };
}

export const assertStep = defineStep({
  id: 'assert',
  title: 'Assert transcriptions',
  needs: ['start', 'fetch'],
  run: async (ctx, { start, fetch }) => {
    // The plan's assertions, then the proof: the restored model was the one in use, and no network was needed.
    const total = ctx.plan.assertions.length + 2;
    const assertions: AssertionOutcome[] = [];
    let firstTranscriptMs: number | undefined;
    let recoveryMs: number | undefined;
    for (const [index, assertion] of ctx.plan.assertions.entries()) {
      ctx.progress({ current: index, total, unit: 'assertions', label: assertion.name });
      const result = assertion.kind === 'gpu-memory'
        ? await gpuMemoryAssertion(assertion, start.service.pid, { env: ctx.options.env, runner: ctx.runner, signal: ctx.signal })
        : await transcription(ctx, assertion, start.env);
      const outcome: AssertionOutcome = { status: assertionStatus(result), ...result };
      assertions.push(outcome);
      ctx.emit({ type: 'assertion', outcome });
      // Recovery ends when the service first transcribes correctly: measured from the start of `start`,
      // and (recoveryMs) from the start of `fetch` — what an empty node waits for.
      if (assertion.kind === 'transcription' && outcome.passed && firstTranscriptMs === undefined) {
        const now = performance.now();
        firstTranscriptMs = Math.round(now - start.startedAtMs);
        recoveryMs = Math.round(now - fetch.startedAtMs);
      }
    }
    // Last, once every request has been served: did the service run the restored model, and nothing else?
    ctx.progress({ current: total - 2, total, unit: 'assertions', label: 'restored model in use' });
    const { assertions: proof } = await judgeServiceProof(ctx, start.proof, start.service.pid);
    for (const outcome of proof) {
      assertions.push(outcome);
      ctx.emit({ type: 'assertion', outcome });
    }
    ctx.progress({ current: total, total, unit: 'assertions' });
    if (firstTranscriptMs !== undefined) ctx.emit({ type: 'rto', rto: { firstTranscriptMs, ...(recoveryMs !== undefined ? { recoveryMs } : {}) } });
    const failedRequired = assertions.filter((a) => !a.inconclusive && !a.passed && a.required);
    const first = failedRequired[0];
    if (first) throw new DrillError(`${failedRequired.length} of ${total} assertion(s) failed; first: ${first.name}: ${first.detail}`);
    const { ran, failed, notRun } = summarize(assertions);
    if (ran === 0) {
      // Zero assertions run is never "passed": the verdict says so ("zero assertions were run").
      return { status: 'warned', summary: 'no assertion could be run', output: { assertions } };
    }
    const summary = `${ran - failed}/${ran} assertion(s) passed${notRun ? `, ${notRun} could not run` : ''}${failed ? `, ${failed} optional failed` : ''}`;
    return { status: notRun > 0 || failed > 0 ? 'warned' : 'passed', summary, output: { assertions } };
  },
});
