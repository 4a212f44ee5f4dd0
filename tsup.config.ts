import { rmSync } from 'node:fs';
import { defineConfig, type Options } from 'tsup';

// One build per format, every entry together with code splitting, so that the entries share
// one copy of the core (one PollwiseError class, one poller) instead of each bundling its own.
// platform 'neutral' keeps esbuild from assuming Node: this is a browser library.
const shared = {
  entry: {
    index: 'src/index.ts',
    resource: 'src/resource/index.ts',
    ky: 'src/ky/index.ts',
    // Framework adapters: react and vue are optional peer dependencies, never bundled.
    react: 'src/react/index.ts',
    vue: 'src/vue/index.ts',
    svelte: 'src/svelte/index.ts',
  },
  outDir: 'dist',
  target: 'es2022',
  platform: 'neutral',
  sourcemap: true,
  splitting: true,
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
  // Clean once, before both builds start: tsup runs the configs of an array concurrently.
  rmSync('dist', { recursive: true, force: true });
  return [
    // ESM: every dependency stays external.
    { ...shared, format: ['esm'] },
    // CJS: ky is ESM-only (require('ky') fails before Node 20.19 / 22.12), so the ky entry's
    // CJS build bundles it; zod and mitt ship CJS and stay external.
    { ...shared, format: ['cjs'], noExternal: ['ky'] },
  ];
});
