/**
 * Nothing cached on the node stands in for the backup. The operators' anti-pattern: a service that
 * loads its model from ~/.cache/whisper rather than from the restored models/ — here a start command
 * that refuses to start without that cached file, as whisper.load_model("large-v3") would. The drill
 * is given a HOME (a temp dir, never the machine's own) with the cached copy in it.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDrill } from '../../src/core/engine.js';
import type { DrillEvent } from '../../src/model/events.js';
import type { DrillRecord } from '../../src/model/record.js';
import { writeOutputs } from '../../src/outputs/index.js';
import { loadPlan } from '../../src/plan/load.js';
import { writeDemoPlan } from '../helpers/demo-plan.js';
import { headlessOptions } from '../helpers/drill-options.js';
import { sampleBackup } from '../helpers/sample.js';

let tmp: string;
let nodeHome: string;

/** The demo plan, without a venv (the stand-in needs only the standard library), its service needing the cached model. */
async function antiPatternPlan(name: string, extraYaml: string): Promise<string> {
  const { file, port } = await writeDemoPlan(path.join(tmp, `${name}.yaml`));
  const cached = '$HOME/.cache/whisper/large-v3.pt';
  const start = `sh -c 'test -f "${cached}" || { echo "FileNotFoundError: ${cached} (whisper.load_model)" >&2; exit 1; }; exec python3 app.py --port ${port}'`;
  const text = (await readFile(file, 'utf8'))
    .replace(/install:\n {2}commands:\n(?: {4}.*\n|\s*#.*\n)+/, `install:\n  commands:\n    - 'for v in HOME XDG_CACHE_HOME HF_HUB_OFFLINE GRADIO_ANALYTICS_ENABLED; do printenv "$v" | sed "s/^/$v=/"; done'\n`)
    .replace(/ {2}start: .*\n/, `  start: ${JSON.stringify(start)}\n`)
    // The transcription assertions alone: no GPU question here.
    .replace(/ {2}- name: model resident on GPU\n(?: {4}.*\n)+/, '');
  await writeFile(file, `${text}${extraYaml}`);
  return file;
}

async function drill(file: string): Promise<{ record: DrillRecord; events: DrillEvent[] }> {
  const plan = await loadPlan(file);
  const sample = await sampleBackup();
  const events: DrillEvent[] = [];
  const record = await runDrill(
    headlessOptions(plan, tmp, {
      tag: 'v1.2-config-tuned',
      env: { HOME: nodeHome, GRADIO_TEMP_DIR: path.join(tmp, 'uploads') },
      save: writeOutputs,
      resolveBuiltinRepo: async () => ({ url: sample.url, allowedSigners: sample.allowedSigners }),
    }),
    (event) => events.push(event),
  );
  return { record, events };
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-isolation-'));
  nodeHome = path.join(tmp, 'node-home');
  await mkdir(path.join(nodeHome, '.cache', 'whisper'), { recursive: true });
  await writeFile(path.join(nodeHome, '.cache', 'whisper', 'large-v3.pt'), 'the node’s cached copy');
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('isolation of install, start and assert from the node', () => {
  it('by default: a scratch HOME and caches, hubs offline — the service that needs the node’s cache does not start, in its own words', async () => {
    const { record, events } = await drill(await antiPatternPlan('scratch', ''));
    expect(record.verdict).toBe('failed');
    const start = record.steps.find((step) => step.id === 'start');
    expect(start?.status).toBe('failed');
    const scratch = path.join(record.workdir === '' ? tmp : record.workdir, '.whisper-drill', 'home');
    const lines = events.flatMap((event) => (event.type === 'log' ? [event.line] : []));
    expect(lines.join('\n')).toContain(`FileNotFoundError: ${scratch}/.cache/whisper/large-v3.pt`);
    // install ran with the same environment: printenv's own output.
    expect(lines).toEqual(expect.arrayContaining([`HOME=${scratch}`, `XDG_CACHE_HOME=${path.join(scratch, '.cache')}`, 'HF_HUB_OFFLINE=1', 'GRADIO_ANALYTICS_ENABLED=False']));
    expect(record.isolation).toMatchObject({ home: 'scratch', achieved: expect.arrayContaining(['home', 'caches', 'hubs-offline']) });
    expect(record.isolation?.how).toEqual(expect.arrayContaining([expect.stringContaining(scratch)]));
    expect(await readFile(path.join(record.reportDir, 'report.md'), 'utf8')).toContain('## Isolation');
  }, 120_000);

  it('isolation.home: host lets the node’s cache stand in, and the report says the drill was not isolated from it', async () => {
    const { record, events } = await drill(await antiPatternPlan('host', 'isolation:\n  home: host\n'));
    const lines = events.flatMap((event) => (event.type === 'log' ? [event.line] : []));
    expect(lines).toEqual(expect.arrayContaining([`HOME=${nodeHome}`, 'HF_HUB_OFFLINE=1']));
    expect(record.steps.map((step) => [step.id, step.status, step.summary])).toContainEqual(['start', 'passed', expect.any(String)]);
    expect(record.isolation).toMatchObject({ home: 'host' });
    expect(record.isolation?.achieved).not.toContain('home');
    expect(record.isolation?.how[0]).toMatch(/^not isolated from the node's HOME and caches \(isolation.home: host\)/);
  }, 120_000);
});
