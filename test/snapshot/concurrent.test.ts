/**
 * Two drills of one backup at once on one host (cron overlapping an operator, or two plans) share
 * the cached tag-metadata repository: each waits its turn for it, and both restore; so does `init`
 * listing the tags while drills run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { runDrill } from '../../src/core/engine.js';
import { initSession } from '../../src/init/session.js';
import { parsePlan } from '../../src/plan/load.js';
import { headlessOptions } from '../helpers/drill-options.js';
import { sampleBackup } from '../helpers/sample.js';

let tmp = '';

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-concurrent-'));
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('drills at once', () => {
  it('three drills of the same backup with one fresh cache all restore', async () => {
    const sample = await sampleBackup();
    const cacheRoot = path.join(tmp, 'shared-cache');
    const drill = async (name: string, tag: string) => {
      const plan = parsePlan(YAML.stringify({ name, snapshot: { repo: sample.url }, service: { start: 'true', url: 'http://127.0.0.1:9' } }), path.join(tmp, `${name}.yaml`));
      return runDrill(headlessOptions(plan, tmp, { tag, cacheRoot, stopAfter: 'verify' }), () => undefined);
    };
    const records = await Promise.all([drill('cron', 'v1.2-config-tuned'), drill('operator', 'v1.0-model-large-v3'), drill('other-plan', 'v1.3-signed-release')]);
    for (const record of records) {
      const statuses = Object.fromEntries(record.steps.map((s) => [s.id, s.status]));
      // A tag with an environment.lock.yaml recorded on another node may warn of drift: it still restores.
      expect(statuses, JSON.stringify(record.steps.map((s) => [s.id, s.summary]))).toMatchObject({ snapshot: expect.stringMatching(/^(passed|warned)$/), fetch: 'passed', verify: 'passed' });
    }
  }, 120_000);

  it('init lists the tags while drills of the same backup fetch into the same cache; all of them succeed', async () => {
    const sample = await sampleBackup();
    const cacheRoot = path.join(tmp, 'shared-with-init');
    const session = initSession({ cacheRoot, schemaFile: path.join(tmp, 'plan.schema.json'), resolveBuiltinRepo: async () => sample.url });
    const drill = async (name: string) => {
      const plan = parsePlan(YAML.stringify({ name, snapshot: { repo: sample.url }, service: { start: 'true', url: 'http://127.0.0.1:9' } }), path.join(tmp, `${name}.yaml`));
      return runDrill(headlessOptions(plan, tmp, { tag: 'v1.2-config-tuned', cacheRoot, stopAfter: 'snapshot' }), () => undefined);
    };
    // Every one settles before anything is asserted: a failure leaves no drill running into the cleanup.
    const settled = await Promise.allSettled([drill('cron-a'), session.listTags(sample.url, 'v*'), drill('cron-b'), session.listTags(sample.url, 'v*')]);
    const [first, listed, second, again] = settled.map((result) => {
      if (result.status === 'rejected') throw result.reason;
      return result.value;
    }) as [Awaited<ReturnType<typeof drill>>, Awaited<ReturnType<typeof session.listTags>>, Awaited<ReturnType<typeof drill>>, Awaited<ReturnType<typeof session.listTags>>];
    for (const record of [first, second]) expect(record.steps.find((s) => s.id === 'snapshot')?.status, JSON.stringify(record.steps)).toMatch(/^(passed|warned)$/);
    expect(listed.tags.map((tag) => tag.name)).toContain('v1.2-config-tuned');
    expect(again.tags).toHaveLength(listed.tags.length);
  }, 120_000);
});
