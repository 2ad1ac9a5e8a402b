/** Prometheus's own checker (Debian's `prometheus` package, installed by scripts/setup.sh). */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

export interface PromtoolResult {
  readonly code: number;
  readonly output: string;
}

/** `promtool <args>`, with `input` on stdin when given (check metrics reads it there). */
export function promtool(args: readonly string[], options: { input?: string; cwd?: string } = {}): Promise<PromtoolResult> {
  return new Promise((resolve, reject) => {
    const child = execFile('promtool', [...args], { cwd: options.cwd }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      if (error && typeof error.code !== 'number') reject(error);
      else resolve({ code, output: `${stdout}${stderr}` });
    });
    child.stdin?.end(options.input ?? '');
  });
}
