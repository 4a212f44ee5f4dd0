#!/usr/bin/env bash
# Builds pollwise, packs it, and for each app in examples/: copies it to a temp folder (the
# repository stays clean), `npm ci` from its own lock (which never lists pollwise), installs
# the packed tarball with `npm install --no-save`, type-checks and `vite build`s it. Fails on
# any error; prints one line per example with its bundle size. The React example's dist is
# kept in test-results/example-react/, with a development build (React's StrictMode mounts
# twice there) in test-results/example-react-dev/, for test/browser/example-react.chromium.test.ts.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

echo "--- build and pack pollwise"
# POLLWISE_BUILT=1: dist/ was just built (as in .ci/run after its build step); pack it as it is.
if [ "${POLLWISE_BUILT:-}" = 1 ] && [ -f dist/index.js ]; then
  echo "using the dist/ already built"
else
  npm run build --silent
fi
npm pack --ignore-scripts --loglevel=warn --pack-destination "$tmp" >/dev/null
tarball="$(ls "$tmp"/pollwise-*.tgz)"
echo "$(basename "$tarball"): $(wc -c <"$tarball") bytes"

# Sum of the raw and gzip sizes of the built JavaScript (assets/*.js) of one dist folder.
bundle_size() {
  node -e '
    const fs = require("node:fs"), path = require("node:path"), zlib = require("node:zlib");
    const dir = path.join(process.argv[1], "assets");
    let raw = 0, gz = 0;
    for (const name of fs.readdirSync(dir).filter((n) => n.endsWith(".js"))) {
      const bytes = fs.readFileSync(path.join(dir, name));
      raw += bytes.length;
      gz += zlib.gzipSync(bytes, { level: 9 }).length;
    }
    console.log(`${raw} B JS (${gz} B gzip)`);
  ' "$1"
}

summary=()
for example in examples/*/; do
  name="$(basename "$example")"
  echo "--- examples/$name"
  app="$tmp/$name"
  # The sources only: a developer's node_modules or dist is not part of the example.
  mkdir -p "$app"
  tar -C "$example" --exclude=./node_modules --exclude=./dist -cf - . | tar -C "$app" -xf -
  start=$SECONDS
  (
    cd "$app"
    npm ci --no-audit --no-fund
    npm install --no-save --no-audit --no-fund "$tarball"
    installed="$(node -p 'require("pollwise/package.json").version')"
    echo "pollwise $installed from the tarball"
    npm run typecheck
    npx --no-install vite build
  )
  line="examples/$name: $(bundle_size "$app/dist") in $((SECONDS - start)) s"
  echo "$line"
  summary+=("$line")
  if [ "$name" = react ]; then
    # NODE_ENV, not --mode, picks React's development build (Vite's mode keeps production).
    (cd "$app" && NODE_ENV=development npx --no-install vite build --outDir dist-dev --logLevel warn)
    rm -rf "$root/test-results/example-react" "$root/test-results/example-react-dev"
    mkdir -p "$root/test-results"
    cp -R "$app/dist" "$root/test-results/example-react"
    cp -R "$app/dist-dev" "$root/test-results/example-react-dev"
  fi
done

echo "--- examples built"
printf '%s\n' "${summary[@]}"
