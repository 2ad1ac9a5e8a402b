/**
 * A real terminal for the wizard: a tmux server of its own (its own socket), a pane of a fixed size,
 * keys sent with send-keys, the screen read with capture-pane.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export interface TmuxSession {
  readonly screen: () => Promise<string>;
  /** The screen with its escape sequences (colours), as capture-pane -e shows it. */
  readonly styledScreen: () => Promise<string>;
  /** Everything the terminal has shown: the scrollback and the screen (capture-pane -S -). */
  readonly scrollback: () => Promise<string>;
  readonly resize: (cols: number, rows: number) => Promise<void>;
  readonly keys: (...keys: string[]) => Promise<void>;
  readonly waitFor: (predicate: (screen: string) => boolean, timeoutMs?: number) => Promise<string>;
  /**
   * Press a key once and wait until `done()` holds. The key is never sent again: a key the wizard
   * drops fails the test, as it would fail the operator.
   */
  readonly press: (key: string, done: () => Promise<boolean>, timeoutMs?: number) => Promise<void>;
  readonly kill: () => Promise<void>;
}

export async function startTmux(command: string, options: { cols?: number; rows?: number; cwd: string }): Promise<TmuxSession> {
  const socket = `whisper-drill-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const tmux = (...args: string[]) => exec('tmux', ['-L', socket, ...args], { env: { ...process.env, TERM: 'xterm-256color' } });
  await tmux('new-session', '-d', '-s', 'drill', '-x', String(options.cols ?? 80), '-y', String(options.rows ?? 24), '-c', options.cwd, command);
  const screen = async () => (await tmux('capture-pane', '-p', '-t', 'drill')).stdout;
  return {
    screen,
    styledScreen: async () => (await tmux('capture-pane', '-e', '-p', '-t', 'drill')).stdout,
    scrollback: async () => (await tmux('capture-pane', '-p', '-S', '-', '-t', 'drill')).stdout,
    resize: async (cols, rows) => {
      await tmux('resize-window', '-t', 'drill', '-x', String(cols), '-y', String(rows));
    },
    keys: async (...keys) => {
      await tmux('send-keys', '-t', 'drill', ...keys);
    },
    waitFor: async (predicate, timeoutMs = 60_000) => {
      const deadline = Date.now() + timeoutMs;
      let last = '';
      // The terminal has no event to wait on: poll the screen.
      while (Date.now() < deadline) {
        last = await screen().catch(() => last);
        if (predicate(last)) return last;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`timed out waiting for the screen; last screen:\n${last}`);
    },
    press: async (key, done, timeoutMs = 10_000) => {
      await tmux('send-keys', '-t', 'drill', key);
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (await done()) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`the wizard did not take ${key} (${timeoutMs} ms); screen:\n${await screen()}`);
    },
    kill: async () => {
      await tmux('kill-server').catch(() => undefined);
    },
  };
}
