/** The demo plan on a port of its own (other drills on this machine may hold the demo's 17860), plus extra YAML. */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot } from './cli.js';
import { freePort } from './sample.js';

export async function writeDemoPlan(file: string, extraYaml = ''): Promise<{ file: string; port: number }> {
  const port = await freePort();
  const demo = await readFile(path.join(repoRoot, 'drills', 'demo.yaml'), 'utf8');
  await writeFile(file, `${demo.replace(/^# yaml-language-server.*\n/, '').replaceAll('17860', String(port))}${extraYaml}`);
  return { file, port };
}
