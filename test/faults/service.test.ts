/** Faults of the restored service: it never answers, answers wrongly, crashes, hangs, or will not stop. */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect } from 'vitest';
import { expectFailure, fault } from './harness.js';
import { faultDrill, faultyService, stepOf } from './drill.js';

const withFault = (name: string, service: Record<string, unknown> = {}) => (port: number) => ({ service: { ...faultyService(name, port), ...service } });

describe('the service', () => {
  fault('service', 'never ready: 503 until the limit — fails at start naming the URL, the limit and the last answer', async (scene) => {
    const run = await faultDrill(scene, withFault('never-ready', { ready: { path: '/', timeoutSec: 1 } }));
    expectFailure(run.record, { verdict: 'failed', step: 'start', message: /^http:\/\/127\.0\.0\.1:\d+\/ did not answer within 1 s \(last: HTTP 503 \(ready means 2xx or 3xx\)\)$/, hint: /raise service\.ready\.timeoutSec or read .*service\.log/ });
  });

  fault('service', 'exits before it is ready — fails at start with the exit code and its last words', async (scene) => {
    const run = await faultDrill(scene, withFault('exit-at-start'));
    expectFailure(run.record, { verdict: 'failed', step: 'start', message: /exited with 1 before .* answered: .*CUDA driver initialization failed/ });
  });

  fault('service', 'listens on another port than the plan\'s url — fails within seconds, naming both', async (scene) => {
    const started = performance.now();
    const run = await faultDrill(scene, (port) => ({ service: { ...faultyService('none', port + 1), url: `http://127.0.0.1:${port}`, ready: { path: '/', timeoutSec: 600 } } }));
    expectFailure(run.record, { verdict: 'failed', step: 'start', message: /^the service listens on 127\.0\.0\.1:(\d+); the plan's url is http:\/\/127\.0\.0\.1:\d+ \(port \d+\)$/, hint: /listen on the url's port/ });
    const start = stepOf(run, 'start');
    expect(start?.durationMs).toBeLessThan(5_000);
    expect(performance.now() - started).toBeLessThan(30_000);
  });

  fault('service', 'crashes (exit 139) during assert — the assertion fails naming the request and the dropped connection', async (scene) => {
    const run = await faultDrill(scene, withFault('crash-in-assert'));
    expectFailure(run.record, { verdict: 'failed', step: 'assert', message: /mandarin sample: POST http:\/\/127\.0\.0\.1:\d+\/v1\/audio\/transcriptions → failed: /, });
    expect(stepOf(run, 'teardown')?.summary).toMatch(/service had already exited/);
  });

  fault('service', 'killed by SIGKILL mid-request — the assertion fails, teardown finds it gone', async (scene) => {
    const run = await faultDrill(scene, withFault('killed-in-assert'));
    expectFailure(run.record, { verdict: 'failed', step: 'assert', message: /POST .*\/v1\/audio\/transcriptions → failed: / });
  });

  fault('service', 'answers HTTP 500 — the assertion fails with the status and the server\'s own message', async (scene) => {
    const run = await faultDrill(scene, withFault('http-500'));
    expectFailure(run.record, { verdict: 'failed', step: 'assert', message: /→ 500: CUDA error: out of memory \(tried to allocate 2\.00 GiB\)$/ });
  });

  fault('service', 'answers malformed JSON — the assertion fails saying what came instead', async (scene) => {
    const run = await faultDrill(scene, withFault('malformed-json'));
    expectFailure(run.record, { verdict: 'failed', step: 'assert', message: /→ 200: expected JSON, got: \{"text": "欢迎使用/ });
  });

  fault('service', 'an auth proxy answers 403 before reading the upload and closes — the refusal is read, not "write EPIPE"', async (scene) => {
    const run = await faultDrill(scene, withFault('refuse-before-upload'));
    expectFailure(run.record, { verdict: 'failed', step: 'assert', message: /→ 403: the service wants an API key \(set service\.apiKeyEnv\) \(Invalid API key\)$/ });
    expect(JSON.stringify(run.record)).not.toContain('EPIPE');
  });

  fault('service', 'an event stream that never completes — the request ends at service.requestTimeoutSec', async (scene) => {
    const run = await faultDrill(scene, (port) => ({
      service: { ...faultyService('none', port), requestTimeoutSec: 1 },
      assertions: [{ name: 'gradio sample', api: 'gradio', endpoint: '/predict', audio: 'example/test_cn.wav', expect: { contains: '欢迎' } }],
    }));
    expectFailure(run.record, { verdict: 'failed', step: 'assert', message: /gradio sample: http:\/\/127\.0\.0\.1:\d+: no answer within service\.requestTimeoutSec \(1 s\)$/ });
  });

  fault('process', 'the service ignores SIGTERM — KILL after service.stopTimeoutSec, said in teardown', async (scene) => {
    const run = await faultDrill(scene, withFault('ignore-sigterm', { stopTimeoutSec: 1 }));
    expect(run.record.verdict, JSON.stringify(run.record.steps.map((s) => [s.id, s.status, s.error?.message]))).toBe('passed');
    expect(stepOf(run, 'teardown')?.summary).toMatch(/service stopped with SIGKILL in \d+ ms \(still running 1 s after SIGTERM: service\.stopTimeoutSec\)/);
  });

  fault('process', 'the service starts a daemon that calls setsid() — teardown ends it by the run id in its environment', async (scene) => {
    const run = await faultDrill(scene, withFault('setsid-daemon'));
    expect(run.record.verdict, JSON.stringify(run.record.steps.map((s) => [s.id, s.status, s.error?.message]))).toBe('passed');
    expect(stepOf(run, 'teardown')?.summary).toMatch(/service stopped with SIGTERM in \d+ ms; ended 1 process\(es\) that had left the service's process group \(pid \d+\), found by the run id in their environment/);
  });

  fault('service', 'writes 50 MB of log a second — the log is capped and says so, the live view skips, the drill\'s memory stays bounded, and it passes', async (scene) => {
    const rssBefore = process.memoryUsage().rss;
    const run = await faultDrill(scene, withFault('log-flood', { logMaxMiB: 2 }), {}, undefined, { keepLogs: false });
    expect(run.record.verdict, JSON.stringify(run.record.steps.map((s) => [s.id, s.status, s.error?.message]))).toBe('passed');
    expect(stepOf(run, 'teardown')?.summary).toMatch(/the service's log passed its cap of 2 MiB \(service\.logMaxMiB\): \d+ MiB dropped after its first MiB, and said so in it/);
    const log = path.join(run.record.reportDir, 'service.log');
    expect((await stat(log)).size).toBeLessThan(4 * 2 ** 20);
    expect(await readFile(log, 'utf8')).toContain('[whisper-drill: this log passed its cap of 2.0 MiB (service.logMaxMiB)');
    // The live view skipped what it could not take, and said so; the drill's memory did not follow the flood.
    expect(run.liveLines).toBeLessThan(200_000);
    expect(run.skippedSaid).toBe(true);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(300 * 2 ** 20);
  });
});
