/**
 * This node against a snapshot's lock: every difference, classified (major/minor/patch, changed,
 * missing, added) and given the severity the plan sets for it. Only what was measured on both sides
 * is compared; what the lock holds and this run did not measure is listed as not compared.
 */
import { parseVersion } from '../../model/version-range.js';
import type { DriftItem } from '../../model/record.js';
import type { DriftPlan, DriftSetting } from '../../plan/schema-drift.js';
import type { EnvironmentLock, MeasuredEnvironment } from '../../model/environment-lock.js';

type VersionKey = 'python' | 'torch' | 'cuda' | 'cudnn' | 'driver' | 'driverCuda' | 'ffmpeg';
type Value = string | null | undefined;

const VERSIONS: ReadonlyArray<{ key: VersionKey; title: string; get: (env: MeasuredEnvironment) => Value }> = [
  { key: 'python', title: 'Python', get: (e) => e.python },
  { key: 'torch', title: 'PyTorch', get: (e) => (e.torch === undefined ? undefined : (e.torch?.version ?? null)) },
  { key: 'cuda', title: "torch's CUDA", get: (e) => (e.torch === undefined ? undefined : (e.torch?.cuda ?? null)) },
  { key: 'cudnn', title: 'cuDNN', get: (e) => (e.torch === undefined ? undefined : (e.torch?.cudnn ?? null)) },
  { key: 'driver', title: 'NVIDIA driver', get: (e) => (e.nvidia === undefined ? undefined : (e.nvidia?.driver ?? null)) },
  { key: 'driverCuda', title: "driver's CUDA", get: (e) => (e.nvidia === undefined ? undefined : (e.nvidia?.cuda ?? null)) },
  { key: 'ffmpeg', title: 'FFmpeg', get: (e) => (e.ffmpeg === undefined ? undefined : (e.ffmpeg?.version ?? null)) },
];

const TEXTS: ReadonlyArray<{ key: 'os' | 'gpu'; title: string; get: (env: MeasuredEnvironment) => Value }> = [
  { key: 'os', title: 'OS', get: (e) => e.os },
  { key: 'gpu', title: 'GPUs', get: (e) => (e.nvidia === undefined ? undefined : (e.nvidia?.gpus.join(', ') || null)) },
];

/** Which part of a version changed: the first differing component (anything past minor, or a build label, is patch). */
export function versionChange(recorded: string, current: string): 'major' | 'minor' | 'patch' {
  const [a, b] = [parseVersion(recorded) ?? [], parseVersion(current) ?? []];
  if (a[0] !== b[0]) return 'major';
  return a[1] !== b[1] ? 'minor' : 'patch';
}

function item(key: string, title: string, recorded: string | null, current: string | null, change: DriftItem['change'], severity: DriftSetting): DriftItem[] {
  return severity === 'ignore' ? [] : [{ key, title, recorded, current, change, severity }];
}

function versionItem(key: string, title: string, recorded: string | null, current: string | null, plan: DriftPlan[VersionKey]): DriftItem[] {
  if (recorded === current) return [];
  if (current === null) return item(key, title, recorded, current, 'missing', plan.missing);
  if (recorded === null) return item(key, title, recorded, current, 'added', plan.added);
  const change = versionChange(recorded, current);
  return item(key, title, recorded, current, change, plan[change]);
}

/** pip freeze lines: "name==version" (other forms, e.g. "name @ file://…", count as their whole line). */
function packageVersions(lines: readonly string[]): Map<string, string> {
  return new Map(lines.map((line) => {
    const [name = line, version = line] = line.split('==');
    return [name.trim().toLowerCase(), version.trim()];
  }));
}

function packageItems(recorded: readonly string[], current: readonly string[], plan: DriftPlan['packages']): DriftItem[] {
  const [before, now] = [packageVersions(recorded), packageVersions(current)];
  const names = [...new Set([...before.keys(), ...now.keys()])].sort();
  return names.flatMap((name) => versionItem(`package:${name}`, name, before.get(name) ?? null, now.get(name) ?? null, plan));
}

export interface Comparison {
  readonly items: DriftItem[];
  readonly compared: string[];
  readonly notCompared: string[];
}

/** What a comparison may cover: a step compares only what it measures (install: torch, cuda, cudnn, packages). */
export type DriftKey = VersionKey | 'os' | 'gpu' | 'decoders' | 'packages';

export function compareWithLock(lock: EnvironmentLock, here: MeasuredEnvironment, plan: DriftPlan, only?: readonly DriftKey[]): Comparison {
  const within = (key: DriftKey) => only === undefined || only.includes(key);
  const items: DriftItem[] = [];
  const compared: string[] = [];
  const notCompared: string[] = [];
  /** Recorded (a value or null) and measured here: comparable. */
  const both = (title: string, recorded: Value, current: Value): recorded is string | null => {
    if (recorded === undefined) return false;
    (current === undefined ? notCompared : compared).push(title);
    return current !== undefined;
  };
  for (const { key, title, get } of TEXTS.filter((f) => within(f.key))) {
    const [recorded, current] = [get(lock), get(here)];
    if (both(title, recorded, current) && recorded !== current) items.push(...item(key, title, recorded, current ?? null, recorded === null ? 'added' : current === null ? 'missing' : 'changed', plan[key]));
  }
  for (const { key, title, get } of VERSIONS.filter((f) => within(f.key))) {
    const [recorded, current] = [get(lock), get(here)];
    if (both(title, recorded, current)) items.push(...versionItem(key, title, recorded, current ?? null, plan[key]));
  }
  const wanted = lock.ffmpeg?.decoders ?? [];
  const missing = wanted.filter((decoder) => here.ffmpeg && !here.ffmpeg.decoders.includes(decoder));
  if (within('decoders') && here.ffmpeg && missing.length) items.push(...item('decoders', 'FFmpeg decoders', wanted.join(', '), here.ffmpeg.decoders.join(', ') || null, 'missing', plan.decoders));
  // A venv recorded as absent (null) compares as an empty list.
  if (within('packages') && lock.packages !== undefined) {
    const title = 'packages (pip freeze)';
    if (here.packages === undefined) notCompared.push(title);
    else {
      compared.push(title);
      items.push(...packageItems(lock.packages ?? [], here.packages ?? [], plan.packages));
    }
  }
  return { items, compared, notCompared };
}
