/** systemd's own check of unit files: its exit code and what it printed (nothing when they are fine). */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

export async function verifyUnits(files: readonly string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)('systemd-analyze', ['verify', '--man=no', ...files]);
    return { code: 0, output: `${stdout}${stderr}` };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, output: `${e.stdout}${e.stderr}` };
  }
}
