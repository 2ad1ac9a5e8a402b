/**
 * The whole recovery, side by side in one run: from an empty node to the first correct transcript.
 * A backup shaped like the real one — a 1 GiB model in LFS, a wheelhouse (wheels/, in LFS) holding the
 * local mirror's CPU torch wheel, numpy and torch's dependencies, a service that imports torch and reads
 * the model with it before it serves (the sample's stand-in behind it) — served over HTTPS by the test
 * git + LFS server, each download throttled to 100 MB/s (a LAN-ish link; the server throttles each
 * connection, so two objects at once may together go faster: for the by-hand sequence, whose git-lfs
 * also fetches several at once, as for the drill). Measured, best and median of BENCH_RUNS (default 3):
 *   - by hand: the operators' sequence, scripted — GIT_LFS_SKIP_SMUDGE=1 git clone, git lfs pull,
 *     python3 -m venv, pip install -r requirements.txt from the wheelhouse (--no-index --find-links: no
 *     unreachable-index retries; pip's default otherwise), the service started, then requests until the
 *     first correct transcript;
 *   - `whisper-drill setup` (the built CLI): from the command to its first correct transcript (its
 *     environment checks and tag listing included; the time is the report's: fetch's start plus
 *     rto.recoveryMs), its own rto.recoveryMs (fetch → first transcript), and the time to its exit
 *     (teardown then files the kept workspace's LFS files for git: no part of the recovery);
 *   - the floor: max(the LFS bytes at the link's speed, the install from the wheelhouse alone, measured)
 *     + the service's start to its first correct transcript alone, measured.
 * Goals: setup ≤ 0.75× by hand, ≤ 1.15× the floor. BENCH_MODEL_MIB sets the model's size.
 * Run: npm run bench (or `npx tsx bench/recovery.ts`).
 */
import { execFileSync, spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../test/helpers/sample.js';
import { makeTestCa } from '../test/helpers/tls.js';

const MIB = 1024 * 1024;
const MODEL_MIB = Number(process.env['BENCH_MODEL_MIB'] ?? 1024);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);
const RATE = 100_000_000;
const USER = 'bench';
const SECRET = 'bench-recovery-token';
const root = path.join(import.meta.dirname, '..');
const cli = path.join(root, 'dist', 'cli.js');

const sh = (command: string, cwd?: string, env: NodeJS.ProcessEnv = {}) =>
  execFileSync('bash', ['-c', command], { cwd, env: { ...process.env, ...env, LC_ALL: 'C' }, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * MIB }).toString();

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const best = (values: number[]) => Math.min(...values);
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The service: torch imported, the model read with torch, then the sample's stand-in serving. */
const SERVE_PY = `import os, runpy, sys, time
t = time.monotonic()
import numpy, torch
model = "models/large-v3.pt"
weights = torch.from_file(model, size=os.path.getsize(model), dtype=torch.uint8)
print(f"torch {torch.__version__}: {weights.numel() >> 20} MiB of weights read in {time.monotonic() - t:.2f} s", flush=True)
sys.argv = ["app.py"] + sys.argv[1:]
runpy.run_path("app.py", run_name="__main__")
`;

const servers: Array<() => void> = [];

async function startServer(dir: string, extra: string[]): Promise<{ url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'test', 'helpers', 'lfs-server-main.ts'), dir, USER, SECRET, ...extra], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve) => child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString())));
  servers.push(() => void child.kill('SIGTERM'));
  return JSON.parse(line) as { url: string };
}

async function makeBackup(dir: string): Promise<{ bare: string; lfsBytes: number }> {
  const work = path.join(dir, 'work');
  const bare = path.join(dir, 'backup.git');
  sh(`git init -q -b main ${work} && git init -q --bare ${bare}`);
  sh('git lfs install --local >/dev/null && git lfs track "*.pt" "*.wav" "wheels/*.whl" >/dev/null', work);
  await cp(path.join(root, 'fixtures', 'sample-backup'), work, { recursive: true });
  console.log(`  a ${MODEL_MIB} MiB model…`);
  sh(`python3 ${path.join(root, 'fixtures', 'model', 'make_model.py')} models/large-v3.pt --samples ${path.join(root, 'fixtures', 'sample-backup')} --variant 1 --size-mib ${MODEL_MIB}`, work);
  console.log('  the wheelhouse (torch 2.13.0+cpu, numpy and their dependencies, from the local mirror)…');
  sh('PIP_CONFIG_FILE=/dev/null python3 -m pip download -q -d wheels --index-url file:///opt/pypi/simple --find-links /opt/wheels "torch==2.13.0+cpu" numpy', work);
  await writeFile(path.join(work, 'requirements.txt'), 'torch==2.13.0+cpu\nnumpy\n');
  await writeFile(path.join(work, 'serve.py'), SERVE_PY);
  sh('git add -A && git -c user.name=b -c user.email=b@b commit -qm backup && git -c user.name=b -c user.email=b@b tag -a v1 -m v1', work);
  sh(`git push -q file://${bare} main --tags`, work);
  const sizes = await Promise.all(sh('git lfs ls-files -n', work).split('\n').filter(Boolean).map(async (file) => (await stat(path.join(work, file))).size));
  return { bare, lfsBytes: sizes.reduce((a, b) => a + b, 0) };
}

