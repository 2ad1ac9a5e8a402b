import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    setupFiles: ['test/setup.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // These tests drive real git, git-lfs, python and child processes on 2-core machines: most of their
    // time is spent waiting on those, so four workers (measured on the whole suite: 147 s against 173 s with
    // three). They share their module graph (no test mocks modules or keeps module state; every file passes
    // in any file order: --sequence.shuffle.files).
    maxWorkers: 4,
    isolate: false,
    // The fault-injection suite (test/faults/) prints how many faults it injected.
    reporters: ['default', './test/faults/faults-reporter.ts'],
  },
});
