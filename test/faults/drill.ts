/**
 * A whole drill of the sample backup, in-process, for one fault: the plan is the sample's with the parts
 * the fault changes; the workspace goes under the case's TMPDIR, the reports under its folder.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import YAML from 'yaml';
import { runDrill, type DrillOptions } from '../../src/core/engine.js';
import type { DrillEvent } from '../../src/model/events.js';
import type { DrillRecord } from '../../src/model/record.js';
import { loadPlan } from '../../src/plan/load.js';
import { writeOutputs } from '../../src/outputs/index.js';
import { headlessOptions } from '../helpers/drill-options.js';
import { freePort, sampleBackup } from '../helpers/sample.js';
import type { Scene } from './harness.js';

export const FAULTY_SERVICE = path.join(import.meta.dirname, 'faulty-service.py');

/** Under the run's own cache (test/global-setup.ts makes it and removes it at the end). */
export function sharedCache(): string {
  const root = process.env['WHISPER_DRILL_CACHE'];
  if (!root) throw new Error('WHISPER_DRILL_CACHE is not set: run the tests through vitest');
  return path.join(root, 'fault-drills');
}

export interface FaultRun {
  readonly record: DrillRecord;
  readonly events: readonly DrillEvent[];
  readonly port: number;
  /** The service's log lines the drill handed over live (kept in `events` unless `keepLogs: false`). */
  readonly liveLines: number;
  /** Whether the live view said it skipped lines. */
  readonly skippedSaid: boolean;
}

export interface FaultPlan {
  readonly install?: unknown;
  /** Merged over the plan's service section. */
  readonly service?: Record<string, unknown>;
  readonly assertions?: unknown[];
  readonly environment?: Record<string, unknown>;
}

const mandarin = { name: 'mandarin sample', api: 'openai', audio: 'example/test_cn.wav', language: 'zh', expect: { contains: '欢迎使用Whisper服务', maxCER: 0.1 } };

/** The faulty service (faulty-service.py) with `fault`, on a port of its own. */
export function faultyService(fault: string, port: number): Record<string, unknown> {
  return { start: `python3 ${FAULTY_SERVICE} --port ${port} --fault ${fault}`, url: `http://127.0.0.1:${port}`, ready: { path: '/', timeoutSec: 20 }, stopTimeoutSec: 2 };
}

export async function faultDrill(
  scene: Scene,
  fault: FaultPlan | ((port: number) => FaultPlan),
  extra: Partial<DrillOptions> = {},
  onEvent?: (event: DrillEvent) => void,
  keep: { keepLogs?: boolean } = {},
): Promise<FaultRun> {
  const port = await freePort();
  const shape = typeof fault === 'function' ? fault(port) : fault;
  const file = path.join(scene.dir, 'plan.yaml');
  await writeFile(file, YAML.stringify({
    name: 'fault',
    snapshot: { repo: 'builtin:sample-backup' },
    environment: { ports: [port], ...shape.environment },
    install: shape.install ?? { commands: ['true'], timeoutSec: 60 },
    service: { ...faultyService('none', port), ...shape.service },
    assertions: shape.assertions ?? [mandarin],
  }));
  const plan = await loadPlan(file);
  const events: DrillEvent[] = [];
  let liveLines = 0;
  let skippedSaid = false;
  const record = await runDrill(
    headlessOptions(plan, scene.dir, {
      tag: 'v1.2-config-tuned',
      // The tag listings of the sample, shared by every fault drill of the run (the drill locks them as cron would).
      cacheRoot: sharedCache(),
      save: writeOutputs,
      resolveBuiltinRepo: async () => {
        const sample = await sampleBackup();
        return { url: sample.url, allowedSigners: sample.allowedSigners };
      },
      ...extra,
    }),
    (event) => {
      if (event.type === 'log' && event.stream !== 'info') {
        liveLines += 1;
        if (/ of log not shown live /.test(event.line)) skippedSaid = true;
        if (keep.keepLogs === false) return;
      }
      events.push(event);
      onEvent?.(event);
    },
  );
  return { record, events, port, liveLines, skippedSaid };
}

export const stepOf = (run: FaultRun, id: string) => run.record.steps.find((step) => step.id === id);
