#!/usr/bin/env bash
# The demo: prepares the machine (idempotent), builds fixtures/demo for x86_64 and arm64, shows
# the artifacts, and calls every function in a container of its own architecture.
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
node "$here/scripts/show-demo.mjs" "$PWD/dist"