/** Until the service at `port` gives the sample's transcript over the OpenAI-compatible API. */
const FIRST_TRANSCRIPT = (port: number) =>
  `until curl -sf -F file=@example/test_cn.wav -F model=whisper-1 -F language=zh http://127.0.0.1:${port}/v1/audio/transcriptions 2>/dev/null | grep -q Whisper; do sleep 0.05; done`;

/** The operators' sequence, scripted: clone to first correct transcript. */
function byHand(url: string, dir: string, env: NodeJS.ProcessEnv, port: number): number {
  const began = performance.now();
  sh(
    [
      `GIT_LFS_SKIP_SMUDGE=1 git clone -q --depth 1 --branch v1 ${url} node`,
      'cd node',
      'git lfs pull',
      'python3 -m venv .venv',
      'PIP_CONFIG_FILE=/dev/null .venv/bin/pip install -q --disable-pip-version-check --no-index --find-links wheels -r requirements.txt',
      `(.venv/bin/python serve.py --port ${port} > service.log 2>&1 & echo $! > service.pid)`,
      FIRST_TRANSCRIPT(port),
    ].join(' && '),
    dir,
    env,
  );
  const ms = performance.now() - began;
  sh('kill $(cat node/service.pid); while kill -0 $(cat node/service.pid) 2>/dev/null; do sleep 0.05; done', dir);
  return ms;
}

/** The install from the wheelhouse alone, and the service's start alone: the floor's measured parts. */
function floorParts(tree: string, port: number): { installMs: number; startMs: number } {
  sh('rm -rf .venv', tree);
  let began = performance.now();
  sh('python3 -m venv .venv && PIP_CONFIG_FILE=/dev/null PIP_COMPILE=0 .venv/bin/pip install -q --disable-pip-version-check --no-index --find-links wheels -r requirements.txt', tree);
  const installMs = performance.now() - began;
  began = performance.now();
  sh(`(.venv/bin/python serve.py --port ${port} > service.log 2>&1 & echo $! > service.pid) && ${FIRST_TRANSCRIPT(port)}`, tree);
  const startMs = performance.now() - began;
  sh('kill $(cat service.pid); while kill -0 $(cat service.pid) 2>/dev/null; do sleep 0.05; done', tree);
  return { installMs, startMs };
}

