/**
 * The backup side, measured side by side in one run: a service folder with a 512 MiB model
 * (BENCH_MODEL_MIB) snapshotted into an empty backup over HTTPS on loopback (git http-backend and the
 * LFS Batch API with uploads behind Basic auth, test/helpers/lfs-server.ts, in a process of its own;
 * a CA of the run's own), against the operators' sequence by hand:
 *   git clone, git lfs install, git lfs track, cp the files and the model in, git add, git commit,
 *   git tag -a, git push --tags  (git-lfs's pre-push hook uploads the objects)
 * and `whisper-drill snapshot --yes` (gather, environment lock, stage by content hash, commit, push,
 * proof of every object by a ranged read, tag), each into a fresh empty backup and from a fresh clone
 * (a first snapshot: nothing cached). Best and median of BENCH_RUNS (3). Goal: snapshot ≤ 1.0× by hand,
 * with the proof. Run: npm run bench (or `npx tsx bench/snapshot.ts` alone).
 */
import { execFileSync, spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { makeTestCa } from '../test/helpers/tls.js';

const MIB = 1024 * 1024;
const SIZE_MIB = Number(process.env['BENCH_MODEL_MIB'] ?? 512);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);
const USER = 'bench';
const SECRET = 'bench-secret-token';
const root = path.resolve(import.meta.dirname, '..');

const shSync = (command: string, cwd?: string) => execFileSync('bash', ['-c', command], { cwd, env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * MIB }).toString();

const sh = (command: string, cwd: string, env: NodeJS.ProcessEnv = {}) =>
  new Promise<string>((resolve, reject) => {
    const child = spawn('bash', ['-c', command], { cwd, env: { ...process.env, ...env, LC_ALL: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${command}: exit ${code}: ${err}${out}`))));
  });

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function timed(work: () => Promise<unknown>): Promise<number> {
  shSync('sync');
  const started = performance.now();
  await work();
  return performance.now() - started;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-bench-snapshot-'));
  const stops: Array<() => void> = [];
  try {
    console.log(`a service folder with a ${SIZE_MIB} MiB model…`);
    const svc = path.join(dir, 'Whisper-large-v3');
    await cp(path.join(root, 'fixtures', 'sample-backup'), svc, { recursive: true });
    await mkdir(path.join(svc, 'models'));
    shSync(`head -c ${SIZE_MIB * MIB} /dev/urandom > ${path.join(svc, 'models', 'large-v3.pt')}`);

    const ca = makeTestCa(dir, 'bench');
    const served = path.join(dir, 'served');
    await mkdir(served);
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'test', 'helpers', 'lfs-server-main.ts'), served, USER, SECRET, `tls-key=${ca.server.keyFile}`, `tls-cert=${ca.server.certFile}`], { stdio: ['ignore', 'pipe', 'inherit'] });
    stops.push(() => void child.kill('SIGTERM'));
    const { url } = JSON.parse(await new Promise<string>((resolve) => child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString())))) as { url: string };
    const credentials = path.join(dir, 'credentials');
    await writeFile(credentials, `${url.replace('https://', `https://${USER}:${SECRET}@`)}\n`);
    const env = {
      GIT_SSL_CAINFO: ca.caFile,
      GIT_CONFIG_COUNT: '3',
      GIT_CONFIG_KEY_0: 'credential.helper',
      GIT_CONFIG_VALUE_0: `store --file=${credentials}`,
      GIT_CONFIG_KEY_1: 'user.name',
      GIT_CONFIG_VALUE_1: 'Backup Job',
      GIT_CONFIG_KEY_2: 'user.email',
      GIT_CONFIG_VALUE_2: 'backup@bench',
    };

    const byHand: number[] = [];
    const drill: number[] = [];
    for (let run = 1; run <= RUNS; run += 1) {
      for (const who of ['by hand', 'snapshot'] as const) {
        const name = `${who === 'by hand' ? 'hand' : 'snap'}-${run}.git`;
        shSync(`git init -q --bare -b main ${path.join(served, name)}`);
        const repo = `${url}/${name}`;
        const work = await mkdtemp(path.join(dir, 'work-'));
        if (who === 'by hand') {
          const ms = await timed(() =>
            sh(
              [
                `git clone -q ${repo} backup 2>/dev/null`,
                'cd backup',
                'git lfs install --local >/dev/null',
                'git lfs track "models/*.pt" "*.wav" >/dev/null',
                `cp -r ${svc}/config.yaml ${svc}/configuration.json ${svc}/app.py ${svc}/requirements.txt ${svc}/example ${svc}/models .`,
                'git add -A',
                'git commit -qm "nightly backup"',
                'git tag -a v1 -m "nightly backup"',
                'git push -q origin HEAD:main --tags 2>&1',
              ].join(' && '),
              work,
              env,
            ),
          );
          byHand.push(ms);
        } else {
          const plan = path.join(work, 'plan.yaml');
          await writeFile(
            plan,
            YAML.stringify({
              name: 'bench',
              snapshot: { repo, tags: 'v*' },
              environment: { python: { command: 'python3' } },
              service: { start: 'true', url: 'http://127.0.0.1:9' },
              backup: { from: svc, files: ['config.yaml', 'configuration.json', 'app.py', 'requirements.txt', 'example/', 'models/'] },
            }),
          );
          let output = '';
          const ms = await timed(async () => (output = await sh(`node ${path.join(root, 'dist', 'cli.js')} snapshot --plan ${plan} --yes --tag v1`, work, { ...env, WHISPER_DRILL_CACHE: path.join(work, 'cache') })));
          if (process.env['BENCH_VERBOSE']) console.log(output);
          // The snapshot's claim, checked as an auditor would: the tag is there, its object with it.
          const listed = shSync(`git --git-dir ${path.join(served, name)} tag`);
          if (listed.trim() !== 'v1') throw new Error(`the snapshot made no tag v1: ${listed}`);
          drill.push(ms);
        }
        await rm(work, { recursive: true, force: true });
      }
    }
    const row = (label: string, values: number[]) => `${label.padEnd(40)} best ${(Math.min(...values) / 1000).toFixed(2)} s   median ${(median(values) / 1000).toFixed(2)} s`;
    console.log(`\nsnapshot of a ${SIZE_MIB} MiB model over HTTPS (loopback), ${RUNS} runs each, into an empty backup`);
    console.log(row('by hand (clone, add, commit, tag, push)', byHand));
    console.log(row('whisper-drill snapshot (with the proof)', drill));
    console.log(`snapshot ÷ by hand: ${(Math.min(...drill) / Math.min(...byHand)).toFixed(2)}× best, ${(median(drill) / median(byHand)).toFixed(2)}× median (goal ≤ 1.0×)`);
  } finally {
    for (const stop of stops) stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
