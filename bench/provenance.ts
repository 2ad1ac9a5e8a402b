/**
 * What the proof costs, side by side in one run: the stand-in service started from a restored sample
 * workspace and asked to transcribe, alone; with the model watch on it (the fanotify watcher where it
 * may run, and /proc samples every 25 ms: "restored model in use"); and with the watch and the jail too
 * (a network namespace where the host allows it, the connection tracer: "no network needed"), in turn,
 * RUNS times:
 *   - start: spawn → the service answers (the watcher itself starts during install, so only what it
 *     does once the service runs can cost the start anything);
 *   - CPU: this process and every child it waited for (service, watcher): what the watch adds to one
 *     drill, against the CPU of a whole demo drill (measured in the same run: restore, venv, service,
 *     the four assertions and the proof).
 * Targets: ≤ 50 ms more to start, ≤ 2 % more CPU. Run: npm run bench (or `npx tsx bench/provenance.ts`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { runDrill } from '../src/core/engine.js';
import { modelFilesOf } from '../src/core/provenance.js';
import { loadPlan } from '../src/plan/load.js';
import { ensureSampleBackup } from '../src/sample/build.js';
import { jailService } from '../src/service/jail.js';
import { watchModelFiles } from '../src/service/model-watch.js';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 7);
const TICKS = 100;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** CPU seconds of this process and of its waited-for children (utime, stime, cutime, cstime). */
async function cpuSeconds(): Promise<number> {
  const stat = await readFile('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / TICKS;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function untilAnswering(url: string): Promise<void> {
  for (;;) {
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function transcribe(base: string, audio: string): Promise<void> {
  const form = new FormData();
  form.append('file', new Blob([await readFile(audio)]), 'test_cn.wav');
  form.append('model', 'whisper-1');
  const answer = await fetch(`${base}/v1/audio/transcriptions`, { method: 'POST', body: form });
  if (!answer.ok) throw new Error(`transcription: HTTP ${answer.status}`);
}

/** TERM to the service's process group, as the drill's teardown sends it (the shim leaves it to the service). */
async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(-child.pid!, 'SIGTERM');
  await exited;
}

async function main(): Promise<void> {
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-bench-provenance-'));
  try {
    const sample = await ensureSampleBackup(path.join(tmp, 'cache'));
    const plan = await loadPlan(path.join(import.meta.dirname, '..', 'drills', 'demo.yaml'));
    const workdir = path.join(tmp, 'restore');
    const record = await runDrill(
      { plan, mode: 'drill', tag: 'v1.2-config-tuned', workdir, keep: true, reportRoot: path.join(tmp, 'reports'), cacheRoot: path.join(tmp, 'cache'), signal: new AbortController().signal, ask: { chooseTag: async (_t, s) => s }, stopAfter: 'verify', resolveBuiltinRepo: async () => ({ url: sample.url, allowedSigners: sample.allowedSigners }) },
      () => undefined,
    );
    const models = modelFilesOf(record.lfs.files, plan.service.models, workdir);
    const kinds = ['alone', 'watched', 'jailed'] as const;
    const startMs: Record<(typeof kinds)[number], number[]> = { alone: [], watched: [], jailed: [] };
    const cpu: Record<(typeof kinds)[number], number> = { alone: 0, watched: 0, jailed: 0 };
    let method = '';
    const unshare = process.getuid?.() === 0 ? ['unshare', '--net'] : ['unshare', '--user', '--map-root-user', '--net'];
    for (let run = 0; run < RUNS * kinds.length; run += 1) {
      const kind = kinds[run % kinds.length]!;
      const port = await freePort();
      const cpuBefore = await cpuSeconds();
      const watch = kind === 'alone' ? undefined : watchModelFiles(models);
      await watch?.ready();
      const start = `python3 app.py --port ${port}`;
      const jail = kind === 'jailed' ? await jailService(`exec ${start}`, new URL(`http://127.0.0.1:${port}`), workdir, { unshare, trace: true }) : undefined;
      const began = performance.now();
      const service = spawn('/bin/sh', ['-c', jail?.command ?? `exec ${start}`], { cwd: workdir, stdio: 'ignore', detached: true });
      watch?.attach(service.pid!);
      await untilAnswering(`http://127.0.0.1:${port}/`);
      startMs[kind].push(performance.now() - began);
      for (let i = 0; i < 3; i += 1) await transcribe(`http://127.0.0.1:${port}`, path.join(workdir, 'example', 'test_cn.wav'));
      const watched = await watch?.finish();
      if (watched) method = watched.method;
      await stop(service);
      await jail?.close();
      cpu[kind] += (await cpuSeconds()) - cpuBefore;
    }
    // A whole demo drill's CPU, for scale.
    const drillCpu: number[] = [];
    for (let run = 0; run < 3; run += 1) {
      const before = await cpuSeconds();
      const drilled = await runDrill(
        { plan, mode: 'drill', tag: 'v1.2-config-tuned', keep: false, reportRoot: path.join(tmp, 'reports'), cacheRoot: path.join(tmp, 'cache'), signal: new AbortController().signal, ask: { chooseTag: async (_t, s) => s }, resolveBuiltinRepo: async () => ({ url: sample.url, allowedSigners: sample.allowedSigners }) },
        () => undefined,
      );
      if (drilled.verdict !== 'passed') throw new Error(`the demo drill did not pass: ${drilled.verdictReasons.join('; ')}`);
      drillCpu.push((await cpuSeconds()) - before);
    }
    console.log(`the service's proof (${method}), ${RUNS} runs each, in turn; a demo drill's CPU: ${median(drillCpu).toFixed(2)} s (median of 3)`);
    for (const kind of ['watched', 'jailed'] as const) {
      const extraStart = median(startMs[kind]) - median(startMs.alone);
      const extraCpuPerDrill = (cpu[kind] - cpu.alone) / RUNS;
      const extraCpu = extraCpuPerDrill / median(drillCpu);
      const what = kind === 'watched' ? 'model watch' : 'model watch + namespace + tracer';
      console.log(
        `  ${what}: start ${median(startMs.alone).toFixed(0)} → ${median(startMs[kind]).toFixed(0)} ms (${extraStart >= 0 ? '+' : ''}${extraStart.toFixed(0)} ms; target ≤ 50 ms ${extraStart <= 50 ? '✓' : '✗'}); ` +
          `CPU +${(extraCpuPerDrill * 1000).toFixed(0)} ms a drill = ${(extraCpu * 100).toFixed(1)} % (target ≤ 2 % ${extraCpu <= 0.02 ? '✓' : '✗'})`,
      );
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

await main();