async function setupRun(url: string, dir: string, port: number): Promise<{ wallMs: number; firstTranscriptMs: number; recoveryMs: number; detail: string }> {
  const demo = await readFile(path.join(root, 'drills', 'demo.yaml'), 'utf8');
  const plan = path.join(dir, 'plan.yaml');
  await writeFile(
    plan,
    demo
      .replace('repo: "builtin:sample-backup"', `repo: "${url}"\n  auth: { usernameEnv: B_USER, passwordEnv: B_TOKEN }`)
      .replaceAll('17860', String(port))
      .replace('.venv/bin/python app.py', '.venv/bin/python serve.py')
      .replace(/ready: \{ path: \/, timeoutSec: \d+ \}/, 'ready: { path: /, timeoutSec: 300 }')
      .replace(/ {2}- name: silence control[\s\S]*?(?= {2}- name: same sample)/, '')
      .replace(/ {2}- name: model resident on GPU[\s\S]*?(?=report:)/, '')
      // BENCH_OVERLAP=false: the by-hand order inside the drill, to see what the overlap gives.
      .concat(process.env['BENCH_OVERLAP'] === 'false' ? 'rto:\n  overlap: false\n' : ''),
  );
  const target = path.join(dir, 'node');
  const spawnedAt = Date.now();
  const began = performance.now();
  sh(`node ${cli} setup --plan ${plan} --dir ${target} --tag v1 --yes --report-dir ${path.join(dir, 'reports')}`, dir, { B_USER: USER, B_TOKEN: SECRET });
  const wallMs = performance.now() - began;
  sh(`node ${cli} stop --dir ${target}`, dir);
  const reports = path.join(dir, 'reports', 'demo');
  const run = (await readdir(reports))[0]!;
  const report = JSON.parse(await readFile(path.join(reports, run, 'report.json'), 'utf8')) as { verdict: string; rto: Record<string, number> & { criticalPath?: string[] }; steps: Array<{ id: string; startedAt: string }> };
  if (report.verdict !== 'passed') throw new Error(`setup did not pass: ${report.verdict} (${path.join(reports, run, 'report.md')})`);
  const { rto } = report;
  const phases = ['fetchMs', 'verifyMs', 'installMs', 'startMs', 'firstTranscriptMs'].map((key) => `${key.replace('Ms', '')} ${s(rto[key] ?? NaN)}`).join(', ');
  // The first correct transcript, from the moment the command was typed: its checks and tag listing included.
  const fetchAt = Date.parse(report.steps.find((step) => step.id === 'fetch')!.startedAt);
  const firstTranscriptMs = fetchAt + (rto['recoveryMs'] ?? NaN) - spawnedAt;
  return { wallMs, firstTranscriptMs, recoveryMs: rto['recoveryMs'] ?? NaN, detail: `${phases}; critical path ${rto.criticalPath?.join(' → ') ?? '—'}` };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-bench-recovery-'));
  try {
    console.log(`\nThe whole recovery: building a backup with a ${MODEL_MIB} MiB model and a torch wheelhouse…`);
    const { bare, lfsBytes } = await makeBackup(dir);
    const ca = makeTestCa(dir, 'recovery');
    process.env['GIT_SSL_CAINFO'] = ca.caFile;
    const server = await startServer(dir, [`throttle=${RATE}`, `tls-key=${ca.server.keyFile}`, `tls-cert=${ca.server.certFile}`]);
    const url = `${server.url}/backup.git`;
    const credentials = path.join(dir, 'credentials');
    await writeFile(credentials, `${server.url.replace('https://', `https://${USER}:${SECRET}@`)}\n`);
    const gitEnv = { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'credential.helper', GIT_CONFIG_VALUE_0: `store --file=${credentials}`, GIT_TERMINAL_PROMPT: '0' };
    const hand: number[] = [];
    const setup: number[] = [];
    const whole: number[] = [];
    const recovery: number[] = [];
    const floor: number[] = [];
    const downloadMs = (lfsBytes / RATE) * 1000;
    for (let run = 0; run < RUNS; run += 1) {
      const port = await freePort();
      const handDir = path.join(dir, `hand-${run}`);
      await mkdir(handDir);
      hand.push(byHand(url, handDir, gitEnv, port));
      const parts = floorParts(path.join(handDir, 'node'), port);
      floor.push(Math.max(downloadMs, parts.installMs) + parts.startMs);
      await rm(handDir, { recursive: true, force: true });
      const setupDir = path.join(dir, `setup-${run}`);
      await mkdir(setupDir);
      const result = await setupRun(url, setupDir, await freePort());
      setup.push(result.firstTranscriptMs);
      whole.push(result.wallMs);
      recovery.push(result.recoveryMs);
      await rm(setupDir, { recursive: true, force: true });
      console.log(`  run ${run + 1}: by hand ${s(hand.at(-1)!)}; setup ${s(setup.at(-1)!)} to the first transcript, ${s(whole.at(-1)!)} to its exit (recovery ${s(recovery.at(-1)!)}: ${result.detail}); floor ${s(floor.at(-1)!)} (install alone ${s(parts.installMs)}, start alone ${s(parts.startMs)})`);
    }
    console.log(`\nFrom an empty node to the first correct transcript: ${MODEL_MIB} MiB model + torch wheelhouse (${(lfsBytes / MIB).toFixed(0)} MiB in LFS) over HTTPS at 100 MB/s, ${RUNS} runs (best / median)`);
    console.log(`  by hand (clone, lfs pull, venv, pip, start)  ${s(best(hand))} / ${s(median(hand))}`);
    console.log(`  whisper-drill setup (command → transcript)   ${s(best(setup))} / ${s(median(setup))}   its recovery (fetch → transcript) ${s(best(recovery))} / ${s(median(recovery))}; to its exit ${s(best(whole))} / ${s(median(whole))}`);
    console.log(`  floor: max(download ${s(downloadMs)}, install alone) + start alone   ${s(best(floor))} / ${s(median(floor))}`);
    console.log(`  setup ÷ by hand: ${(best(setup) / best(hand)).toFixed(2)}× (medians ${(median(setup) / median(hand)).toFixed(2)}×), goal ≤ 0.75×`);
    console.log(`  setup ÷ floor:   ${(best(setup) / best(floor)).toFixed(2)}× (medians ${(median(setup) / median(floor)).toFixed(2)}×), goal ≤ 1.15×`);
  } finally {
    for (const stop of servers) stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
