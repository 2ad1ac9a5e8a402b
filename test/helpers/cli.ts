/**
 * Runs the built CLI (dist/cli.js) as a child process, the way an operator or a cron job does:
 * no terminal, stdin closed, output captured. Lines are handed out as they arrive, so a test can
 * react to the drill's progress (e.g. interrupt it at a given step) without sleeping.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const cliPath = path.join(repoRoot, 'dist', 'cli.js');

export interface RunCliOptions {
  /** Working directory of the CLI (a temp dir: the CLI must not depend on being run from the repo). */
  readonly cwd: string;
  /** Added to (or, with `undefined`, removed from) this process's environment, which the CLI inherits. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Called for every complete line on stdout, as it arrives. */
  readonly onStdoutLine?: (line: string, child: ChildProcess) => void;
  /** Called for every complete line on stderr, as it arrives. */
  readonly onStderrLine?: (line: string, child: ChildProcess) => void;
  /**
   * A watchdog, not a synchronisation: past this the CLI is sent SIGTERM (so it still tears down),
   * and SIGKILL 20 s later; the result then has `timedOut: true`.
   */
  readonly timeoutMs?: number;
}

export interface CliResult {
  /** Exit code, or null when the process died of a signal. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly pid: number;
  readonly timedOut: boolean;
}

function lineSplitter(onLine: ((line: string) => void) | undefined): { push: (text: string) => void; end: () => void } {
  let partial = '';
  return {
    push(text) {
      if (!onLine) return;
      partial += text;
      const lines = partial.split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    },
    end() {
      if (onLine && partial !== '') onLine(partial);
      partial = '';
    },
  };
}

export function runCli(args: readonly string[], options: RunCliOptions): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    // A callback that throws fails the run once the CLI has ended (it is told to stop, and tears down).
    let callbackError: unknown;
    const guarded = (callback: ((line: string, child: ChildProcess) => void) | undefined) =>
      callback &&
      ((line: string) => {
        if (callbackError !== undefined) return;
        try {
          callback(line, child);
        } catch (error) {
          callbackError = error;
          child.kill('SIGTERM');
        }
      });
    const out = lineSplitter(guarded(options.onStdoutLine));
    const err = lineSplitter(guarded(options.onStderrLine));
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      out.push(chunk);
    });
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
      err.push(chunk);
    });
    let killTimer: NodeJS.Timeout | undefined;
    const watchdog = options.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          child.kill('SIGTERM');
          killTimer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        }, options.timeoutMs)
      : undefined;
    child.once('error', (error) => {
      clearTimeout(watchdog);
      clearTimeout(killTimer);
      reject(error);
    });
    // 'close' (not 'exit'): both pipes are drained, so stdout and stderr are complete.
    child.once('close', (code, signal) => {
      clearTimeout(watchdog);
      clearTimeout(killTimer);
      out.end();
      err.end();
      if (callbackError !== undefined) reject(callbackError);
      else resolve({ code, signal, stdout, stderr, pid: child.pid ?? -1, timedOut });
    });
  });
}

/** A one-line description of a run, for assertion messages. */
export function describeRun(result: CliResult): string {
  return `exit ${result.code ?? result.signal}${result.timedOut ? ' (timed out)' : ''}\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`;
}
