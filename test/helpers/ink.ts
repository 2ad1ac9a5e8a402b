/**
 * Driving an Ink screen the robust way: after a key, wait for the frame to change, then one more
 * tick, because Ink re-attaches key handlers after each render.
 */
import { setImmediate as tick } from 'node:timers/promises';

export interface InkInstance {
  readonly lastFrame: () => string | undefined;
  readonly stdin: { write: (data: string) => void };
}

export const KEYS = { up: '\u001B[A', down: '\u001B[B', enter: '\r', escape: '\u001B', ctrlC: '\u0003' } as const;

/** Resolve once `predicate(frame)` holds; fail with the last frame after `timeoutMs`. */
export async function waitForFrame(instance: InkInstance, predicate: (frame: string) => boolean, timeoutMs = 3_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const frame = instance.lastFrame() ?? '';
    if (predicate(frame)) {
      await tick();
      return frame;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for the frame; last frame:\n${frame}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Press a key and wait until the frame is no longer `before`. */
export async function press(instance: InkInstance, key: string): Promise<string> {
  const before = instance.lastFrame() ?? '';
  instance.stdin.write(key);
  return waitForFrame(instance, (frame) => frame !== before);
}
