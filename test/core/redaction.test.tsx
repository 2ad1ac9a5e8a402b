/**
 * A credential in the plan's install command (a private package index: `--index-url
 * https://user:TOKEN@…`) reaches no face and no file: not the progress label, not the logged
 * command, not the tool's echo of it, not the failure — in plain text, NDJSON, the wizard, and
 * report.json, report.md, junit.xml and service.log.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { render } from 'ink-testing-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDrill } from '../../src/core/engine.js';
import type { DrillEvent } from '../../src/model/events.js';
import type { DrillRecord } from '../../src/model/record.js';
import { writeOutputs } from '../../src/outputs/index.js';
import { loadPlan } from '../../src/plan/load.js';
import { ndjsonReporter } from '../../src/reporters/ndjson.js';
import { plainReporter } from '../../src/reporters/plain.js';
import { App } from '../../src/ui/App.js';
import { initialState } from '../../src/ui/state.js';
import { createWizardStore } from '../../src/ui/store.js';
import { writeDemoPlan } from '../helpers/demo-plan.js';
import { headlessOptions } from '../helpers/drill-options.js';
import { sampleBackup } from '../helpers/sample.js';

// Short enough that the wizard's progress line shows it whole (it truncates at the terminal's width).
const TOKEN = 'Tok3nNotToLeak';
const INDEX = `https://u:${TOKEN}@127.0.0.1:9/s`;

let tmp: string;
let events: DrillEvent[];
let record: DrillRecord;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-redaction-'));
  const { file } = await writeDemoPlan(path.join(tmp, 'plan.yaml'));
  // The first command echoes the index as pip does in its own words; the second fails with it in its argv and its error.
  const text = (await readFile(file, 'utf8')).replace(
    /install:\n {2}commands:\n(?: {4}.*\n|\s*#.*\n)+/,
    `install:\n  commands:\n    - "echo --index-url ${INDEX}"\n    - "sh -c 'echo ERROR: could not reach ${INDEX} >&2; exit 1' --index-url ${INDEX}"\n`,
  );
  await import('node:fs/promises').then(({ writeFile }) => writeFile(file, text));
  const plan = await loadPlan(file);
  expect(plan.install).toHaveLength(2);
  const sample = await sampleBackup();
  events = [];
  record = await runDrill(
    headlessOptions(plan, tmp, {
      tag: 'v1.2-config-tuned',
      save: writeOutputs,
      resolveBuiltinRepo: async () => ({ url: sample.url, allowedSigners: sample.allowedSigners }),
    }),
    (event) => events.push(event),
  );
}, 120_000);

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('a credential in an install command', () => {
  it('ran for real: the install failed on the command that carried it, and said so', () => {
    expect(record.verdict).toBe('failed');
    const install = record.steps.find((step) => step.id === 'install');
    expect(install?.status).toBe('failed');
    expect(install?.error?.message).toContain('--index-url https://***@127.0.0.1:9/s');
    expect(events.some((event) => event.type === 'progress' && event.step === 'install' && event.progress.label?.includes('--index-url'))).toBe(true);
  });

  it('is in no event, and so in no plain or NDJSON line', () => {
    const plain: string[] = [];
    const ndjson: string[] = [];
    const toPlain = plainReporter((text) => plain.push(text));
    const toNdjson = ndjsonReporter((line) => ndjson.push(line));
    for (const event of events) {
      toPlain(event);
      toNdjson(event);
    }
    expect(ndjson.join('')).toContain('"type":"progress"');
    expect(JSON.stringify(events)).not.toContain(TOKEN);
    expect(plain.join('')).toContain('127.0.0.1:9/s');
    expect(plain.join('')).not.toContain(TOKEN);
    expect(ndjson.join('')).not.toContain(TOKEN);
  });

  it('is not on the wizard’s screen', async () => {
    const store = createWizardStore(initialState('demo', 'drill', []), 0, 0);
    const instance = render(<App store={store} onChooseTag={() => undefined} onAbort={() => undefined} onForce={() => undefined} onExit={() => undefined} />);
    try {
      const frames: string[] = [];
      for (const event of events) {
        store.dispatch(event);
        // The live install step shows its progress label: look at each frame while it is on screen.
        if ('step' in event && event.step === 'install') {
          await new Promise((resolve) => setTimeout(resolve, 5));
          frames.push(instance.lastFrame() ?? '');
        }
      }
      frames.push(...instance.frames);
      expect(frames.join('\n')).toContain('--index-url https://***@127.0.0.1:9/s');
      expect(frames.join('\n')).not.toContain(TOKEN);
    } finally {
      instance.unmount();
    }
  });

  it('is in no file of the report', async () => {
    const files = await readdir(record.reportDir);
    expect(files.sort()).toEqual(['junit.xml', 'report.html', 'report.json', 'report.md', 'service.log']);
    for (const name of files) expect(await readFile(path.join(record.reportDir, name), 'utf8'), name).not.toContain(TOKEN);
    expect(await readFile(path.join(record.reportDir, 'report.json'), 'utf8')).toContain('--index-url');
  });
});
