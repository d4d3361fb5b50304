#!/usr/bin/env bash
# Builds the offline local images: the Debian base for both architectures (debootstrap when no
# registry answers), then every recipe in images/ through lambda-pack itself (engine API).
# Reuses what exists: an unchanged recipe is never rebuilt.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)

pids=()
for arch in x86_64 arm64; do
  bash "$here/base/build-base.sh" "$arch" > "/tmp/lambda-pack-base-$arch.out" 2>&1 & pids+=($!)
done
failed=0
for i in 0 1; do
  arch=$([ $i = 0 ] && echo x86_64 || echo arm64)
  if wait "${pids[$i]}"; then echo "[images] base $arch: $(tail -1 "/tmp/lambda-pack-base-$arch.out")" >&2
  else echo "[images] base $arch failed:" >&2; cat "/tmp/lambda-pack-base-$arch.out" >&2; failed=1; fi
  rm -f "/tmp/lambda-pack-base-$arch.out"
done
[ "$failed" = 0 ] || exit 1

node "$repo/dist/cli/main.js" images build
