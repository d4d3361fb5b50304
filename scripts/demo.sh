#!/usr/bin/env bash
# The demo: prepares the machine (idempotent), builds fixtures/demo for x86_64 and arm64 (zips and
# layers, then image functions pushed to a registry on loopback), shows the artifacts, and calls
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
echo "== lambda-pack build --push (image functions, to a registry on 127.0.0.1:5055)"
bash "$here/scripts/demo-registry.sh"
node "$here/dist/cli/main.js" build --config lambda-pack.images.yaml --push
echo
node "$here/scripts/show-demo.mjs" "$PWD/dist-images" lambda-pack.images.yaml
