/**
 * The soak: SOAK_DRILLS (30) whole drills of the sample in a row in this one process, through the engine's
 * API as the benchmark drives it, then as many as separate processes of the built CLI. After every drill:
 * this process's RSS (a separate drill's: its peak, VmHWM), the descriptors this process holds, the processes
 * still running under it or carrying a drill's run id, the entries left in the soak's TMPDIR, and the files
 * under the drill cache. Descriptors, processes and temp entries must be back to their baseline after every
 * drill; in-process, the RSS at drill 30 within 10 % of drill 5. Prints a small table; exits 1 when a check fails.
 * Run: npm run soak (not part of npm test: about two minutes).
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { runDrill } from '../src/core/engine.js';
import { writeOutputs } from '../src/outputs/index.js';
import { loadPlan } from '../src/plan/load.js';
import { ensureSampleBackup } from '../src/sample/build.js';

const DRILLS = Number(process.env['SOAK_DRILLS'] ?? 30);
const root = path.resolve(import.meta.dirname, '..');
const cli = path.join(root, 'dist', 'cli.js');

interface Sample {
  readonly drill: number;
  readonly rssMiB: number;
  readonly fds: number;
  readonly processes: number;
  readonly tempEntries: number;
  readonly cacheFiles: number;
  readonly verdict: string;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function fileCount(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile()).length;
}

async function descriptors(): Promise<number> {
  const fds = await readdir('/proc/self/fd');
  // The read of the folder itself holds one: not counted.
  const live = await Promise.all(fds.map((fd) => readlink(`/proc/self/fd/${fd}`).then(() => 1, () => 0)));
  return live.reduce((a: number, b) => a + b, 0) - 1;
}

/** Processes under this one (any depth), and any process anywhere carrying a drill's run id. */
async function strayProcesses(): Promise<number> {
  const parents = new Map<number, number>();
  let marked = 0;
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (!stat || fields[0] === 'Z') continue;
    parents.set(Number(entry), Number(fields[1]));
    const environ = await readFile(`/proc/${entry}/environ`).catch(() => Buffer.alloc(0));
    if (environ.includes('WHISPER_DRILL_RUN_ID=')) marked += 1;
  }
  const under = [...parents.keys()].filter((pid) => {
    for (let p = parents.get(pid); p !== undefined && p > 1; p = parents.get(p)) if (p === process.pid) return true;
    return false;
  });
  return under.length + marked;
}

/** This process's RSS once the garbage is collected (run with --expose-gc: `npm run soak` does), so drills compare. */
function settledRssMiB(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().rss / 2 ** 20;
}

async function measure(drill: number, rssMiB: number, verdict: string, tmp: string, cache: string): Promise<Sample> {
  return { drill, rssMiB, fds: await descriptors(), processes: await strayProcesses(), tempEntries: (await readdir(tmp)).length, cacheFiles: await fileCount(cache), verdict };
}

/** A drill of the built CLI; its peak RSS read from /proc while it runs. */
function cliDrill(args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; peakKiB: number }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { env, stdio: 'ignore' });
    let peakKiB = 0;
    // One read at a time, and the last one finished before the drill counts as over (its descriptor closed).
    let reading: Promise<unknown> = Promise.resolve();
    const look = setInterval(() => {
      reading = reading.then(() =>
        readFile(`/proc/${child.pid}/status`, 'utf8').then(
          (status) => (peakKiB = Math.max(peakKiB, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0))),
          () => undefined,
        ),
      );
    }, 20);
    child.on('exit', (code) => {
      clearInterval(look);
      void reading.then(() => resolve({ code, peakKiB }));
    });
  });
}

function table(title: string, samples: readonly Sample[]): string {
  const shown = samples.filter((s) => s.drill === 0 || s.drill === 1 || s.drill % 5 === 0);
  const rows = shown.map((s) => `| ${s.drill === 0 ? 'baseline' : s.drill} | ${s.drill === 0 ? '' : s.rssMiB.toFixed(0)} | ${s.fds} | ${s.processes} | ${s.tempEntries} | ${s.cacheFiles} | ${s.verdict} |`);
  return [`${title}`, '', '| drill | RSS MiB | descriptors | processes | temp entries | cache files | verdict |', '|---|---|---|---|---|---|---|', ...rows].join('\n');
}

