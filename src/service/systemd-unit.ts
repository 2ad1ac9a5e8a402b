/**
 * `setup --systemd`: the restored service as a systemd unit, so the node's init system runs it (and
 * restarts it) instead of a process whisper-drill left behind. The plan's start command runs through
 * /bin/sh as in a drill; stopping is systemd's: the whole control group, TERM then KILL after the
 * plan's stopTimeoutSec, as the drill's own teardown does.
 */
import type { Plan } from '../plan/types.js';

export const serviceUnitName = (plan: string) => `whisper-${plan}.service`;

/** A value inside a unit: `%` is a specifier, `\` and `"` are quoted. */
const quoted = (text: string) => `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('%', '%%')}"`;

/** `isolated`: the environment the service was proven with (scratch HOME and caches, hubs offline): what was proven is what runs. */
export function renderServiceUnit(plan: Plan, dir: string, tag: string | null, isolated: Readonly<Record<string, string>> = {}): string {
  const env = Object.entries({ PYTHONUNBUFFERED: '1', ...isolated, ...plan.service.env }).map(([name, value]) => `Environment=${quoted(`${name}=${value}`)}`);
  const keyNote = plan.service.apiKeyEnv
    ? [`# The service's API key: put ${plan.service.apiKeyEnv}=… in a root-only file and name it here:`, `# EnvironmentFile=/etc/whisper/${plan.name}.env`]
    : [];
  return [
    '[Unit]',
    `Description=Whisper service ${plan.name}${tag ? ` (${tag})` : ''}, restored and verified by whisper-drill setup`,
    'Wants=network-online.target',
    'After=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    // A path setting takes the rest of the line as it is: no quotes, only `%` doubled.
    `WorkingDirectory=${dir.replaceAll('%', '%%')}`,
    `ExecStart=/bin/sh -c ${quoted(plan.service.start)}`,
    ...env,
    ...keyNote,
    'KillMode=control-group',
    `TimeoutStopSec=${plan.service.stopTimeoutSec}`,
    'Restart=on-failure',
    'RestartSec=5',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}
