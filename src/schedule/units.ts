/**
 * A drill on a schedule: the systemd service + timer pair (Persistent=true catches up a run missed
 * while the node was off; a randomized delay keeps a fleet from drilling all at once), and the cron
 * line for hosts without systemd. Pure text: the command writes or prints it.
 */
import { shellWord } from '../model/shell-word.js';

export interface ScheduleInput {
  readonly plan: string;
  /** Absolute paths: a unit or a crontab runs from nowhere in particular. */
  readonly planFile: string;
  readonly reportDir: string;
  readonly metricsFile: string;
  /** How to run whisper-drill: node and the CLI script, absolute. */
  readonly command: readonly string[];
  /** "quarterly", "monthly" or a systemd calendar expression. */
  readonly every: string;
  /** Where the cron line's output goes. */
  readonly cronLog: string;
  /** Spreads the cron minute and hour over a fleet; the timer has RandomizedDelaySec instead. */
  readonly seed: string;
  /** What runs: a drill of the plan (default), or `snapshot`, the backup job a drill restores. */
  readonly job?: 'drill' | 'snapshot';
}

const NAMED = {
  quarterly: { calendar: '*-01,04,07,10-01 03:00:00', cronDays: '1 1,4,7,10 *', label: 'Quarterly', hour: 3 },
  monthly: { calendar: '*-*-01 03:00:00', cronDays: '1 * *', label: 'Monthly', hour: 3 },
  // The backup job's usual rhythm: before the drills' 03:00, in the quiet of the night.
  nightly: { calendar: '*-*-* 02:00:00', cronDays: '* * *', label: 'Nightly', hour: 2 },
} as const;

const RANDOMIZED_DELAY = '1h';

export const unitName = (plan: string, job: 'drill' | 'snapshot' = 'drill') => (job === 'snapshot' ? `whisper-drill-snapshot-${plan}` : `whisper-drill-${plan}`);

export function calendarOf(every: string): string {
  return every in NAMED ? NAMED[every as keyof typeof NAMED].calendar : every;
}

/** One word of ExecStart: double-quoted when needed; `%` is a specifier in units, so it is doubled. */
function unitWord(word: string): string {
  const escaped = word.replaceAll('%', '%%');
  return /^[\w./@+=:,-]+$/.test(escaped) ? escaped : `"${escaped.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

/** One word for /bin/sh in a crontab, where `%` ends the command and so is escaped. */
const cronWord = (word: string): string => shellWord(word).replaceAll('%', '\\%');

function drillArgs(input: ScheduleInput): string[] {
  if (input.job === 'snapshot') return [...input.command, 'snapshot', '--plan', input.planFile, '--yes'];
  return [...input.command, 'drill', '--plan', input.planFile, '--yes', '--report-dir', input.reportDir, '--metrics-file', input.metricsFile];
}

const what = (input: ScheduleInput) => (input.job === 'snapshot' ? 'snapshot (backup)' : 'restore drill');

export function renderService(input: ScheduleInput): string {
  return `[Unit]
Description=whisper-drill: ${what(input)} of ${input.plan}
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
${
  input.job === 'snapshot'
    ? `# A refused or failed snapshot fails the unit (exit 1): nothing was tagged, and systemctl --failed shows it.
# "Nothing changed" is a success (exit 0) with no tag.`
    : `# A failed drill fails the unit (exit 1; 3 inconclusive), so OnFailure= and systemctl --failed show it;
# the metrics file tells Prometheus either way.`
}
ExecStart=${drillArgs(input).map(unitWord).join(' ')}
WorkingDirectory=${input.reportDir.replaceAll('%', '%%')}
# A drill restores gigabytes and installs packages: no start timeout, and it yields to the node's work.
TimeoutStartSec=infinity
Nice=10
`;
}

export function renderTimer(input: ScheduleInput): string {
  const label = input.every in NAMED ? NAMED[input.every as keyof typeof NAMED].label : `On ${input.every}`;
  return `[Unit]
Description=whisper-drill: ${label.toLowerCase()} ${what(input)} of ${input.plan}

[Timer]
OnCalendar=${calendarOf(input.every)}
# Run at boot if the node was off when it was due.
Persistent=true
# Nodes of a fleet do not all drill the same backup server at the same minute.
RandomizedDelaySec=${RANDOMIZED_DELAY}
Unit=${unitName(input.plan, input.job)}.service

[Install]
WantedBy=timers.target
`;
}

/** The crontab line for `quarterly` and `monthly`; a systemd calendar expression has no general cron form. */
export function renderCronLine(input: ScheduleInput): string | undefined {
  const named = NAMED[input.every as keyof typeof NAMED];
  if (!named) return undefined;
  // A fixed minute in the hour after 03:00, different per node and plan: cron's randomized delay.
  let hash = 0;
  for (const char of input.seed) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  const command = `cd ${cronWord(input.reportDir)} && ${drillArgs(input).map(cronWord).join(' ')} >> ${cronWord(input.cronLog)} 2>&1`;
  return `${hash % 60} ${named.hour} ${named.cronDays} ${command}`;
}
