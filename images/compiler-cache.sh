#!/bin/sh
# The compiler cache of a local build image, checked while its recipe builds: Debian's ccache and
# its masquerade directory /usr/lib/ccache, a link to ccache named like each compiler the image
# has, native and cross (update-ccache-symlinks finds the cross gcc/g++ installed beside it).
# lambda-pack's install script puts that directory first in PATH when it keeps a compiler cache,
# so every compile that finds its compiler through PATH goes through ccache: node-gyp's cc/g++,
# setuptools' x86_64-linux-gnu-gcc, a Makefile's own `CC = gcc`, make CC=aarch64-linux-gnu-gcc.
#   compiler-cache.sh CROSS_TRIPLE    (aarch64-linux-gnu or x86_64-linux-gnu)
set -eu
cross=${1:?usage: compiler-cache.sh CROSS_TRIPLE}
native=$(gcc -dumpmachine)
update-ccache-symlinks
ccache=$(readlink -f "$(command -v ccache)")
missing=''
for tool in cc c++ gcc g++ "$native-gcc" "$native-g++" "$cross-gcc" "$cross-g++"; do
  [ "$(readlink -f "/usr/lib/ccache/$tool" 2>/dev/null)" = "$ccache" ] || missing="$missing $tool"
done
[ -z "$missing" ] || { echo "compiler-cache: /usr/lib/ccache has no ccache link for:$missing" >&2; exit 1; }
ccache --version | head -1
