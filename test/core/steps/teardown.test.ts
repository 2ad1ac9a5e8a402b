/** Teardown alone, with stand-in services: how each ending is said, and what is removed or kept. */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import type { ServiceProcess, StopOutcome } from '../../../src/adapters/process-group.js';
import { teardownStep } from '../../../src/core/steps/teardown.js';
import type { StepOutputs } from '../../../src/core/steps/step.js';
import { DrillError } from '../../../src/model/errors.js';
import { parsePlan } from '../../../src/plan/load.js';
import { stepContext } from '../../helpers/step-context.js';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-teardown-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const plan = () => parsePlan(YAML.stringify({ name: 'td', snapshot: { repo: 'builtin:sample-backup' }, service: { start: 'python3 app.py', url: 'http://127.0.0.1:7860', stopTimeoutSec: 3 } }), path.join(dir, 'plan.yaml'));
/** A process group nobody has: the stand-in service is gone once "stopped". */
const GONE = 4_194_301;

function service(outcome: StopOutcome, exited = false, logDropped = 0): ServiceProcess & { stops: number[] } {
  const stops: number[] = [];
  return {
    logDroppedBytes: () => logDropped,
    pid: GONE,
    command: 'python3 app.py',
    runId: 'run-1',
    exited: Promise.resolve({ code: 0, signal: null }),
    hasExited: () => exited,
    stop: async (graceMs) => {
      stops.push(graceMs);
      return outcome;
    },
    stopFollowing: async () => undefined,
    release: () => undefined,
    stops,
  };
}

async function teardown(input: Partial<StepOutputs>, setup: { created?: boolean; mode?: 'drill' | 'setup'; keep?: boolean; aborted?: boolean; systemdUnit?: boolean } = {}) {
  const workspace = path.join(dir, 'ws');
  await mkdir(path.join(workspace, 'models'), { recursive: true });
  await writeFile(path.join(workspace, 'models', 'large-v3.pt'), 'x');
  const none = async (): Promise<never> => {
    throw new Error('teardown runs no tool here');
  };
  const { ctx, events } = stepContext<'teardown'>(plan(), { run: none, shell: none }, dir);
  const abort = new AbortController();
  if (setup.aborted) abort.abort();
  const run = { ...ctx, signal: abort.signal, workspace: { dir: workspace, created: setup.created ?? true }, options: { ...ctx.options, mode: setup.mode ?? 'drill', keep: setup.keep ?? false, ...(setup.systemdUnit ? { systemdUnit: true } : {}) } };
  const result = await teardownStep.run(run as typeof ctx, input as never);
  return { result, events, workspace };
}

const start = (svc: ServiceProcess) => ({ start: { service: svc, startedAtMs: 0, log: path.join(dir, 'service.log'), env: {}, proof: undefined } }) as unknown as Partial<StepOutputs>;

describe('teardown', () => {
  it('stops the service with the plan\'s grace, says how, and removes a workspace it made', async () => {
    const svc = service({ signal: 'TERM', groupGone: true, durationMs: 42 });
    const { result, workspace } = await teardown(start(svc));
    expect(svc.stops).toEqual([3000]);
    expect(result).toMatchObject({ status: 'passed', output: { cleanedUp: true } });
    expect(result.summary).toBe(`service stopped with SIGTERM in 42 ms; workspace ${workspace} removed`);
    expect(existsSync(workspace)).toBe(false);
  });

  it('says when SIGKILL was needed, and names the processes that had left the group', async () => {
    const { result } = await teardown(start(service({ signal: 'KILL', groupGone: true, durationMs: 3010, strays: [4711, 4712] })));
    expect(result.summary).toMatch(/^service stopped with SIGKILL in 3010 ms \(still running 3 s after SIGTERM: service\.stopTimeoutSec\); ended 2 process\(es\) that had left the service's process group \(pid 4711, 4712\), found by the run id in their environment; workspace .* removed$/);
  });

  it('says when the service\'s log passed its cap, and how much was dropped', async () => {
    const { result } = await teardown(start(service({ signal: 'TERM', groupGone: true, durationMs: 9 }, false, 300 * 2 ** 20)));
    expect(result.summary).toMatch(/^service stopped with SIGTERM in 9 ms; the service's log passed its cap of 256 MiB \(service\.logMaxMiB\): 300 MiB dropped after its first MiB, and said so in it; workspace .* removed$/);
  });

  it('says a service that had exited by itself, and fails naming the group when it survived SIGKILL', async () => {
    expect((await teardown(start(service({ signal: 'none', groupGone: true, durationMs: 0 }, true)))).result.summary).toMatch(/^service had already exited; workspace/);
    const error = await teardown(start(service({ signal: 'KILL', groupGone: false, durationMs: 8000 }))).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(DrillError);
    expect((error as DrillError).message).toBe(`process group ${GONE} of \`python3 app.py\` survived SIGKILL`);
    expect((error as DrillError).hint).toBe(`kill -KILL -- -${GONE}`);
  });

  it('empties an operator\'s workspace that was there before, and keeps it', async () => {
    const { result, workspace } = await teardown({}, { created: false });
    expect(result.summary).toBe(`restored files removed from ${workspace} (the directory was there before the drill, and stays)`);
    expect(await readdir(workspace)).toEqual([]);
  });

  it('keeps the workspace with --keep, and says where', async () => {
    const { result, workspace } = await teardown({}, { keep: true });
    expect(result.summary).toBe(`workspace kept at ${workspace}`);
    expect(existsSync(path.join(workspace, 'models', 'large-v3.pt'))).toBe(true);
  });

  it('in setup, leaves a running service running and says how to stop it; an interrupted setup stops it', async () => {
    const running = service({ signal: 'TERM', groupGone: true, durationMs: 5 });
    const { result, events, workspace } = await teardown(start(running), { mode: 'setup' });
    expect(running.stops).toEqual([]);
    expect(result.summary).toContain(`service left running (process group ${GONE}, http://127.0.0.1:7860; pid file and log in ${workspace}/.whisper-drill); stop it with: whisper-drill stop --dir ${workspace}`);
    expect(result.summary).toContain(`from now on nothing caps ${workspace}/.whisper-drill/service.log: for a service kept for good, setup --systemd`);
    expect(events).toContainEqual(expect.objectContaining({ type: 'left-running', service: expect.objectContaining({ pid: GONE, stop: `whisper-drill stop --dir ${workspace}` }) }));
    const interrupted = service({ signal: 'TERM', groupGone: true, durationMs: 5 });
    await teardown(start(interrupted), { mode: 'setup', aborted: true });
    expect(interrupted.stops).toEqual([3000]);
  });

  it('setup --systemd: stops the verified service and writes a unit for systemd to run, saying how', async () => {
    const svc = service({ signal: 'TERM', groupGone: true, durationMs: 7 });
    const { result, workspace, events } = await teardown(start(svc), { mode: 'setup', systemdUnit: true });
    expect(svc.stops).toEqual([3000]);
    const unit = path.join(workspace, '.whisper-drill', 'whisper-td.service');
    expect(result.summary).toContain(`systemd unit written to ${unit}; run it with: cp ${unit} /etc/systemd/system/ && systemctl daemon-reload && systemctl enable --now whisper-td.service`);
    expect(existsSync(unit)).toBe(true);
    expect(events).toContainEqual({ type: 'facts', step: 'teardown', facts: { systemdUnit: unit } });
  });
});
