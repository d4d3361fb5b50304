#!/usr/bin/env bash
# Regenerates the real lockfiles the Node lockfile unit tests parse: each scenario under
# test/unit/node-lockfiles/src is resolved by each package manager (pinned versions, fetched from
# the npm registry into $TOOLS), and only the lockfile is kept, under
# test/unit/node-lockfiles/<scenario>/<manager>/. Needs the npm registry; nothing is installed
# into the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
HERE=test/unit/node-lockfiles
TOOLS=${TOOLS:-/tmp/lambda-pack-node-tools}
declare -A PIN=([pnpm8]=pnpm@8.15.9 [pnpm10]=pnpm@10.34.9 [pnpm12]=pnpm@12.23.0 [yarn1]=yarn@1.22.22 [berry]=@yarnpkg/cli-dist@4.18.1 [bun]=bun@1.4.5)
for tool in "${!PIN[@]}"; do
  [ -x "$TOOLS/$tool/bin/${tool//[0-9]/}" ] || [ -x "$TOOLS/$tool/bin/yarn" ] || \
    npm install -g --prefix "$TOOLS/$tool" --allow-scripts=bun "${PIN[$tool]}" >/dev/null
done
export YARN_ENABLE_TELEMETRY=0 YARN_ENABLE_GLOBAL_CACHE=0 COREPACK_ENABLE_STRICT=0 CI=1

# copy_scenario SRC DEST WORKSPACE_SPEC: the scenario with "@WORKSPACE@" replaced by the
# manager's way of naming a workspace sibling.
copy_scenario() {
  rm -rf "$2" && mkdir -p "$2" && cp -r "$1/." "$2/"
  find "$2" -name package.json -exec sed -i "s|@WORKSPACE@|$3|" {} +
}

lock() { # lock SCENARIO MANAGER SRC
  local scenario=$1 manager=$2 src=$3 work out ws='workspace:*'
  case $manager in npm*|yarn1) ws=1.0.0 ;; esac
  work=$(mktemp -d) && out=$HERE/$scenario/$manager
  copy_scenario "$src" "$work" "$ws"
  (
    cd "$work"
    case $manager in
      npm3) npm install --package-lock-only --no-audit --no-fund --no-omit-lockfile-registry-resolved >/dev/null ;;
      npm2) npm install --package-lock-only --no-audit --no-fund --no-omit-lockfile-registry-resolved --lockfile-version 2 >/dev/null ;;
      pnpm8|pnpm10|pnpm12) "$TOOLS/$manager/bin/pnpm" install --lockfile-only >/dev/null ;;
      yarn1) "$TOOLS/yarn1/bin/yarn" install --ignore-scripts --non-interactive --no-progress --silent >/dev/null ;;
      berry) printf 'nodeLinker: node-modules\n' > .yarnrc.yml; touch yarn.lock; "$TOOLS/berry/bin/yarn" install --mode=update-lockfile >/dev/null ;;
      bun) "$TOOLS/bun/bin/bun" install --lockfile-only >/dev/null ;;
    esac
  )
  rm -rf "$out" && mkdir -p "$out"
  for f in package-lock.json pnpm-lock.yaml yarn.lock bun.lock; do
    if [ -f "$work/$f" ]; then cp "$work/$f" "$out/$f"; fi
  done
  rm -rf "$work"
  echo "$scenario/$manager: $(ls "$out")"
}

bumped=$(mktemp -d) && cp -r "$HERE/src/workspace/." "$bumped/"
sed -i 's|"is-odd": "3.0.1"|"is-odd": "3.0.0"|' "$bumped/packages/web/package.json"
for manager in npm2 npm3 pnpm8 pnpm10 pnpm12 yarn1 berry bun; do
  lock single "$manager" "$HERE/src/single"
  lock workspace "$manager" "$HERE/src/workspace"
  lock workspace-bumped "$manager" "$bumped"
done
rm -rf "$bumped"
