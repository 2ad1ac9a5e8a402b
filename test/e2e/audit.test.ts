/**
 * The auditor's report: operator and notes from the flags, what changed since the last drill of the
 * plan on this host (tag, the diff of config.yaml, RTO then and now), and junit.xml valid against the
 * JUnit schema (test/fixtures/junit.xsd, checked by xmllint).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPORT_SCHEMA_VERSION, type DrillRecord } from '../../src/model/record.js';
import { describeRun, repoRoot, runCli } from '../helpers/cli.js';
import { writeDemoPlan } from '../helpers/demo-plan.js';

const XSD = path.join(repoRoot, 'test', 'fixtures', 'junit.xsd');
let scratch = '';
let plan = '';
let reports = '';
beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-audit-'));
  plan = (await writeDemoPlan(path.join(scratch, 'demo.yaml'))).file;
  reports = path.join(scratch, 'reports');
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

async function drill(tag: string, ...extra: string[]): Promise<{ dir: string; report: DrillRecord; markdown: string }> {
  const before = await readdir(path.join(reports, 'demo')).catch(() => [] as string[]);
  const result = await runCli(['drill', '--plan', plan, '--tag', tag, '--report-dir', reports, ...extra], { cwd: scratch, timeoutMs: 120_000 });
  expect(result.code, describeRun(result)).toBe(tag === 'v1.1-broken-model' ? 1 : 0);
  const [folder] = (await readdir(path.join(reports, 'demo'))).filter((name) => !before.includes(name));
  const dir = path.join(reports, 'demo', folder!);
  return { dir, report: JSON.parse(await readFile(path.join(dir, 'report.json'), 'utf8')), markdown: await readFile(path.join(dir, 'report.md'), 'utf8') };
}

async function xmllint(file: string): Promise<{ code: number; output: string }> {
  try {
    const { stderr } = await promisify(execFile)('xmllint', ['--noout', '--schema', XSD, file]);
    return { code: 0, output: stderr };
  } catch (error) {
    const e = error as { code: number; stderr: string };
    return { code: e.code, output: e.stderr };
  }
}

describe.sequential('the auditor\'s report', () => {
  it('the first drill: operator and notes recorded, nothing to compare with yet', async () => {
    const { report, markdown, dir } = await drill('v1.0-model-large-v3', '--operator', 'Dana Ops', '--notes', 'Q3 drill\nticket OPS-42');
    expect(report.schemaVersion).toBe(REPORT_SCHEMA_VERSION);
    expect(report.signOff).toEqual({ operator: 'Dana Ops', notes: 'Q3 drill\nticket OPS-42' });
    expect(report.changes).toBeNull();
    expect(report.snapshot.configFiles?.['config.yaml']).toContain('beam_size');
    expect(markdown).toContain('- Operator: Dana Ops');
    expect(markdown).toContain('  > ticket OPS-42');
    expect(markdown).toContain('The first drill of demo on');
    const valid = await xmllint(path.join(dir, 'junit.xml'));
    expect(valid, valid.output).toEqual({ code: 0, output: `${path.join(dir, 'junit.xml')} validates\n` });
  }, 130_000);

  it('the next drill shows the tag, the config.yaml diff and the RTO then and now; a failed drill\'s junit.xml is valid too', async () => {
    const { report, markdown } = await drill('v1.2-config-tuned');
    const changes = report.changes!;
    expect(changes.tag).toEqual({ from: 'v1.0-model-large-v3', to: 'v1.2-config-tuned' });
    expect(changes.files.map((f) => [f.path, f.change])).toEqual([['config.yaml', 'changed']]);
    // v1.2 rewrote the service's configuration (what git diff v1.0-model-large-v3 v1.2-config-tuned shows)
    expect(changes.files[0]!.diff).toMatch(/^- model_path: models\/large-v3\.pt$/m);
    expect(changes.files[0]!.diff).toMatch(/^\+ fp16: true$/m);
    expect(changes.files[0]!.diff).toMatch(/^ {2}device: cuda$/m);
    expect(changes.unchangedFiles).toEqual(['configuration.json', 'requirements.txt']);
    expect(changes.rto.map((r) => r.phase)).toEqual(['fetchMs', 'verifyMs', 'installMs', 'startMs', 'firstTranscriptMs', 'recoveryMs', 'totalMs']);
    expect(changes.environmentDrift).toBeNull();
    expect(report.signOff).toEqual({ operator: null, notes: null });
    expect(markdown).toContain('- Tag: `v1.0-model-large-v3` → `v1.2-config-tuned`');
    expect(markdown).toContain('### `config.yaml` changed');
    expect(markdown).toMatch(/^\| total \| [\d.]+ m?s \| [\d.]+ m?s \| (±0|[+−]\d+)% \|$/m);
    const failed = await drill('v1.1-broken-model');
    const valid = await xmllint(path.join(failed.dir, 'junit.xml'));
    expect(valid.code, valid.output).toBe(0);
  }, 260_000);
});
