/**
 * Prometheus metrics of a drill in node_exporter's textfile-collector format: rendered from the
 * record, with the history of this plan on this host for what one record cannot know (the last
 * passing drill, the RTO baseline and regressions). Every series is a gauge labelled by plan and
 * host; those of this run also by tag (and mode). deploy/prometheus/ holds the alert rules over them.
 */
import type { DrillRecord, Verdict } from '../model/record.js';
import { policyAgeMs } from '../plan/rules.js';
import { PHASES, type HostHistory, type Phase } from '../history/trend.js';

const VERDICTS: readonly Verdict[] = ['passed', 'failed', 'inconclusive', 'aborted'];

const PHASE_NAMES: Record<Phase, string> = {
  fetchMs: 'fetch',
  verifyMs: 'verify',
  installMs: 'install',
  startMs: 'start',
  firstTranscriptMs: 'first_transcript',
  recoveryMs: 'recovery',
  totalMs: 'total',
};

type Labels = Readonly<Record<string, string>>;

/** Label values escape backslash, double quote and line feed (the exposition format's rules). */
export function labelText(labels: Labels): string {
  const escape = (value: string) => value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
  return Object.entries(labels)
    .map(([name, value]) => `${name}="${escape(value)}"`)
    .join(',');
}

/** One gauge and its samples, as the exposition format writes them. */
export class Family {
  readonly samples: string[] = [];
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  add(labels: Labels, value: number): void {
    this.samples.push(`${this.name}{${labelText(labels)}} ${Number.isFinite(value) ? value : 'NaN'}`);
  }
  text(): string {
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`, ...this.samples].join('\n');
  }
}

const seconds = (ms: number) => ms / 1000;
const unixSeconds = (iso: string) => Math.round(Date.parse(iso) / 1000);

export function renderMetrics(record: DrillRecord, history: HostHistory | undefined): string {
  const where = { plan: record.plan.name, host: record.host.hostname };
  const run = { ...where, mode: record.mode, tag: record.snapshot.tag ?? '' };
  const family = (name: string, help: string) => new Family(`whisper_drill_${name}`, help);

  const lastRun = family('last_run_timestamp_seconds', 'When the last run (drill, setup or check) of the plan finished on this host.');
  lastRun.add(run, unixSeconds(record.finishedAt));
  const lastSuccess = family('last_success_timestamp_seconds', 'When the last passing drill or setup of the plan started on this host (0: none on record).');
  lastSuccess.add(where, history?.lastPassedAt ? unixSeconds(history.lastPassedAt) : 0);
  const verdict = family('verdict', 'The verdict of the last run: 1 for the verdict it had, 0 for the others.');
  for (const name of VERDICTS) verdict.add({ ...run, verdict: name }, record.verdict === name ? 1 : 0);
  const exitCode = family('exit_code', 'Exit code of the last run (0 passed, 1 failed, 2 usage, 3 inconclusive, 130 interrupted).');
  exitCode.add(run, record.exitCode);
  const families = [lastRun, lastSuccess, verdict, exitCode];

  const every = history?.policy?.every ?? record.plan.policy?.every;
  if (every) {
    const maxAge = family('policy_max_age_seconds', "The plan's policy: the oldest a passing drill may be before the plan is overdue.");
    maxAge.add(where, policyAgeMs(every) / 1000);
    families.push(maxAge);
  }

  const current = record.mode === 'check' ? undefined : history?.drills.at(-1);
  const rto = family('rto_seconds', 'Recovery time of each phase of the last drill.');
  const baseline = family('rto_baseline_seconds', 'Median of the same phase over the previous (up to) four passing drills of the plan on this host.');
  const regression = family('rto_regression', '1 when the phase took more than 25% longer than its baseline.');
  for (const phase of PHASES) {
    const ms = record.rto[phase];
    if (ms === undefined) continue;
    const labels = { ...run, phase: PHASE_NAMES[phase] };
    rto.add(labels, seconds(ms));
    const base = current?.baselineMs[phase];
    if (base === undefined) continue;
    baseline.add({ ...where, phase: PHASE_NAMES[phase] }, seconds(base));
    regression.add(labels, current?.regressions.some((r) => r.phase === phase) ? 1 : 0);
  }

  const cer = family('assertion_cer', 'Character error rate of each transcription assertion (0 = exact).');
  const latency = family('assertion_latency_seconds', 'Latency of each assertion against the restored service.');
  const passed = family('assertion_passed', '1 when the assertion passed, 0 when it failed or could not run.');
  for (const assertion of record.assertions) {
    const labels = { ...run, assertion: assertion.name };
    if (assertion.cer !== null) cer.add(labels, assertion.cer);
    if (assertion.latencyMs !== null) latency.add(labels, seconds(assertion.latencyMs));
    passed.add(labels, assertion.passed ? 1 : 0);
  }
  const goal = family('rto_goal_seconds', "The plan's recovery-time goal (rto.goal), for phase=\"recovery\": from the start of fetch to the first correct transcript.");
  if (record.rto.goalMs !== undefined) goal.add(where, seconds(record.rto.goalMs));
  const critical = family('critical_path', '1 for each step on the path that decided when the first correct transcript came (fetch → install or verify → start → assert), 0 for the others.');
  if (record.rto.criticalPath) {
    for (const step of ['fetch', 'verify', 'install', 'start', 'assert'] as const) critical.add({ ...run, step }, record.rto.criticalPath.includes(step) ? 1 : 0);
  }
  families.push(rto, baseline, regression, goal, critical, cer, latency, passed);
  return `${families
    .filter((f) => f.samples.length > 0)
    .map((f) => f.text())
    .join('\n')}\n`;
}
