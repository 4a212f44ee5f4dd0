import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Node by default; DOM tests opt in per file with `// @vitest-environment happy-dom`.
    environment: 'node',
    include: ['test/**/*.test.ts'],
    // Real-Chromium suites run after this one, on their own: `npm run test:browser`.
    exclude: ['test/browser/**', 'node_modules/**'],
    // Type tests (`*.test-d.ts`, expectTypeOf and @ts-expect-error) run with every `vitest run`:
    // tsc checks them (and the sources they import), and an inference regression fails the run.
    typecheck: {
      enabled: true,
      include: ['test/**/*.test-d.ts'],
      tsconfig: './test/tsconfig.typecheck.json',
    },
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
