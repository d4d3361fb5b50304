#!/usr/bin/env bash
# The whole test suite, on a fresh machine too: prepares the machine (idempotent), then runs the
# linter and type checker, then the unit and integration tests. Integration tests fail, never skip, without an engine.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
bash scripts/setup-machine.sh
# The linter (Biome, biome.json) and the type checker first: seconds, and a failure says where.
npm run --silent lint
npx vitest run "$@"
