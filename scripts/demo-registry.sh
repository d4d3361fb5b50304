#!/usr/bin/env bash
# A registry on loopback for the demo's image functions: the distribution registry Debian packages
# (installed by setup-machine.sh), started once on 127.0.0.1:5055 and left running; idempotent.
set -euo pipefail
address=${LAMBDA_PACK_DEMO_REGISTRY:-127.0.0.1:5055}
if curl -fsS "http://$address/v2/" >/dev/null 2>&1; then exit 0; fi
dir=${TMPDIR:-/tmp}/lambda-pack-demo-registry
mkdir -p "$dir/data"
cat > "$dir/config.yml" <<CONFIG
version: 0.1
log: { level: warn }
storage: { filesystem: { rootdirectory: $dir/data } }
http: { addr: $address }
CONFIG
(setsid docker-registry serve "$dir/config.yml" > "$dir/registry.log" 2>&1 &)
for _ in $(seq 1 50); do curl -fsS "http://$address/v2/" >/dev/null 2>&1 && exit 0; sleep 0.2; done
echo "[demo] the registry did not start on $address; see $dir/registry.log" >&2
exit 1
