#!/usr/bin/env bash
# Creates the offline Debian bookworm base image for one architecture when no registry can serve
# one: debootstrap into a temporary directory, then `docker import` with the target platform.
# Usage: build-base.sh x86_64|arm64  → prints the image reference it made or found.
set -euo pipefail

arch=${1:?usage: build-base.sh x86_64|arm64}
case "$arch" in
  x86_64) deb_arch=amd64; platform=linux/amd64 ;;
  arm64)  deb_arch=arm64; platform=linux/arm64 ;;
  *) echo "unknown architecture '$arch' (use x86_64 or arm64)" >&2; exit 2 ;;
esac

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
suite=bookworm
mirror=${LAMBDA_PACK_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# Everything every local build image needs; runtime images add their own packages on top.
include=ca-certificates,make,g++,python3,xz-utils
recipe_hash=$(printf '%s\n' "$suite" "$include" "$(sha256sum "$0" | cut -c1-64)" | sha256sum | cut -c1-12)
ref="lambda-pack-local/debian-base:$suite-$arch-$recipe_hash"

# The moving tag is what image recipes build FROM; the hashed tag says which recipe made it.
alias_ref="lambda-pack-local/debian-base:$suite-$arch"
finish() { docker tag "$ref" "$alias_ref"; echo "$alias_ref"; exit 0; }
if docker image inspect "$ref" >/dev/null 2>&1; then finish; fi

# A registry may answer on machines other than this one: prefer a pulled base.
if timeout 60 docker pull --platform "$platform" "debian:$suite-slim" >/dev/null 2>&1; then
  echo "[base] pulled debian:$suite-slim for $platform; installing packages" >&2
  ctx=$(mktemp -d)
  printf 'FROM debian:%s-slim\nRUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends %s && rm -rf /var/lib/apt/lists/*\n' \
    "$suite" "${include//,/ }" > "$ctx/Dockerfile"
  DOCKER_BUILDKIT=0 docker build -q --platform "$platform" -t "$ref" "$ctx" >/dev/null
  rm -rf "$ctx"; finish
fi

root=$(mktemp -d /var/tmp/lambda-pack-base.XXXXXX)
trap 'rm -rf "$root"' EXIT
echo "[base] debootstrap $suite ($deb_arch) into $root — a few minutes, longer under emulation" >&2
debootstrap --arch="$deb_arch" --variant=minbase --include="$include" "$suite" "$root" "$mirror" >"$root.log" 2>&1 \
  || { echo "[base] debootstrap failed; last lines of $root.log:" >&2; tail -30 "$root.log" >&2; exit 1; }
rm -f "$root.log"
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/archives/*.deb
echo "[base] importing as $ref" >&2
tar -C "$root" --numeric-owner -cf "$root.tar" .
trap 'rm -rf "$root" "$root.tar"' EXIT
bash "$here/import-rootfs.sh" "$root.tar" "$ref" "$deb_arch"
finish
