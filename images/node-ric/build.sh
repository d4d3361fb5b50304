#!/bin/sh
# Compiles rapid-client.node into /out/<x86_64|arm64>/ for both architectures, running the
# package's own preinstall script (curl, then aws-lambda-cpp) and node-gyp (npm's copy). For the
# other architecture the script is run with the cross compilers and their triple added to curl's
# configure and aws-lambda-cpp's cmake.
set -eu
case "$(dpkg --print-architecture)" in
  amd64) native=x86_64; other=arm64; triple=aarch64-linux-gnu; processor=aarch64; gyp_arch=arm64; want=b700; cross_pkgs="gcc-aarch64-linux-gnu g++-aarch64-linux-gnu libc6-dev-arm64-cross" ;;
  arm64) native=arm64; other=x86_64; triple=x86_64-linux-gnu; processor=x86_64; gyp_arch=x64; want=3e00; cross_pkgs="gcc-x86-64-linux-gnu g++-x86-64-linux-gnu libc6-dev-amd64-cross" ;;
  *) echo "no Lambda architecture for $(dpkg --print-architecture)" >&2; exit 1 ;;
esac
apt-get update -q
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends cmake $cross_pkgs
mkdir -p /var/lang/bin /var/lang/include
cp /tmp/node/package/bin/node /var/lang/bin/node
cp -a /tmp/node/package/include/node /var/lang/include/node
export PATH="/var/lang/bin:$PATH"
gyp=/tmp/npm/package/node_modules/node-gyp/bin/node-gyp.js

build() { # name, preinstall script, node-gyp arch, then env assignments for the compilers
  name=$1 script=$2 arch=$3; shift 3
  work=/tmp/work-$name/node_modules
  mkdir -p "$work"
  cp -a /tmp/ric/package "$work/aws-lambda-ric"
  cp -a /tmp/node-addon-api/package "$work/node-addon-api"
  cd "$work/aws-lambda-ric"
  env "$@" sh "$script"
  env "$@" DEPS_PREFIX="$PWD/deps/artifacts" node "$gyp" rebuild --directory=src/native --nodedir=/var/lang --arch="$arch"
  mkdir -p "/out/$name"
  cp src/native/build/Release/rapid-client.node "/out/$name/rapid-client.node"
  cd /
}

build "$native" scripts/preinstall.sh "$(node -p process.arch)"

cross=/tmp/ric/package/scripts/preinstall-cross.sh
sed -e "s|^    \./configure \\\\\$|    ./configure --host=$triple \\\\|" \
    -e "s|^    \\\$CMAKE \.\. \\\\\$|    \$CMAKE .. -DCMAKE_SYSTEM_NAME=Linux -DCMAKE_SYSTEM_PROCESSOR=$processor \\\\|" \
    /tmp/ric/package/scripts/preinstall.sh > "$cross"
if [ "$(diff /tmp/ric/package/scripts/preinstall.sh "$cross" | grep -c '^>')" != 2 ]; then
  echo "aws-lambda-ric's scripts/preinstall.sh no longer has the configure and cmake lines images/node-ric/build.sh adds the cross triple to" >&2
  exit 1
fi
build "$other" scripts/preinstall-cross.sh "$gyp_arch" CC="$triple-gcc" CXX="$triple-g++" LINK="$triple-g++" AR="$triple-ar"
got=$(od -An -tx1 -j18 -N2 "/out/$other/rapid-client.node" | tr -d ' \n')
[ "$got" = "$want" ] || { echo "the cross-built rapid-client.node has e_machine $got, not $want" >&2; exit 1; }
ls -l /out/*/rapid-client.node
