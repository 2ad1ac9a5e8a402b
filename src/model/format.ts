/** Human formats shared by the reporters, the wizard and the report. */
import type { ProgressInfo } from './events.js';

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(value >= 100 ? 0 : 1)} ${units[unit]}`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  const rest = Math.round(seconds - minutes * 60);
  return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`;
}

/** "32.0 MiB / 64.0 MiB 50% models/large-v3.pt" */
export function describeProgress(progress: ProgressInfo): string {
  const { current, total, unit } = progress;
  const amount = unit === 'bytes' ? (n: number) => formatBytes(n) : (n: number) => String(n);
  const percent = total ? ` ${Math.floor((current / total) * 100)}%` : '';
  return `${amount(current)}${total !== undefined ? ` / ${amount(total)}` : ''}${percent}${progress.label ? ` ${progress.label}` : ''}`;
}

/** An age in hours under a day, else in whole days: "5 h", "120 days". */
export function formatAge(ms: number): string {
  const DAY_MS = 86_400_000;
  if (ms < DAY_MS) return `${Math.max(0, Math.round(ms / 3_600_000))} h`;
  return `${Math.floor(ms / DAY_MS)} days`;
}
