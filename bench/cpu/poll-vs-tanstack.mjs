#!/usr/bin/env node
// Kept so that `npm run bench:cpu` (package.json) still runs the CPU bench: see ./run.mjs.
await import('./run.mjs');
