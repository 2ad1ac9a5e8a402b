/** assert: transcription assertions against the running service, and the GPU-memory assertion. */
import path from 'node:path';
import { gpuMemoryUsedMiB } from '../../probes/nvidia.js';
import { compareTranscript } from '../../transcribe/compare.js';
import { transcriberFor } from '../../transcribe/registry.js';
import type { AssertionOutcome } from '../events.js';
import type { GpuMemoryAssertion, TranscriptionAssertion } from '../plan/types.js';
import { StepFailed, type DrillContext, type StepOutcome } from '../context.js';

async function transcription(ctx: DrillContext, assertion: TranscriptionAssertion): Promise<AssertionOutcome> {
  // A silence control expects nothing at all.
  const expected = assertion.expect.contains ?? '';
  const base = { name: assertion.name, api: assertion.api, audio: assertion.audio, expected, required: assertion.required };
  const started = performance.now();
  try {
    const result = await transcriberFor(assertion)({
      baseUrl: ctx.plan.service.url,
      audioPath: path.join(ctx.workdir, assertion.audio),
      language: assertion.language,
      endpoint: assertion.endpoint,
      cwd: ctx.workdir,
      signal: ctx.signal,
    });
    ctx.rto.firstTranscriptMs ??= Math.round(performance.now() - started);
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
    return { ...base, actual: '', cer: null, passed: false, latencyMs: null, detail: (error as Error).message };
  }
}

async function gpuMemory(assertion: GpuMemoryAssertion, env?: Readonly<Record<string, string>>): Promise<AssertionOutcome> {
  const { min, max } = assertion.gpuMemoryMiB;
  const expected = `${min ?? 0}..${max ?? '∞'} MiB in use`;
  const base = { name: assertion.name, api: 'nvidia-smi', expected, required: assertion.required, cer: null, latencyMs: null };
  const used = await gpuMemoryUsedMiB({ env });
  if (!used.ok) {
    // Could not be measured: not a pass, not a fail.
    return { ...base, actual: '', passed: false, inconclusive: true, detail: used.message };
  }
  const passed = (min === undefined || used.usedMiB >= min) && (max === undefined || used.usedMiB <= max);
  return { ...base, actual: `${used.usedMiB} MiB`, passed, detail: passed ? 'within range' : `outside ${expected}` };
}

export async function assertStep(ctx: DrillContext): Promise<StepOutcome> {
  const total = ctx.plan.assertions.length;
  for (const [index, assertion] of ctx.plan.assertions.entries()) {
    ctx.progress('assert', { current: index, total, unit: 'assertions', label: assertion.name });
    const outcome = assertion.kind === 'gpu-memory' ? await gpuMemory(assertion, ctx.options.env) : await transcription(ctx, assertion);
    ctx.assertions.push(outcome);
    ctx.emit({ type: 'assertion', outcome });
    const mark = outcome.inconclusive ? '?' : outcome.passed ? '✔' : '✖';
    ctx.log('assert', `${mark} ${outcome.name}: ${outcome.detail}`, 'info');
    if (outcome.inconclusive && outcome.required) ctx.inconclusive.push(`${outcome.name}: ${outcome.detail}`);
  }
  ctx.progress('assert', { current: total, total, unit: 'assertions' });
  const ran = ctx.assertions.filter((a) => !a.inconclusive);
  const failed = ctx.assertions.filter((a) => !a.inconclusive && !a.passed);
  const failedRequired = failed.filter((a) => a.required);
  if (failedRequired.length > 0) {
    const first = failedRequired[0]!;
    throw new StepFailed(`${failedRequired.length} of ${total} assertion(s) failed; first: ${first.name}: ${first.detail}`);
  }
  if (ran.length === 0) {
    ctx.inconclusive.push('no assertion could be run');
    return { status: 'warned', summary: 'no assertion could be run' };
  }
  const notRun = ctx.assertions.length - ran.length;
  const summary = `${ran.length - failed.length}/${ran.length} assertion(s) passed${notRun ? `, ${notRun} could not run` : ''}${failed.length ? `, ${failed.length} optional failed` : ''}`;
  return { status: notRun > 0 || failed.length > 0 ? 'warned' : 'passed', summary };
}
