import { rmSync } from 'node:fs';
import { defineConfig, type Options } from 'tsup';

// Shared settings for both output formats. This is a browser library:
// platform 'neutral' keeps esbuild from assuming Node (no node built-ins are
// resolved or polyfilled) while still honouring package `exports`.
const shared = {
  entry: { index: 'src/index.ts' },
  outDir: 'dist',
  target: 'es2022',
  platform: 'neutral',
  sourcemap: true,
  splitting: false,
  treeshake: true,
  dts: true,
  clean: false, // done once in defineConfig() below
  esbuildOptions(options) {
    // 'neutral' has no default main fields; needed when bundling deps (CJS build).
    options.mainFields = ['module', 'main'];
    options.conditions = ['import', 'module', 'default'];
  },
} satisfies Options;

export default defineConfig(() => {
  // Clean once, before both builds start. tsup runs the configs of an array
  // concurrently, so `clean: true` in one of them can race the other's output.
  rmSync('dist', { recursive: true, force: true });
  return [
    {
      // ESM: dist/index.js + dist/index.d.ts, every dependency stays external.
      ...shared,
      format: ['esm'],
    },
    {
      // CJS: dist/index.cjs + dist/index.d.cts. ky 2 is ESM-only (require('ky')
      // fails before Node 20.19 / 22.12), so it is bundled into the CJS output;
      // zod and mitt ship CJS and stay external.
      ...shared,
      format: ['cjs'],
      noExternal: ['ky'],
    },
  ];
});