async function main(): Promise<void> {
  const base = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-soak-'));
  // The drills' temp folders go here, to be counted.
  const tmp = path.join(base, 'tmp');
  const cache = path.join(base, 'cache');
  await mkdir(tmp, { recursive: true });
  process.env['TMPDIR'] = tmp;
  const problems: string[] = [];
  try {
    const sample = await ensureSampleBackup(cache);
    const port = await freePort();
    const planFile = path.join(base, 'soak.yaml');
    await writeFile(planFile, YAML.stringify({
      name: 'soak',
      snapshot: { repo: 'builtin:sample-backup' },
      environment: { ports: [port] },
      install: { commands: ['true'] },
      service: { start: `python3 app.py --port ${port}`, url: `http://127.0.0.1:${port}`, ready: { path: '/', timeoutSec: 60 } },
      assertions: [{ name: 'mandarin sample', api: 'gradio', audio: 'example/test_cn.wav', language: 'zh', expect: { contains: '欢迎使用Whisper服务', maxCER: 0.1 } }],
    }));
    const plan = await loadPlan(planFile);
    const reports = path.join(base, 'reports');

    const inProcess: Sample[] = [await measure(0, settledRssMiB(), '', tmp, cache)];
    for (let drill = 1; drill <= DRILLS; drill += 1) {
      const record = await runDrill(
        { plan, mode: 'drill', tag: 'v1.2-config-tuned', keep: false, reportRoot: reports, cacheRoot: cache, signal: new AbortController().signal, ask: { chooseTag: async (_t, s) => s }, save: writeOutputs, resolveBuiltinRepo: async () => ({ url: sample.url, allowedSigners: sample.allowedSigners }) },
        () => undefined,
      );
      inProcess.push(await measure(drill, settledRssMiB(), record.verdict, tmp, cache));
      process.stderr.write(`in-process drill ${drill}/${DRILLS}: ${record.verdict}\r`);
    }

    const env = { ...process.env, TMPDIR: tmp, WHISPER_DRILL_CACHE: cache, XDG_CACHE_HOME: path.join(base, 'xdg') };
    const separate: Sample[] = [await measure(0, 0, '', tmp, cache)];
    for (let drill = 1; drill <= DRILLS; drill += 1) {
      const result = await cliDrill(['drill', '--plan', planFile, '--tag', 'v1.2-config-tuned', '--yes', '--report-dir', reports], env);
      separate.push(await measure(drill, result.peakKiB / 1024, result.code === 0 ? 'passed' : `exit ${result.code}`, tmp, cache));
      process.stderr.write(`process drill ${drill}/${DRILLS}: exit ${result.code}   \r`);
    }
    process.stderr.write('\n');

    for (const [name, samples] of [['in-process', inProcess], ['separate processes', separate]] as const) {
      const [baseline] = samples;
      for (const s of samples.slice(1)) {
        if (s.verdict !== 'passed') problems.push(`${name} drill ${s.drill}: ${s.verdict}`);
        if (s.fds > baseline!.fds) problems.push(`${name} drill ${s.drill}: ${s.fds} descriptors, baseline ${baseline!.fds}`);
        if (s.processes > baseline!.processes) problems.push(`${name} drill ${s.drill}: ${s.processes} processes left, baseline ${baseline!.processes}`);
        if (s.tempEntries > baseline!.tempEntries) problems.push(`${name} drill ${s.drill}: ${s.tempEntries} entries in TMPDIR, baseline ${baseline!.tempEntries}`);
      }
    }
    const fifth = inProcess[Math.min(5, DRILLS)]!.rssMiB;
    const last = inProcess[DRILLS]!.rssMiB;
    const growth = (last - fifth) / fifth;
    if (Math.abs(growth) > 0.1) problems.push(`in-process RSS moved ${(growth * 100).toFixed(1)} % from drill 5 to drill ${DRILLS} (${fifth.toFixed(0)} → ${last.toFixed(0)} MiB)`);
    console.log(`Soak: ${DRILLS} drills of the sample in one process, then ${DRILLS} as separate processes (${os.cpus().length} cores, Node ${process.versions.node})\n`);
    console.log(table('In one process (RSS: this process after the drill, garbage collected)', inProcess));
    console.log('');
    console.log(table('As separate processes (RSS: each drill\'s peak; the rest: the soak runner\'s, after the drill)', separate));
    console.log(`\nin-process RSS drill 5 → ${DRILLS}: ${fifth.toFixed(0)} → ${last.toFixed(0)} MiB (${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)} %; target within 10 %)`);
    console.log(problems.length === 0 ? 'every drill passed; descriptors, processes and temp entries back to their baseline after each' : `PROBLEMS:\n  ${problems.join('\n  ')}`);
  } finally {
    await rm(base, { recursive: true, force: true });
  }
  if (problems.length > 0) process.exitCode = 1;
}

await main();
