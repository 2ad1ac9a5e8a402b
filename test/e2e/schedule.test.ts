/** `schedule`: the systemd units it prints or installs, checked by systemd-analyze verify, and the cron line. */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeRun, runCli } from '../helpers/cli.js';
import { writeDemoPlan } from '../helpers/demo-plan.js';
import { verifyUnits } from '../helpers/systemd.js';

let scratch = '';
let plan = '';
beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-schedule-'));
  plan = (await writeDemoPlan(path.join(scratch, 'demo.yaml'))).file;
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

const schedule = (...args: string[]) => runCli(['schedule', '--plan', plan, ...args], { cwd: scratch, timeoutMs: 30_000 });

describe('whisper-drill schedule', () => {
  it('prints a quarterly timer (Persistent, randomized delay) and a service that drills with the report root and metrics file, and the cron line', async () => {
    const result = await schedule('--every', 'quarterly', '--report-dir', path.join(scratch, 'reports'), '--metrics-file', path.join(scratch, 'm.prom'));
    expect(result.code, describeRun(result)).toBe(0);
    expect(result.stdout).toContain('# whisper-drill-demo.timer');
    expect(result.stdout).toContain('OnCalendar=*-01,04,07,10-01 03:00:00');
    expect(result.stdout).toContain('Persistent=true');
    expect(result.stdout).toMatch(/^RandomizedDelaySec=1h$/m);
    expect(result.stdout).toMatch(new RegExp(`^ExecStart=\\S+node \\S+/dist/cli\\.js drill --plan ${plan} --yes --report-dir ${scratch}/reports --metrics-file ${scratch}/m\\.prom$`, 'm'));
    expect(result.stdout).toMatch(new RegExp(`^\\d{1,2} 3 1 1,4,7,10 \\* cd ${scratch}/reports && \\S+node \\S+ drill --plan ${plan} --yes .* >> ${scratch}/reports/whisper-drill-cron\\.log 2>&1$`, 'm'));
  });

  it('--install writes units that systemd-analyze verify accepts, and says how to enable them', async () => {
    const units = path.join(scratch, 'units-monthly');
    const result = await schedule('--every', 'monthly', '--install', '--unit-dir', units, '--report-dir', path.join(scratch, 'reports'));
    expect(result.code, describeRun(result)).toBe(0);
    expect(result.stdout).toContain('enable it with: systemctl daemon-reload && systemctl enable --now whisper-drill-demo.timer');
    const files = (await readdir(units)).sort();
    expect(files).toEqual(['whisper-drill-demo.service', 'whisper-drill-demo.timer']);
    expect(await readFile(path.join(units, files[1]!), 'utf8')).toContain('OnCalendar=*-*-01 03:00:00');
    const verified = await verifyUnits(files.map((file) => path.join(units, file)));
    expect(verified, verified.output).toEqual({ code: 0, output: '' });
    // …and the check is a real one: the same timer with a calendar systemd cannot parse is refused.
    const broken = path.join(units, 'broken.timer');
    await writeFile(broken, (await readFile(path.join(units, files[1]!), 'utf8')).replace(/^OnCalendar=.*$/m, 'OnCalendar=someday'));
    expect((await verifyUnits([broken])).output).toContain('Failed to parse calendar specification');
  });

  it('--snapshot: the nightly backup job that replaces the operators\' script — units systemd-analyze verify accepts; a plan without backup: is refused', async () => {
    const withBackup = path.join(scratch, 'backed-up.yaml');
    await writeFile(withBackup, `${await readFile(plan, 'utf8')}backup:\n  from: ${scratch}\n`);
    const units = path.join(scratch, 'units-snapshot');
    const result = await runCli(['schedule', '--plan', withBackup, '--snapshot', '--every', 'nightly', '--install', '--unit-dir', units, '--report-dir', path.join(scratch, 'reports')], { cwd: scratch, timeoutMs: 30_000 });
    expect(result.code, describeRun(result)).toBe(0);
    const files = (await readdir(units)).sort();
    expect(files).toEqual(['whisper-drill-snapshot-demo.service', 'whisper-drill-snapshot-demo.timer']);
    const service = await readFile(path.join(units, files[0]!), 'utf8');
    expect(service).toMatch(new RegExp(`^ExecStart=\\S+node \\S+/dist/cli\\.js snapshot --plan ${withBackup} --yes$`, 'm'));
    expect(service).toContain('Description=whisper-drill: snapshot (backup) of demo');
    expect(await readFile(path.join(units, files[1]!), 'utf8')).toContain('OnCalendar=*-*-* 02:00:00');
    expect(await verifyUnits(files.map((file) => path.join(units, file)))).toEqual({ code: 0, output: '' });
    const printed = await runCli(['schedule', '--plan', withBackup, '--snapshot', '--every', 'nightly'], { cwd: scratch, timeoutMs: 30_000 });
    expect(printed.stdout).toMatch(new RegExp(`^\\d{1,2} 2 \\* \\* \\* cd \\S+ && \\S+node \\S+ snapshot --plan ${withBackup} --yes >> `, 'm'));
    const refused = await schedule('--snapshot', '--every', 'nightly');
    expect(refused.code, describeRun(refused)).toBe(2);
    expect(refused.stderr).toContain(`schedule --snapshot: ${plan} has no backup: section`);
  });

  it('takes a systemd calendar expression (no cron line then), and refuses one systemd does not', async () => {
    const units = path.join(scratch, 'units-custom');
    const result = await schedule('--every', 'Mon *-*-1..7 02:00', '--install', '--unit-dir', units);
    expect(result.code, describeRun(result)).toBe(0);
    const timer = path.join(units, 'whisper-drill-demo.timer');
    expect(await readFile(timer, 'utf8')).toContain('OnCalendar=Mon *-*-1..7 02:00');
    expect(await verifyUnits([timer, path.join(units, 'whisper-drill-demo.service')])).toEqual({ code: 0, output: '' });
    const printed = await schedule('--every', 'Mon *-*-1..7 02:00');
    expect(printed.stdout).toContain('# No cron line');
    const bad = await schedule('--every', 'every blue moon');
    expect(bad.code, describeRun(bad)).toBe(2);
    expect(bad.stderr).toContain('not a systemd calendar expression');
  });
});
