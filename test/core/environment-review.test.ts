/**
 * With an operator at hand (the wizard's ask port), unmet requirements are reviewed in place:
 * re-check after fixing, or quit. Here the unmet requirement is a real port held by a real listener.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runDrill } from '../../src/core/engine.js';
import type { EnvironmentDecision, EnvironmentReview } from '../../src/model/ports.js';
import { parsePlan } from '../../src/plan/load.js';
import { freePort } from '../helpers/sample.js';

let dir: string;
let holder: net.Server | undefined;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-review-'));
});
afterEach(async () => {
  await new Promise((resolve) => (holder ? holder.close(resolve) : resolve(undefined)));
  holder = undefined;
  await rm(dir, { recursive: true, force: true });
});

function plan(port: number) {
  return parsePlan(
    [
      'name: review',
      'snapshot: { repo: "builtin:sample-backup" }',
      `environment: { ports: [${port}] }`,
      `service: { start: "true", url: "http://127.0.0.1:${port}" }`,
    ].join('\n'),
    path.join(dir, 'review.yaml'),
  );
}

async function drillWithReview(port: number, decide: (review: EnvironmentReview, call: number) => Promise<EnvironmentDecision>) {
  const reviews: EnvironmentReview[] = [];
  const record = await runDrill(
    {
      plan: plan(port),
      mode: 'drill',
      keep: false,
      reportRoot: path.join(dir, 'reports'),
      cacheRoot: path.join(dir, 'cache'),
      signal: new AbortController().signal,
      stopAfter: 'environment',
      ask: {
        chooseTag: async (_tags, suggested) => suggested,
        reviewEnvironment: async (review) => {
          reviews.push(review);
          return decide(review, reviews.length);
        },
      },
    },
    () => undefined,
  );
  return { result: { verdict: record.verdict, report: record }, reviews };
}

async function hold(port: number): Promise<void> {
  holder = net.createServer();
  await new Promise<void>((resolve) => holder!.listen(port, '127.0.0.1', resolve));
}

describe('reviewing the environment with an operator', () => {
  it('re-checks in place once the operator has freed the port, and goes on', async () => {
    const port = await freePort();
    await hold(port);
    const { result, reviews } = await drillWithReview(port, async (review) => {
      expect(review.checks.find((c) => c.id === `port-${port}`)?.status).toBe('failed');
      await new Promise((resolve) => holder!.close(resolve));
      holder = undefined;
      return 'recheck';
    });
    expect(reviews).toHaveLength(1);
    expect(result.report.steps.find((s) => s.id === 'environment')?.status).toBe('passed');
  });

  it('asks again while the requirement is still unmet, and quitting fails the step', async () => {
    const port = await freePort();
    await hold(port);
    const { result, reviews } = await drillWithReview(port, async (_review, call) => (call === 1 ? 'recheck' : 'quit'));
    expect(reviews).toHaveLength(2);
    const environment = result.report.steps.find((s) => s.id === 'environment');
    expect(environment?.status).toBe('failed');
    expect(environment?.summary).toContain('the operator quit');
    expect(result.verdict).toBe('failed');
  });

  it('leaves the operator\'s think time out of the step\'s duration, also when the step then fails', async () => {
    const port = await freePort();
    await hold(port);
    const began = performance.now();
    const { result } = await drillWithReview(port, async () => {
      // The operator reads the screen for a while, then gives up.
      await new Promise((resolve) => setTimeout(resolve, 400));
      return 'quit';
    });
    const wall = performance.now() - began;
    const environment = result.report.steps.find((s) => s.id === 'environment')!;
    expect(environment.status).toBe('failed');
    expect(environment.evidence['operatorMs']).toBeGreaterThanOrEqual(390);
    expect(result.report.rto.operatorMs).toBe(environment.evidence['operatorMs']);
    expect(environment.durationMs).toBeLessThanOrEqual(wall - 390);
  });

  it('offers no installation for a requirement no package fixes', async () => {
    const port = await freePort();
    await hold(port);
    const { reviews } = await drillWithReview(port, async () => 'continue');
    expect(reviews[0]).toMatchObject({ installable: [], canInstall: false });
  });
});
