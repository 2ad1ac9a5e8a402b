#!/usr/bin/env node
/**
 * Benchmarks of the wizard, measured side by side in one run (ratios, not absolute targets in tests):
 *   1. launch → first frame on a terminal, against a bare `node -e ""` start on the same machine;
 *   2. the wizard's CPU while the install step's child prints thousands of lines a second,
 *      against the plain (headless) reporter consuming the same events, and against a bare Node
 *      process that only reads the same child's output (the floor of any consumer on this machine);
 *   3. `check --plan drills/demo.yaml`, headless, from spawn to exit (a node's health check).
 * The terminals are real pseudo-terminals (Python's pty for the first frame, util-linux `script` for the
 * whole drills). Run: npm run bench
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'dist', 'cli.js');
const TICKS = 100; // USER_HZ on Linux
const RUNS = 7;

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** script's terminal has no size of its own: give it 80×24, as an operator's terminal would be. */
function sized(command) {
  return `stty cols 80 rows 24; exec ${command}`;
}

/** CPU seconds (user + system) used so far by a process. */
async function cpuSeconds(pid) {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

/** ms from fork to the first output containing `marker`, on an 80×24 pseudo-terminal (bench/pty-first-output.py). */
function timeToOutput(argv, marker, env) {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [path.join(root, 'bench', 'pty-first-output.py'), marker, ...argv], { env: { ...process.env, ...env, TERM: 'xterm-256color' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('exit', (code) => (code === 0 ? resolve(Number(out)) : reject(new Error(err))));
  });
}

async function benchFirstFrame(dir, env) {
  const plan = path.join(dir, 'plan.yaml');
  const bare = [];
  const frame = [];
  for (let i = 0; i < RUNS; i += 1) {
    bare.push(await timeToOutput(['node', '-e', "console.log('ready')"], 'ready', env));
    // --dry-run with no --tag: the wizard's first frame appears before any probe has answered.
    frame.push(await timeToOutput(['node', cli, 'drill', '--plan', plan, '--dry-run', '--report-dir', `${dir}/reports`], 'q abort', env));
  }
  return { bareMs: median(bare), firstFrameMs: median(frame) };
}

/** Wall time of `check` on the demo plan, from spawn to exit, headless (how a cron job or CI runs it). */
async function benchCheck(dir, env) {
  const times = [];
  for (let i = 0; i < RUNS; i += 1) {
    const began = performance.now();
    const code = await new Promise((resolve) => {
      const child = spawn('node', [cli, 'check', '--plan', path.join(root, 'drills', 'demo.yaml'), '--report-dir', path.join(dir, 'reports-check')], { env: { ...process.env, ...env }, stdio: 'ignore' });
      child.on('exit', resolve);
    });
    if (code !== 0) throw new Error(`check --plan drills/demo.yaml exited with ${code}`);
    times.push(performance.now() - began);
  }
  return median(times);
}

/** Run a whole drill with a chatty install step; sample the CLI's CPU while install runs. */
function cpuDuringInstall(args, env, interactive) {
  return new Promise((resolve, reject) => {
    const command = `node ${cli} ${args.join(' ')}`;
    const child = interactive
      ? spawn('script', ['-qfec', sized(command), '/dev/null'], { env: { ...process.env, ...env, TERM: 'xterm-256color' } })
      : spawn('node', [cli, ...args], { env: { ...process.env, ...env } });
    let output = '';
    let start;
    let starting = false;
    let result;
    let quit = false;
    let signed = false;
    const nodePid = async () => {
      if (!interactive) return child.pid;
      // script → sh → node: find the node process whose parent chain leads to script.
      const children = (await readFile(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').catch(() => '')).trim().split(' ');
      for (const pid of children) {
        const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
        if (cmd.includes(cli)) return Number(pid);
        const grand = (await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '')).trim().split(' ');
        for (const g of grand) if ((await readFile(`/proc/${g}/cmdline`, 'utf8').catch(() => '')).includes(cli)) return Number(g);
      }
      return undefined;
    };
    const onData = async (chunk) => {
      output += chunk.toString();
      // The wizard shows only the last lines, so its start marker is the step's title.
      if (!starting && (output.includes('bench-begin') || output.includes('Install dependencies'))) {
        starting = true;
        const pid = await nodePid();
        start = { pid, cpu: await cpuSeconds(pid), at: performance.now() };
      }
      if (start && !result && output.includes('bench-end')) {
        result = { cpu: (await cpuSeconds(start.pid)) - start.cpu, wallS: (performance.now() - start.at) / 1000 };
      }
      // The wizard asks for a sign-off at the end: Esc signs off with the fields empty.
      if (interactive && !signed && output.includes('Sign the drill off')) {
        signed = true;
        child.stdin.write('\x1b');
      }
      if (interactive && !quit && output.includes('Enter or q: exit')) {
        quit = true;
        child.stdin.write('q');
      }
    };
    child.stdout.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', () => (result ? resolve({ percentOfCore: (100 * result.cpu) / result.wallS, wallS: result.wallS }) : reject(new Error(`no measurement: ${output.slice(-800)}`))));
  });
}

/** A stand-in for a chatty install: `perTick` lines every 10 ms for 5 s, between two markers. */
async function writeChatty(dir, name, perTick) {
  const file = path.join(dir, name);
  const lines = ['import sys, time', "print('bench-begin', flush=True)", 't = time.time()', 'while time.time() - t < 5:',
    `    for i in range(${perTick}): print('pip: resolving dependency', i)`, '    sys.stdout.flush(); time.sleep(0.01)', "print('bench-end', flush=True)"];
  await writeFile(file, lines.join('\n'));
  return file;
}

async function main() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'whisper-drill-bench-'));
  try {
    const env = { WHISPER_DRILL_CACHE: process.env.WHISPER_DRILL_CACHE ?? path.join(os.homedir(), '.cache', 'whisper-drill') };
    const port = await freePort();
    // Two install steps: a stress case (~4000 lines a second, for 5 s) and a pip-like one (~100 a second).
    const chatty = await writeChatty(dir, 'chatty.py', 40);
    const calm = await writeChatty(dir, 'calm.py', 1);
    const demo = await readFile(path.join(root, 'drills', 'demo.yaml'), 'utf8');
    const withInstall = (script) => demo.replaceAll('17860', String(port)).replace(/install:\n  commands:\n/, `install:\n  commands:\n    - python3 ${script}\n`);
    await writeFile(path.join(dir, 'plan.yaml'), withInstall(chatty));
    await writeFile(path.join(dir, 'calm.yaml'), withInstall(calm));

    const { bareMs, firstFrameMs } = await benchFirstFrame(dir, env);
    const checkMs = await benchCheck(dir, env);
    const args = ['drill', '--plan', path.join(dir, 'plan.yaml'), '--tag', 'v1.2-config-tuned', '--report-dir', path.join(dir, 'reports')];
    const wizard = await cpuDuringInstall(args, env, true);
    const calmArgs = ['drill', '--plan', path.join(dir, 'calm.yaml'), '--tag', 'v1.2-config-tuned', '--report-dir', path.join(dir, 'reports')];
    const wizardCalm = await cpuDuringInstall(calmArgs, env, true);
    const plain = await cpuDuringInstall([...args, '--yes'], env, false);
    const floorOf = (script) =>
      new Promise((resolve) => {
        const child = spawn('node', [path.join(root, 'bench', 'consume.mjs'), 'python3', script]);
        let out = '';
        child.stdout.on('data', (chunk) => (out += chunk));
        child.on('exit', () => resolve(JSON.parse(out)));
      });
    const floor = await floorOf(chatty);
    const floorCalm = await floorOf(calm);

    const pct = (value) => `${value.toFixed(1)} % of a core`;
    const rows = [
      ['launch → first wizard frame (median of 7)', `${firstFrameMs.toFixed(0)} ms`, 'target ≤ 300 ms'],
      ['bare `node -e` → first output (median of 7)', `${bareMs.toFixed(0)} ms`, `ratio ${(firstFrameMs / bareMs).toFixed(1)}×`],
      ['check --plan demo.yaml, spawn → exit (median of 7)', `${checkMs.toFixed(0)} ms`, 'target ≤ 1500 ms'],
      ['pip-like install, ~100 lines/s: wizard process', pct(wizardCalm.percentOfCore), `own share ${(wizardCalm.percentOfCore - floorCalm.percentOfCore).toFixed(1)} %, target < 10 %`],
      ['  bare node only reading that child (the floor)', pct(floorCalm.percentOfCore), ''],
      ['stress, ~4000 lines/s: wizard process', pct(wizard.percentOfCore), `own share ${(wizard.percentOfCore - floor.percentOfCore).toFixed(1)} %`],
      ['  plain reporter, same child', pct(plain.percentOfCore), `wizard/plain ${(wizard.percentOfCore / Math.max(0.1, plain.percentOfCore)).toFixed(1)}×`],
      ['  bare node only reading that child (the floor)', pct(floor.percentOfCore), ''],
    ];
    for (const [what, value, note] of rows) console.log(`${what.padEnd(50)} ${value.padStart(16)}   ${note}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
