#!/usr/bin/env bash
# Turns a root filesystem tar into a local image of the given architecture by writing a
# `docker save`-format archive and loading it. `docker import --platform` cannot do this on
# engines before 23 (they stamp the host's architecture on imported images), and lambda-pack
# refuses images whose architecture differs from the task's.
# Usage: import-rootfs.sh ROOTFS.tar REF amd64|arm64
set -euo pipefail
rootfs=${1:?rootfs tar}; ref=${2:?image reference}; arch=${3:?amd64|arm64}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
diff_id=$(sha256sum "$rootfs" | cut -c1-64)
mkdir -p "$work/$diff_id"
ln "$rootfs" "$work/$diff_id/layer.tar" 2>/dev/null || cp "$rootfs" "$work/$diff_id/layer.tar"
created=1980-01-01T00:00:00Z
printf '{"architecture":"%s","os":"linux","created":"%s","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["/bin/bash"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created":"%s","created_by":"lambda-pack images/base (debootstrap)"}]}' \
  "$arch" "$created" "$diff_id" "$created" > "$work/config.json"
config_id=$(sha256sum "$work/config.json" | cut -c1-64)
mv "$work/config.json" "$work/$config_id.json"
printf '[{"Config":"%s.json","RepoTags":["%s"],"Layers":["%s/layer.tar"]}]' "$config_id" "$ref" "$diff_id" > "$work/manifest.json"
tar -C "$work" -cf - manifest.json "$config_id.json" "$diff_id/layer.tar" | docker load >/dev/null
