/**
 * The one place that spawns external tools. Everything else (probes, git, install) goes through a
 * ProcessRunner handed down from the drill's options, so a unit test can pass a table of
 * command → result, and an end-to-end test can put recorded stand-ins on PATH. (The service itself,
 * a long-lived process group, is started by process-group.ts.)
 */
import os from 'node:os';
import { execa } from 'execa';
import { shellWord } from '../model/shell-word.js';
import { addLiveGroup, removeLiveGroup, signalGroup } from './live-groups.js';

export type Stream = 'stdout' | 'stderr';

export interface RunOptions {
  readonly cwd?: string;
  /** Added to the inherited environment. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
  /** Called for every complete output line (\n or \r separated), as it arrives. */
  readonly onLine?: (stream: Stream, line: string) => void;
  readonly input?: string;
  /** Cap on what is kept in memory of each stream (bytes). */
  readonly maxBuffer?: number;
  /**
   * Keep only the last N lines of each stream instead of all output (for chatty commands such as
   * pip: the lines are streamed to onLine as they come, and a failure quotes the end).
   */
  readonly keepLines?: number;
  /** latin1 keeps one character per byte, for parsing byte-counted output (git cat-file --batch). */
  readonly encoding?: 'utf8' | 'latin1';
  /** Who runs it: the system by default; tests pass a table. */
  readonly runner?: ProcessRunner;
}

/** Runs commands: an argument vector (no shell) or a trusted command line from the plan. */
export interface ProcessRunner {
  run(file: string, args: readonly string[], options?: RunOptions): Promise<RunResult>;
  shell(command: string, options?: RunOptions): Promise<RunResult>;
}

export interface RunResult {
  /** The command as an operator would type it (for error messages and reports). */
  readonly command: string;
  /** undefined when the process never ran or was killed by a signal. */
  readonly exitCode: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
  /** The tool is not installed (ENOENT). */
  readonly missing: boolean;
  readonly timedOut: boolean;
  readonly aborted: boolean;
  readonly durationMs: number;
}

/** Quote an argument for display only (never executed through a shell). */
export const displayArg = shellWord;

export function displayCommand(file: string, args: readonly string[]): string {
  return [file, ...args].map(displayArg).join(' ');
}

function splitLines(onLine: ((stream: Stream, line: string) => void) | undefined, stream: Stream, keepLines = 0) {
  let pending = '';
  const kept: string[] = [];
  const take = (line: string) => {
    onLine?.(stream, line);
    if (keepLines > 0) {
      kept.push(line);
      if (kept.length > keepLines) kept.shift();
    }
  };
  return {
    push(chunk: string) {
      if (!onLine && keepLines === 0) return;
      pending += chunk;
      const parts = pending.split(/\r\n|\r|\n/);
      pending = parts.pop() ?? '';
      for (const line of parts) if (line.length > 0) take(line);
    },
    flush() {
      if (pending.length > 0) take(pending);
      pending = '';
    },
    kept: () => kept.join('\n'),
  };
}

