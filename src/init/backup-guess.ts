/**
 * Where the running service lives, for the plan's backup: section: the working directory of the
 * process that holds the service's port (/proc/<pid>/cwd), and the model files it would load — under
 * its models/ folder (loaded by path), or in ~/.cache/whisper (loaded by name). What cannot be seen is
 * left for the operator, said so in the plan.
 */
import { readdir, readlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { probePort } from '../probes/ports.js';

export interface BackupGuess {
  /** The service folder, when the port's holder could be seen. */
  readonly from?: string;
  readonly models: ReadonlyArray<{ readonly from: string; readonly to: string }>;
  /** How `from` was found, for the plan's comment. */
  readonly how: string;
}

async function modelsIn(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [] as string[])).filter((name) => name.endsWith('.pt')).sort();
}

export async function guessBackup(url: string, home = os.homedir()): Promise<BackupGuess> {
  const parsed = new URL(url);
  const port = Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80));
  const status = await probePort(port).catch(() => undefined);
  const pid = status?.holder?.pid;
  const from = pid ? await readlink(`/proc/${pid}/cwd`).catch(() => undefined) : undefined;
  const how = from ? `the working directory of ${status?.holder?.command ?? 'the service'} (pid ${pid}), which holds port ${port}` : `the process holding port ${port} could not be seen: set it`;
  const byPath = from ? (await modelsIn(path.join(from, 'models'))).map((name) => ({ from: path.join(from, 'models', name), to: `models/${name}` })) : [];
  const byName = (await modelsIn(path.join(home, '.cache', 'whisper'))).map((name) => ({ from: `~/.cache/whisper/${name}`, to: `models/${name}` }));
  const seen = new Set(byPath.map((model) => model.to));
  return { ...(from ? { from } : {}), models: [...byPath, ...byName.filter((model) => !seen.has(model.to))], how };
}
