#!/usr/bin/env bash
# Build, pack, and lint the exact tarball that `npm publish` would upload, then load every
# entry (pollwise, pollwise/resource, pollwise/ky) from that tarball through its exports map,
# in ESM and in CJS. Exits non-zero on any publint warning/error, any attw problem, a missing
# file, or an entry that does not load or does not share the core with the others.
# (test/package/built-package.test.ts also installs the tarball with `npm install --engine-strict`.)
set -euo pipefail
cd "$(dirname "$0")/.."
bin="$PWD/node_modules/.bin"

echo "--- build"
npm run build --silent

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

echo "--- npm pack"
npm pack --ignore-scripts --pack-destination "$tmp" >/dev/null
tarball="$(ls "$tmp"/*.tgz)"
tar -tzf "$tarball" | sort | tee "$tmp/files.txt"
for file in package/package.json package/LICENSE package/README.md \
  package/dist/{index,resource,ky,react,vue,svelte}.{js,cjs,d.ts,d.cts}; do
  grep -qx "$file" "$tmp/files.txt" || { echo "the tarball lacks $file" >&2; exit 1; }
done

echo "--- publint (strict: warnings fail)"
"$bin/publint" run "$tarball" --strict

echo "--- attw (profile strict)"
# attw only analyses this tarball: it never resolves dependencies, so the ESM-only `ky` is
# checked by the load smoke below (CJS without require(esm)) and by the consumer type-checks
# in test/package. The strict profile covers node10 (typesVersions), node16 CJS/ESM and bundler.
"$bin/attw" "$tarball" --profile strict

echo "--- one core per format"
# Code splitting: the entries of one format share the core, so there is one PollwiseError
# class per format, and no CJS file requires the ESM-only ky (the CJS ky entry bundles it).
for ext in js cjs; do
  defining="$(grep -l 'PollwiseError = class' dist/*."$ext" | wc -l)"
  if [ "$defining" -ne 1 ]; then
    echo "dist/*.$ext define PollwiseError $defining times (expected once: shared chunks)" >&2
    exit 1
  fi
done
if grep -El "require\((\"|')ky(\"|')\)" dist/*.cjs; then
  echo "the CJS files above require ky (ESM-only): it must be bundled" >&2
  exit 1
fi

echo "--- load smoke (every entry from the tarball, through its exports map)"
# The tarball unpacked as node_modules/pollwise of an empty app; its dependencies are this
# repository's (a real `npm install` of the tarball is in test/package).
app="$tmp/app"
mkdir -p "$app/node_modules"
tar -xzf "$tarball" -C "$tmp"
mv "$tmp/package" "$app/node_modules/pollwise"
for dep in ky zod mitt; do ln -s "$PWD/node_modules/$dep" "$app/node_modules/$dep"; done
# Without any framework installed, the framework-free entries load (pollwise never pulls one in).
(
  cd "$app"
  node --input-type=module -e '
    for (const entry of ["pollwise", "pollwise/resource", "pollwise/ky", "pollwise/svelte"]) await import(entry);
    console.log("framework-free entries load without react or vue installed");
  '
)
# react and vue: the adapters' optional peer dependencies, as an app using them has them.
for dep in react vue; do ln -s "$PWD/node_modules/$dep" "$app/node_modules/$dep"; done
echo '{ "name": "app", "private": true }' >"$app/package.json"

# Shared by both formats once `load` is defined: every entry has exports, and the errors of
# pollwise/resource and pollwise/ky are instances of pollwise's own PollwiseError.
smoke='
const [core, resource, kyEntry] = await Promise.all(
  ["pollwise", "pollwise/resource", "pollwise/ky"].map(load),
);
const expected = { createPoller: core, createResource: resource, createKy: kyEntry, politeKy: kyEntry };
for (const [name, entry] of Object.entries(expected)) {
  if (typeof entry[name] !== "function") throw new Error(`${label}: ${name} is missing`);
}
const poller = core.createPoller();
for (const [entry, attempt] of [
  ["pollwise/resource", () => resource.createResource(poller, {})],
  ["pollwise/ky", () => kyEntry.createKy(poller, { prefix: "https://a.test" })],
]) {
  let error;
  try { attempt(); } catch (e) { error = e; }
  if (!(error instanceof core.PollwiseError)) {
    throw new Error(`${label}: ${entry} threw ${error}, not an instance of pollwise.PollwiseError`);
  }
}
if (typeof kyEntry.createKy(poller).get !== "function") throw new Error(`${label}: createKy`);
poller.dispose();
// The framework adapters load beside their framework, and import nothing of pollwise itself.
const [react, vue, svelte] = await Promise.all(
  ["pollwise/react", "pollwise/vue", "pollwise/svelte"].map(load),
);
const adapters = { usePoll: react, useResource: react, PollerProvider: react, pollwisePlugin: vue, pollStore: svelte, resourceStore: svelte };
for (const [name, entry] of Object.entries(adapters)) {
  if (typeof entry[name] !== "function") throw new Error(`${label}: ${name} is missing`);
}
for (const [name, entry] of [["pollwise", core], ["pollwise/resource", resource], ["pollwise/ky", kyEntry], ["pollwise/react", react], ["pollwise/vue", vue], ["pollwise/svelte", svelte]]) {
  console.log(`${label}(${name}):`.padEnd(28), Object.keys(entry).sort().join(", "));
}
'
(
  cd "$app"
  node --input-type=module -e "const label = 'import'; const load = (s) => import(s); $smoke"
  # --no-experimental-require-module: Node < 20.19, where require() of an ESM-only package
  # (ky) throws; the CJS build must not need it.
  node --no-experimental-require-module -e "
    const label = 'require';
    const load = async (s) => require(s);
    (async () => { $smoke })().catch((error) => { console.error(error); process.exit(1); });
  "
)
echo "check:package OK"
