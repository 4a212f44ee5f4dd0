#!/usr/bin/env bash
# Build, pack, and lint the exact tarball that `npm publish` would upload.
# Exits non-zero on any publint warning/error or attw problem, or if the
# built entry points cannot be loaded by Node through the package's exports map.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=./node_modules/.bin

echo "--- build"
npm run build --silent

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

echo "--- npm pack"
npm pack --ignore-scripts --pack-destination "$tmp" >/dev/null
tarball="$(ls "$tmp"/*.tgz)"
tar -tzf "$tarball" | sort

echo "--- publint (strict: warnings fail)"
"$bin/publint" run "$tarball" --strict

echo "--- attw (profile strict)"
# attw only analyses this tarball: it never resolves dependencies, so the
# ESM-only `ky` cannot be flagged here (neither falsely nor rightly). The strict
# profile (node10 + node16 CJS/ESM + bundler) passes because top-level `types`
# points at the .d.cts that matches `main`. Use `--profile node16` to drop the
# legacy node10 check if it ever reports something irrelevant to Node >= 20.
"$bin/attw" "$tarball" --profile strict

echo "--- load smoke (self-reference through the exports map)"
# --no-experimental-require-module: emulate Node < 20.19, where require() of an
# ESM-only package (ky 2) throws; ky must be bundled into the CJS build.
node --no-experimental-require-module -e "
  const m = require('pollwise');
  if (Object.keys(m).length === 0) throw new Error('CJS build has no exports');
  console.log('require(pollwise):', Object.keys(m).sort().join(', '));
"
node --input-type=module -e "
  const m = await import('pollwise');
  if (Object.keys(m).length === 0) throw new Error('ESM build has no exports');
  console.log('import(pollwise): ', Object.keys(m).sort().join(', '));
"
if grep -Eq "require\((\"|')ky(\"|')\)" dist/index.cjs; then
  echo "dist/index.cjs still requires ky (should be bundled)" >&2
  exit 1
fi
echo "check:package OK"
