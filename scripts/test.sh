#!/usr/bin/env bash
# The whole test suite, on a fresh machine too: prepares the machine (idempotent), then runs the
# unit and integration tests. Integration tests fail, never skip, without an engine.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$here"
bash scripts/setup-machine.sh
npx vitest run "$@"
