/**
 * `history` over a fleet's reports (gathered under <root>/<host>/ as the Ansible playbook does) and
 * this node's own, and the plan's drill policy where the operator looks first (`check`).
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, runCli } from '../helpers/cli.js';
import { quarterlyDrills, writePastReport } from '../helpers/reports.js';
import { writeDemoPlan } from '../helpers/demo-plan.js';

let scratch = '';
let fleet = '';
const now = new Date();

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-history-e2e-'));
  fleet = path.join(scratch, 'reports');
  // gpu-a: drilled monthly, the newest drill's install got much slower; gpu-b: last passed 120 days ago.
  for (const drill of quarterlyDrills('gpu-a', [10_000, 10_400, 9_800, 10_100, 16_000], now, { plan: 'large-v3', policy: '90d' })) {
    await writePastReport(path.join(fleet, 'gpu-a'), drill);
  }
  for (const drill of quarterlyDrills('gpu-b', [11_000, 11_500], now, { plan: 'large-v3', policy: '90d', endDaysAgo: 120 })) {
    await writePastReport(path.join(fleet, 'gpu-b'), drill);
  }
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

const rowsOf = (stdout: string) => stdout.split('\n').filter((line) => /^\d{4}-\d{2}-\d{2}T/.test(line));

describe('whisper-drill history', () => {
  it('shows every plan on every host: phases, trend, regressions, and an overdue host loudly', async () => {
    const result = await runCli(['history', '--report-dir', fleet], { cwd: scratch, timeoutMs: 30_000 });
    expect(result.code, describeRun(result)).toBe(0);
    const [a, b] = result.stdout.split('\n\n');
    expect(a).toContain('large-v3 on gpu-a');
    expect(a).toMatch(/✔ last passing drill 1 days ago .*; the policy is every 90d/);
    expect(a).toMatch(/total RTO, oldest → newest: [▁▂▃▄▅▆▇█]{5}$/m);
    expect(a).toMatch(/started \(UTC\)\s+host\s+tag\s+verdict\s+fetch\s+verify\s+install\s+start\s+transcript\s+recovery\s+total/);
    expect(rowsOf(a!)).toHaveLength(5);
    expect(rowsOf(a!)[4]).toMatch(/gpu-a\s+v1\.4\s+passed\s+1\.0 s\s+300 ms\s+14\.0 s ▲\s+700 ms\s+900 ms\s+—\s+16\.0 s ▲/);
    expect(a).toContain('▲ install 14.0 s is 74% slower than the median of the drills before it (8.1 s)');
    expect(b).toContain('large-v3 on gpu-b');
    expect(b).toMatch(/⚠ OVERDUE: last passing drill 120 days ago .*; the policy is every 90d/);
  });

  it('narrows to one host with --host, and gives the same facts as JSON', async () => {
    const one = await runCli(['history', '--report-dir', fleet, '--host', 'gpu-b'], { cwd: scratch, timeoutMs: 30_000 });
    expect(one.code, describeRun(one)).toBe(0);
    expect(one.stdout).not.toContain('gpu-a');
    expect(rowsOf(one.stdout)).toHaveLength(2);
    const json = await runCli(['history', '--report-dir', fleet, '--json'], { cwd: scratch, timeoutMs: 30_000 });
    const parsed = JSON.parse(json.stdout) as { drills: unknown[]; hosts: Array<{ host: string; policy: { overdue: boolean }; drills: Array<{ regressions: Array<{ phase: string }> }> }> };
    expect(parsed.drills).toHaveLength(7);
    const byHost = Object.fromEntries(parsed.hosts.map((h) => [h.host, h]));
    expect(byHost['gpu-b']!.policy.overdue).toBe(true);
    expect(byHost['gpu-a']!.policy.overdue).toBe(false);
    expect(byHost['gpu-a']!.drills[4]!.regressions.map((r) => r.phase)).toEqual(['installMs', 'totalMs']);
  });

  it('check says an overdue drill where the operator looks, and the report records it', async () => {
    // Given the demo plan with a policy, and its last passing drill on this host 100 days ago
    const { file: plan } = await writeDemoPlan(path.join(scratch, 'demo-policy.yaml'), 'policy: { every: 90d }\n');
    const own = path.join(scratch, 'own-reports');
    await writePastReport(own, quarterlyDrills(os.hostname(), [10_000], now, { endDaysAgo: 100, policy: '90d' })[0]!);
    // When check runs
    const result = await runCli(['check', '--plan', plan, '--report-dir', own, '--yes'], { cwd: scratch, timeoutMs: 60_000 });
    // Then the policy line says OVERDUE (a warning: check stays healthy) and so does the report
    expect(result.code, describeRun(result)).toBe(0);
    expect(result.stderr).toMatch(/Drill policy.*OVERDUE: last passing drill 100 days ago/);
    const checkDir = (await readdir(path.join(own, 'demo'))).find((name) => name.endsWith('-check'))!;
    const report = JSON.parse(await readFile(path.join(own, 'demo', checkDir, 'report.json'), 'utf8')) as { environment: { checks: Array<{ id: string; status: string }> } };
    expect(report.environment.checks.find((c) => c.id === 'drill-policy')).toMatchObject({ status: 'warned' });
    const json = await runCli(['history', '--report-dir', own, '--plan', plan, '--json'], { cwd: scratch, timeoutMs: 30_000 });
    expect(JSON.parse(json.stdout).hosts[0].policy).toMatchObject({ every: '90d', overdue: true });
  });
});
