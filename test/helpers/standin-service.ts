/**
 * The sample's stand-in service (fixtures/sample-backup/app.py) started straight from a copy of the
 * tree with a small model, answering with one server's API (`--api`), for tests that need a running
 * service without a drill around it. Stopped by its process group.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cp } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './cli.js';
import { freePort } from './sample.js';

const run = promisify(execFile);

/** A copy of the sample tree with a 1 MiB model that recognises the sample clips. */
export async function standinTree(dir: string): Promise<string> {
  await cp(path.join(repoRoot, 'fixtures', 'sample-backup'), dir, { recursive: true });
  const makeModel = path.join(repoRoot, 'fixtures', 'model', 'make_model.py');
  await run('python3', [makeModel, path.join(dir, 'models', 'large-v3.pt'), '--samples', dir, '--variant', '1', '--size-mib', '1']);
  return dir;
}

export interface RunningStandin {
  readonly url: string;
  readonly output: () => string;
  stop(): Promise<void>;
}

export async function startStandin(tree: string, api: string, env: Record<string, string> = {}): Promise<RunningStandin> {
  const port = await freePort();
  let output = '';
  const child: ChildProcess = spawn('python3', ['app.py', '--port', String(port), '--api', api], {
    cwd: tree,
    detached: true,
    env: { ...process.env, GRADIO_TEMP_DIR: path.join(tree, '..', 'uploads'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    process.kill(-child.pid!, 'SIGTERM');
    await exited;
  };
  const url = `http://127.0.0.1:${port}`;
  // The service announces itself on stdout once it listens: wait for that line, not for a time.
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (output.includes('Running on local URL')) resolve();
      else if (child.exitCode !== null) reject(new Error(`stand-in exited ${child.exitCode}:\n${output}`));
    };
    child.stdout?.on('data', check);
    child.once('exit', check);
    check();
  });
  return { url, output: () => output, stop };
}
