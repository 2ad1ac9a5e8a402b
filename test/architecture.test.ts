/**
 * The layering of .dependency-cruiser.cjs holds: no import cycle, the core imports no face, only
 * cli.ts imports the wizard, and faces render without running anything.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');

interface CruiseResult {
  readonly summary: { readonly violations: ReadonlyArray<{ readonly from: string; readonly to: string; readonly rule: { readonly name: string } }>; readonly totalCruised: number };
}

describe('the layering', () => {
  it('has no import cycle and no import across the layers', async () => {
    const { stdout } = await promisify(execFile)(path.join(root, 'node_modules', '.bin', 'depcruise'), ['src', '--output-type', 'json'], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
    const result = JSON.parse(stdout) as CruiseResult;
    // It looked at the whole tree (the engine, the steps, the wizard), not at nothing.
    expect(result.summary.totalCruised).toBeGreaterThan(80);
    expect(result.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`)).toEqual([]);
  }, 60_000);
});
