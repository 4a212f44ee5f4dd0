import { defineConfig } from 'vitest/config';

// `npm run test:browser`: the real-Chromium suites (test/browser), after `npm test`. They start
// Chromium and the playground themselves, and run one file at a time: two browsers on two
// cores would skew the timing they measure.
export default defineConfig({
  test: {
    environment: 'node',
    include: ['test/browser/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 60_000,
    unstubGlobals: true,
    unstubEnvs: true,
    restoreMocks: true,
    reporters: ['default'],
  },
});
