#!/usr/bin/env node
// Bundle size of pollwise's entries next to the libraries an app would otherwise reach for.
//
//   node bench/bundle/compare.mjs [--json <file>]          (after a build; see bench/README.md)
//
// Every bundle is built the way bench/size.mjs builds pollwise's (esbuild: bundle, minify, ESM,
// platform browser, target es2022, no legal comments) and gzipped at level 9 (node:zlib), with
// process.env.NODE_ENV defined as "production", as an app's production build does (TanStack's
// development checks drop out; pollwise reads no process.env). Each is a tiny app importing
// what that library's docs show for polling one endpoint, its dependencies included; react is
// external for swr (a React app has it anyway). 'pollwise', 'pollwise/resource' and 'pollwise/ky'
// resolve to the build in POLLWISE_DIST (default dist/). Reported only; nothing is enforced
// (bench/size.mjs holds the ceilings).
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { distDir, distFile, requireDist, root, versionOf } from '../cpu/dist.mjs';
import { argValue, fixed, int, printTable } from '../cpu/format.mjs';

const POLL_APP = `import { createPoller } from 'pollwise';
const p = createPoller();
p.poll('/api/x', { onData: console.log });
`;

/** id, label, the app's source (or an entry file), the packages it measures (for versions). */
const BUNDLES = [
  { id: 'poll', label: 'pollwise: poll-only app', app: POLL_APP, packages: ['pollwise'] },
  {
    id: 'resource',
    label: 'pollwise: poll + resource app',
    app: `${POLL_APP}import { createResource } from 'pollwise/resource';
createResource(p, {
  item: { url: (k) => '/i/' + k },
  batch: { url: '/batch', key: (e) => e.id },
}).subscribe('a', console.log);
`,
    packages: ['pollwise'],
  },
  {
    id: 'ky-app',
    label: 'pollwise: pollwise/ky app',
    app: `import { createPoller } from 'pollwise';
import { createKy } from 'pollwise/ky';
createKy(createPoller()).get('/api/x').json().then(console.log);
`,
    packages: ['pollwise', 'ky'],
  },
  {
    id: 'core',
    label: 'pollwise: core entry (own code)',
    entry: distFile('index.js'),
    packages: ['pollwise'],
  },
  {
    id: 'tanstack',
    label: '@tanstack/query-core: QueryClient + QueryObserver',
    app: `import { QueryClient, QueryObserver } from '@tanstack/query-core';
const client = new QueryClient();
client.mount();
new QueryObserver(client, {
  queryKey: ['x'],
  queryFn: () => fetch('/api/x').then((r) => r.json()),
  refetchInterval: 1000,
}).subscribe(console.log);
`,
    packages: ['@tanstack/query-core'],
  },
  {
    id: 'swr',
    label: 'swr: useSWR (react external)',
    app: `import useSWR from 'swr';
const fetcher = (url) => fetch(url).then((r) => r.json());
export function useX() {
  return useSWR('/api/x', fetcher, { refreshInterval: 1000 }).data;
}
`,
    packages: ['swr'],
    external: ['react', 'react-dom'],
  },
  {
    id: 'ky',
    label: 'ky: default import',
    app: `import ky from 'ky';
ky.get('/api/x').json().then(console.log);
`,
    packages: ['ky'],
  },
  {
    id: 'dataloader',
    label: 'dataloader: default import',
    app: `import DataLoader from 'dataloader';
const loader = new DataLoader((keys) => fetch('/batch?ids=' + keys.join(',')).then((r) => r.json()));
loader.load('a').then(console.log);
`,
    packages: ['dataloader'],
  },
];

requireDist('index.js', 'resource.js', 'ky.js');

/** Resolves the package's own names to the build, as an installed copy would. */
const pollwiseFromDist = {
  name: 'pollwise-from-dist',
  setup(build) {
    build.onResolve({ filter: /^pollwise(\/resource|\/ky)?$/ }, (args) => ({
      path: distFile(args.path === 'pollwise' ? 'index.js' : `${args.path.slice(9)}.js`),
    }));
  },
};

/** The package each input belongs to ('pollwise' for the build, 'app' for the app's lines). */
function packageOf(input) {
  const segments = input.split(/[\\/]/);
  const nm = segments.lastIndexOf('node_modules');
  if (nm === -1) return input === '<stdin>' || input === 'app.js' ? 'app' : 'pollwise';
  const scoped = segments[nm + 1]?.startsWith('@');
  return scoped ? `${segments[nm + 1]}/${segments[nm + 2]}` : segments[nm + 1];
}

async function build({ app, entry, external = [] }) {
  const result = await esbuild.build({
    ...(app === undefined
      ? { entryPoints: [entry], packages: 'external' } // only bare package imports stay out
      : {
          stdin: { contents: app, resolveDir: root, sourcefile: 'app.js', loader: 'js' },
          plugins: [pollwiseFromDist],
          external,
        }),
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    define: { 'process.env.NODE_ENV': '"production"' },
    write: false,
    outfile: '/tmp/pollwise-bundle-compare.js', // never written (write: false)
    metafile: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const out = result.outputFiles.find((f) => f.path.endsWith('.js'));
  const parts = new Map();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = packageOf(input);
      parts.set(name, (parts.get(name) ?? 0) + bytesInOutput);
    }
  }
  return {
    minified: out.contents.length,
    gzip: gzipSync(out.contents, { level: 9 }).length,
    parts: Object.fromEntries([...parts].sort((a, b) => b[1] - a[1])),
  };
}

const versions = Object.fromEntries(
  ['pollwise', '@tanstack/query-core', 'swr', 'ky', 'dataloader', 'esbuild'].map((name) => [
    name,
    versionOf(name),
  ]),
);
console.log(
  'Bundle size: esbuild minify, ESM, browser, es2022, NODE_ENV=production; gzip level 9 (bytes)',
);
console.log(
  `versions: ${Object.entries(versions)
    .map(([name, v]) => `${name} ${v}`)
    .join(', ')}; dist: ${distDir}`,
);

const results = {};
for (const bundle of BUNDLES) results[bundle.id] = await build(bundle);
const pollGzip = results.poll.gzip;
const rows = BUNDLES.map(({ id, label }) => {
  const r = results[id];
  const contents = Object.entries(r.parts)
    .filter(([name, bytes]) => name !== 'app' && bytes > 0)
    .map(([name, bytes]) => `${name} ${int(bytes)}`)
    .join(', ');
  return [label, int(r.minified), int(r.gzip), fixed(pollGzip / r.gzip, 2), contents];
});
console.log('');
printTable(['bundle', 'minified', 'gzip', 'poll-only ÷', 'minified bytes by package'], rows);
console.log(
  "poll-only ÷: the pollwise poll-only app's gzip size divided by that row's. The core entry " +
    'keeps every package external (own code only); the apps include their dependencies.',
);

const jsonFile = argValue('--json');
if (jsonFile !== undefined) {
  writeFileSync(jsonFile, `${JSON.stringify({ versions, results }, null, 2)}\n`);
}