async function execute(
  file: string,
  args: readonly string[],
  options: RunOptions,
  shell: boolean,
  display: string,
): Promise<RunResult> {
  const started = performance.now();
  // A plan's command line runs in a process group of its own: an abort or a time limit stops all it
  // started (pip's build backends, a `sleep` in a script), not only its shell.
  const child = execa(file, args, {
    detached: shell,
    cwd: options.cwd,
    env: options.env as Record<string, string> | undefined,
    extendEnv: true,
    cancelSignal: options.signal,
    timeout: options.timeoutMs,
    input: options.input,
    stdin: options.input === undefined ? 'ignore' : undefined,
    shell,
    reject: false,
    stripFinalNewline: true,
    maxBuffer: options.maxBuffer ?? 64 * 1024 * 1024,
    buffer: options.keepLines === undefined,
    forceKillAfterDelay: 5_000,
    encoding: options.encoding ?? 'utf8',
  });
  const pgid = shell ? child.pid : undefined;
  let stopGroup: (() => void) | undefined;
  let lastResort: NodeJS.Timeout | undefined;
  if (pgid !== undefined) {
    addLiveGroup(pgid);
    stopGroup = () => {
      signalGroup(pgid, 'SIGTERM');
      lastResort ??= setTimeout(() => signalGroup(pgid, 'SIGKILL'), 5_000).unref();
    };
    options.signal?.addEventListener('abort', stopGroup, { once: true });
    // Once the command's shell has exited, what it left in its group goes: a child sent to the
    // background (`daemon &`) would otherwise hold the output open, and the command would not end.
    child.once('exit', () => signalGroup(pgid, 'SIGKILL'));
  }
  const out = splitLines(options.onLine, 'stdout', options.keepLines);
  const err = splitLines(options.onLine, 'stderr', options.keepLines);
  child.stdout?.on('data', (chunk: Buffer) => out.push(chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => err.push(chunk.toString('utf8')));
  // A time limit kills the shell: what it started goes with it.
  const timer = pgid !== undefined && options.timeoutMs ? setTimeout(() => stopGroup?.(), options.timeoutMs) : undefined;
  const result = await child;
  if (timer) clearTimeout(timer);
  if (pgid !== undefined) {
    options.signal?.removeEventListener('abort', stopGroup!);
    if (lastResort) clearTimeout(lastResort);
    signalGroup(pgid, 'SIGKILL');
    removeLiveGroup(pgid);
  }
  out.flush();
  err.flush();
  const code = (result as { code?: string }).code;
  return {
    command: display,
    exitCode: typeof result.exitCode === 'number' ? result.exitCode : undefined,
    stdout: options.keepLines !== undefined ? out.kept() : typeof result.stdout === 'string' ? result.stdout : '',
    stderr: options.keepLines !== undefined ? err.kept() : typeof result.stderr === 'string' ? result.stderr : '',
    missing: code === 'ENOENT',
    timedOut: result.timedOut === true,
    aborted: result.isCanceled === true,
    durationMs: Math.round(performance.now() - started),
  };
}

/** The real thing: child processes through execa. */
export const systemRunner: ProcessRunner = {
  run: (file, args, options = {}) => execute(file, args, options, false, displayCommand(file, args)),
  shell: (command, options = {}) => execute(command, [], options, true, command),
};

/** Run a tool with an argument vector (no shell), with `options.runner` or the system. Never throws for a failing exit code. */
export function run(file: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return (options.runner ?? systemRunner).run(file, args, options);
}

/**
 * Run a command line from the plan through /bin/sh. Plans are trusted operator configuration;
 * values from outside the plan must never be spliced into `command` — pass them in `env`.
 */
export function runShell(command: string, options: RunOptions = {}): Promise<RunResult> {
  return (options.runner ?? systemRunner).shell(command, options);
}

/** One-line description of why a run failed, naming the command. */
/** "137 (SIGKILL)": a shell reports a child killed by signal N as 128 + N. */
function exitText(code: number | undefined): string {
  if (code === undefined) return 'a signal';
  const signal = code > 128 && code < 160 ? Object.entries(os.constants.signals).find(([, number]) => number === code - 128)?.[0] : undefined;
  return signal ? `${code} (${signal})` : String(code);
}

export function describeFailure(result: RunResult): string {
  if (result.missing) return `\`${result.command}\`: command not found`;
  if (result.timedOut) return `\`${result.command}\` did not finish within its time limit`;
  if (result.aborted) return `\`${result.command}\` was interrupted`;
  const lastLines = (result.stderr || result.stdout).trim().split('\n').slice(-3).join(' | ');
  return `\`${result.command}\` exited with ${exitText(result.exitCode)}${lastLines ? `: ${lastLines}` : ''}`;
}
