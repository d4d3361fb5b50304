#!/usr/bin/env bash
# The demo: prepares the machine (idempotent), builds fixtures/demo for x86_64 and arm64 (zips and
# layers, a pnpm workspace's bundled TypeScript function, then image functions pushed to a registry
# on loopback), shows the artifacts, and calls
# every function through lambda-pack invoke in a container of its own architecture.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
bash scripts/setup-machine.sh
cd fixtures/demo
echo
echo "== lambda-pack plan"
node "$here/dist/cli/main.js" plan
echo
echo "== lambda-pack build"
node "$here/dist/cli/main.js" build
echo
node "$here/scripts/show-demo.mjs" "$PWD/dist" lambda-pack.config.yaml
echo
echo "== a pnpm workspace: a TypeScript function bundled with esbuild, its native packages installed for each architecture"
cd "$here/fixtures/node-pnpm-workspace"
# As its developer would have it: the workspace installed on this machine (esbuild bundles against it).
npx --yes pnpm@10.34.9 install --frozen-lockfile --ignore-scripts --reporter=silent
node "$here/dist/cli/main.js" build
node "$here/scripts/show-demo.mjs" "$PWD/dist" lambda-pack.config.yaml
cd "$here/fixtures/demo"
echo
echo "== lambda-pack build --push (image functions, to a registry on 127.0.0.1:5055)"
bash "$here/scripts/demo-registry.sh"
node "$here/dist/cli/main.js" build --config lambda-pack.images.yaml --push
echo
node "$here/scripts/show-demo.mjs" "$PWD/dist-images" lambda-pack.images.yaml
