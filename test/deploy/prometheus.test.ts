/**
 * The metrics a drill writes and the alert rules shipped over them, checked by promtool itself:
 * `check metrics` on rendered output (the e2e demo drills check a real run's file), `test rules` on
 * deploy/prometheus/.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { historyByHost } from '../../src/history/trend.js';
import { renderMetrics } from '../../src/outputs/metrics.js';
import { writeMetricsFile } from '../../src/commands/metrics-file.js';
import { repoRoot } from '../helpers/cli.js';
import { promtool } from '../helpers/promtool.js';
import { asPastDrill, quarterlyDrills, recordOf, writePastReport } from '../helpers/reports.js';

const NOW = new Date('2026-06-30T12:00:00Z');
const drills = quarterlyDrills('gpu-a', [10_000, 10_400, 9_800, 10_100, 16_000], NOW, { plan: 'large-v3', policy: '90d' });
const latest = recordOf(drills.at(-1)!, [
  { status: 'passed', name: 'mandarin "zh" sample', api: 'gradio', expected: '欢迎', actual: '欢迎', cer: 0, passed: true, required: true, latencyMs: 812, detail: '' },
  { status: 'inconclusive', name: 'model resident on GPU', api: 'nvidia-smi', expected: '', actual: '', cer: null, passed: false, inconclusive: true, required: false, latencyMs: null, detail: '' },
]);

describe('metrics (textfile collector)', () => {
  it('carries verdict, times, RTO per phase with its baseline and regression, and each assertion, labelled by plan, host and tag', async () => {
    const [history] = historyByHost(drills.map(asPastDrill), NOW);
    const text = renderMetrics(latest, history);
    const run = 'plan="large-v3",host="gpu-a",mode="drill",tag="v1.4"';
    expect(text).toContain(`whisper_drill_verdict{${run},verdict="passed"} 1`);
    expect(text).toContain(`whisper_drill_verdict{${run},verdict="failed"} 0`);
    expect(text).toContain(`whisper_drill_last_success_timestamp_seconds{plan="large-v3",host="gpu-a"} ${Date.parse(drills.at(-1)!.startedAt) / 1000}`);
    expect(text).toContain('whisper_drill_policy_max_age_seconds{plan="large-v3",host="gpu-a"} 7776000');
    expect(text).toContain(`whisper_drill_rto_seconds{${run},phase="install"} 14`);
    expect(text).toContain('whisper_drill_rto_baseline_seconds{plan="large-v3",host="gpu-a",phase="install"} 8.05');
    expect(text).toContain(`whisper_drill_rto_regression{${run},phase="install"} 1`);
    expect(text).toContain(`whisper_drill_rto_regression{${run},phase="fetch"} 0`);
    expect(text).toContain(`whisper_drill_assertion_cer{${run},assertion="mandarin \\"zh\\" sample"} 0`);
    expect(text).toContain(`whisper_drill_assertion_latency_seconds{${run},assertion="mandarin \\"zh\\" sample"} 0.812`);
    expect(text).toContain(`whisper_drill_assertion_passed{${run},assertion="model resident on GPU"} 0`);
    const checked = await promtool(['check', 'metrics'], { input: text });
    expect(checked, checked.output).toEqual({ code: 0, output: '' });
  });

  it("carries the plan's recovery-time goal beside the recovery, for the alert over them", async () => {
    const withGoal = { ...latest, rto: { ...latest.rto, recoveryMs: 1_200_000, goalMs: 900_000 } };
    const [history] = historyByHost(drills.map(asPastDrill), NOW);
    const text = renderMetrics(withGoal, history);
    expect(text).toContain('whisper_drill_rto_seconds{plan="large-v3",host="gpu-a",mode="drill",tag="v1.4",phase="recovery"} 1200');
    expect(text).toContain('whisper_drill_rto_goal_seconds{plan="large-v3",host="gpu-a"} 900');
    expect(await promtool(['check', 'metrics'], { input: text })).toEqual({ code: 0, output: '' });
  });

  it('is written atomically from the earlier history and this drill, and says 0 when nothing ever passed', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-metrics-'));
    try {
      const failed = { ...drills[0]!, verdict: 'failed' as const };
      await writePastReport(root, failed);
      const file = path.join(root, 'textfile', 'whisper-drill.prom');
      await writeMetricsFile(file, recordOf(failed), []);
      const text = await readFile(file, 'utf8');
      expect(text).toContain('whisper_drill_last_success_timestamp_seconds{plan="large-v3",host="gpu-a"} 0');
      expect(text).toContain('whisper_drill_verdict{plan="large-v3",host="gpu-a",mode="drill",tag="v1.0",verdict="failed"} 1');
      expect((await promtool(['check', 'metrics'], { input: text })).code).toBe(0);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('alert rules (deploy/prometheus)', () => {
  it('are valid and fire as their tests say: failed, inconclusive, overdue, RTO regression', async () => {
    const cwd = path.join(repoRoot, 'deploy', 'prometheus');
    const checked = await promtool(['check', 'rules', 'whisper-drill.rules.yml'], { cwd });
    expect(checked.code, checked.output).toBe(0);
    expect(checked.output).toContain('SUCCESS: 6 rules found');
    const tested = await promtool(['test', 'rules', 'whisper-drill.rules.test.yml', 'whisper-drill.rules.overdue.test.yml'], { cwd });
    expect(tested.code, tested.output).toBe(0);
    expect(tested.output.match(/^  SUCCESS$/gm)).toHaveLength(2);
  });
});
