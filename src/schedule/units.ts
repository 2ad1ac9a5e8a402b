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
}

const NAMED = {
  quarterly: { calendar: '*-01,04,07,10-01 03:00:00', cronDays: '1 1,4,7,10 *', label: 'Quarterly' },
  monthly: { calendar: '*-*-01 03:00:00', cronDays: '1 * *', label: 'Monthly' },
} as const;

const RANDOMIZED_DELAY = '1h';

export const unitName = (plan: string) => `whisper-drill-${plan}`;

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
  return [...input.command, 'drill', '--plan', input.planFile, '--yes', '--report-dir', input.reportDir, '--metrics-file', input.metricsFile];
}

export function renderService(input: ScheduleInput): string {
  return `[Unit]
Description=whisper-drill: restore drill of ${input.plan}
Wants=network-online.target
After=network-online.target

[Service]
Type=oneshot
# A failed drill fails the unit (exit 1; 3 inconclusive), so OnFailure= and systemctl --failed show it;
# the metrics file tells Prometheus either way.
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
Description=whisper-drill: ${label.toLowerCase()} restore drill of ${input.plan}

[Timer]
OnCalendar=${calendarOf(input.every)}
# Run at boot if the node was off when the drill was due.
Persistent=true
# Nodes of a fleet do not all drill the same backup server at the same minute.
RandomizedDelaySec=${RANDOMIZED_DELAY}
Unit=${unitName(input.plan)}.service

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
  return `${hash % 60} 3 ${named.cronDays} ${command}`;
}
