/**
 * A model file damaged after `verify` (by the test, synchronously, on the event that ends verify): the
 * service opens it, cannot load it, and the drill fails at `start` with the service's own words — and
 * the provenance says the service did open the restored file: the proof and the failure agree.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runDrill } from '../../src/core/engine.js';
import { loadPlan } from '../../src/plan/load.js';
import { writeDemoPlan } from '../helpers/demo-plan.js';
import { headlessOptions } from '../helpers/drill-options.js';
import { sampleBackup } from '../helpers/sample.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-corrupt-'));
});
afterAll(() => rm(tmp, { recursive: true, force: true }));

it('a model damaged after verify: the service fails to load it, the drill fails at start in its words, and the service did open it', async () => {
  const { file } = await writeDemoPlan(path.join(tmp, 'plan.yaml'));
  // No venv: the stand-in needs only python3's standard library.
  await writeFile(file, (await readFile(file, 'utf8')).replace(/install:\n {2}commands:\n(?: {4}.*\n|\s*#.*\n)+/, 'install:\n  commands: []\n').replace(/ {2}start: \.venv\/bin\/python /, '  start: python3 '));
  const sample = await sampleBackup();
  let workdir = '';
  let damaged = false;
  const record = await runDrill(
    headlessOptions(await loadPlan(file), tmp, {
      tag: 'v1.2-config-tuned',
      env: { GRADIO_TEMP_DIR: path.join(tmp, 'uploads') },
      resolveBuiltinRepo: async () => ({ url: sample.url, allowedSigners: sample.allowedSigners }),
    }),
    (event) => {
      if (event.type === 'drill-start') workdir = event.workdir;
      if (event.type === 'step-end' && event.step === 'verify' && event.status === 'passed') {
        // 64 KiB of zeros into the model's zip entries, before install starts.
        const fd = openSync(path.join(workdir, 'models', 'large-v3.pt'), 'r+');
        writeSync(fd, Buffer.alloc(65536), 0, 65536, 4096);
        closeSync(fd);
        damaged = true;
      }
    },
  );
  expect(damaged).toBe(true);
  expect(record.verdict).toBe('failed');
  const start = record.steps.find((step) => step.id === 'start');
  expect(start?.status).toBe('failed');
  expect(start?.error?.message).toMatch(/exited with 1 before .* answered: .*Error/);
  expect(record.provenance?.files).toEqual([expect.objectContaining({ path: 'models/large-v3.pt', openedBy: [expect.objectContaining({ command: expect.stringContaining('app.py') })] })]);
}, 120_000);
