import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Node by default; DOM tests opt in per file with `// @vitest-environment happy-dom`.
    environment: 'node',
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    // Suites that build bundles or launch Chromium in beforeAll need more than 10 s on 2 busy cores.
    hookTimeout: 60_000,
    unstubGlobals: true,
    unstubEnvs: true,
    restoreMocks: true,
    // Keep the normal human-readable summary, also in CI (no TTY).
    reporters: ['default'],
  },
});
