/**
 * schedule --plan P --every quarterly|monthly|nightly|<systemd calendar>: the systemd service and
 * timer that drill the plan (with --snapshot: that make its backup, `whisper-drill snapshot`) (and the cron line for hosts without systemd), printed — or with --install
 * written to /etc/systemd/system (--unit-dir elsewhere). systemctl is run only for the system's
 * own unit directory and only where systemd runs; otherwise the commands to run are printed.
 */
import { existsSync, realpathSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { usageError } from '../model/errors.js';
import { loadPlan } from '../plan/load.js';
import { writeAtomically } from '../outputs/index.js';
import { renderCronLine, renderService, renderTimer, unitName, type ScheduleInput } from '../schedule/units.js';
import type { CliArgs } from './args.js';

const SYSTEM_UNIT_DIR = '/etc/systemd/system';

export function scheduleInput(args: CliArgs, planName: string, planReportDir: string, cliScript: string): ScheduleInput {
  const reportDir = path.resolve(args.reportDir ?? planReportDir);
  return {
    plan: planName,
    planFile: path.resolve(args.plan!),
    reportDir,
    metricsFile: path.resolve(args.metricsFile ?? `/var/lib/prometheus/node-exporter/whisper-drill-${planName}.prom`),
    command: [process.execPath, cliScript],
    every: args.every!,
    cronLog: path.join(reportDir, 'whisper-drill-cron.log'),
    seed: `${os.hostname()} ${planName}`,
    job: args.snapshot ? 'snapshot' : 'drill',
  };
}

/** A calendar expression of one's own is checked by systemd itself, where it is installed. */
async function checkCalendar(every: string): Promise<void> {
  if (every === 'quarterly' || every === 'monthly' || every === 'nightly') return;
  const result = await execa('systemd-analyze', ['calendar', every], { reject: false });
  if ((result as { code?: string }).code === 'ENOENT') return;
  if (result.exitCode !== 0) throw usageError(`--every ${every}: not a systemd calendar expression (${result.stderr.trim()})`, 'e.g. quarterly, monthly, "Mon *-*-1..7 02:00"; see man systemd.time');
}

export async function scheduleCommand(args: CliArgs): Promise<number> {
  // --plan and --every are required by the command table (./spec.ts).
  await checkCalendar(args.every!);
  const plan = await loadPlan(path.resolve(args.plan!));
  const input = scheduleInput(args, plan.name, plan.report.dir, realpathSync(process.argv[1]!));
  if (args.snapshot && !plan.backup) throw usageError(`schedule --snapshot: ${plan.file} has no backup: section`, 'add one (docs/snapshot.md): the timer runs whisper-drill snapshot --plan … --yes');
  const name = unitName(plan.name, input.job);
  const units = { [`${name}.service`]: renderService(input), [`${name}.timer`]: renderTimer(input) };
  const cron = renderCronLine(input);
  const out = (text: string) => process.stdout.write(text);
  if (!args.install) {
    for (const [file, text] of Object.entries(units)) out(`# ${file}\n${text}\n`);
    out(cron ? `# Without systemd, this crontab line (crontab -e) does the same:\n${cron}\n` : '# No cron line: a systemd calendar expression has no general cron form; write one by hand.\n');
    return 0;
  }
  const unitDir = path.resolve(args.unitDir ?? SYSTEM_UNIT_DIR);
  await mkdir(unitDir, { recursive: true });
  await mkdir(input.reportDir, { recursive: true });
  for (const [file, text] of Object.entries(units)) {
    await writeAtomically(path.join(unitDir, file), text);
    out(`wrote ${path.join(unitDir, file)}\n`);
  }
  const enable = [['daemon-reload'], ['enable', '--now', `${name}.timer`]];
  if (unitDir === SYSTEM_UNIT_DIR && existsSync('/run/systemd/system')) {
    for (const argv of enable) await execa('systemctl', argv);
    out(`enabled ${name}.timer: systemctl list-timers ${name}.timer shows the next run\n`);
  } else {
    out(`enable it with: ${enable.map((argv) => `systemctl ${argv.join(' ')}`).join(' && ')}\n`);
  }
  return 0;
}
