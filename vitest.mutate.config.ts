/**
 * The tests StrykerJS runs against each mutant (`npm run mutate`): those that import the mutated files from
 * src/ and run in-process. Tests of the built CLI (dist/) cannot kill a mutant of src/, and whole drills are
 * too slow to run per mutant; they are left out here (docs/mutation.md says which count).
 */
import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// Spread, not mergeConfig: that would add these files to the whole suite's include instead of replacing it.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: [
      'test/core/fetch-verify.test.ts',
      'test/core/verdict-report.test.ts',
      'test/compare.test.ts',
      'test/model/*.test.ts',
      'test/core/gpu-memory-assertion.test.ts',
      'test/core/provenance.test.ts',
      'test/core/drift.test.ts',
      'test/core/drift-compare.test.ts',
      'test/snapshot/verify-file.test.ts',
      'test/adapters/file-sha256.test.ts',
      'test/snapshot/download.test.ts',
      'test/snapshot/block-ring.test.ts',
      'test/core/steps/teardown.test.ts',
      'test/snapshot/kept-clone.test.ts',
      'test/core/resume.test.ts',
      'test/core/workspace-claim.test.ts',
    ],
    reporters: ['default'],
  },
});
