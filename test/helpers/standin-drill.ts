/**
 * A real drill of the sample backup, in-process, whose service is the stand-in answering with one
 * server's API (`app.py --api …`): the engine restores, verifies, starts the service in its own
 * process group on a port of its own, asserts over HTTP and tears down.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import { runDrill } from '../../src/core/engine.js';
import type { AssertionOutcome, DrillRecord } from '../../src/model/record.js';
import type { DrillEvent } from '../../src/model/events.js';
import { loadPlan } from '../../src/plan/load.js';
import { writeOutputs } from '../../src/outputs/index.js';
import { headlessOptions } from './drill-options.js';
import { freePort, sampleBackup } from './sample.js';

export interface StandinDrill {
  readonly record: DrillRecord;
  readonly events: readonly DrillEvent[];
  readonly port: number;
  assertion(name: string): AssertionOutcome;
}

export interface StandinPlan {
  /** app.py --api: gradio-5, gradio-6, speaches, whisper-cpp, asr-webservice */
  readonly api: string;
  readonly service?: Record<string, unknown>;
  readonly assertions: ReadonlyArray<Record<string, unknown>>;
}

/** The plan as an operator would write it for that server (install skipped: app.py needs only the standard library). */
export async function writeStandinPlan(dir: string, name: string, port: number, plan: StandinPlan): Promise<string> {
  const file = path.join(dir, `${name}.yaml`);
  await mkdir(dir, { recursive: true });
  const data = {
    name,
    snapshot: { repo: 'builtin:sample-backup' },
    environment: { ports: [port] },
    install: { commands: ['true'], timeoutSec: 60 },
    service: {
      start: `python3 app.py --port ${port} --api ${plan.api}`,
      url: `http://127.0.0.1:${port}`,
      ready: { path: '/', timeoutSec: 30 },
      ...plan.service,
    },
    assertions: plan.assertions,
  };
  await writeFile(file, YAML.stringify(data));
  return file;
}

export async function standinDrill(
  tmp: string,
  name: string,
  plan: StandinPlan,
  extra: { apiKey?: string; env?: Record<string, string> } = {},
): Promise<StandinDrill> {
  const port = await freePort();
  const loaded = await loadPlan(await writeStandinPlan(path.join(tmp, 'plans'), name, port, plan));
  const events: DrillEvent[] = [];
  const record = await runDrill(
    headlessOptions(loaded, tmp, {
      tag: 'v1.2-config-tuned',
      env: { GRADIO_TEMP_DIR: path.join(tmp, 'uploads'), ...extra.env },
      ...(extra.apiKey ? { apiKey: extra.apiKey } : {}),
      save: writeOutputs,
      resolveBuiltinRepo: async () => {
        const sample = await sampleBackup();
        return { url: sample.url, allowedSigners: sample.allowedSigners };
      },
    }),
    (event) => events.push(event),
  );
  // A drill that went wrong may have left its scratch workspace behind.
  await rm(record.workdir, { recursive: true, force: true });
  return {
    record,
    events,
    port,
    assertion: (wanted) => {
      const found = record.assertions.find((a) => a.name === wanted);
      if (!found) throw new Error(`no assertion ${wanted} in the record`);
      return found;
    },
  };
}
