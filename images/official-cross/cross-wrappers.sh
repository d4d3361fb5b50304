#!/bin/sh
# Writes /usr/local/bin/<triple>-{gcc,cc,g++,c++,ar,gcc-ar,ranlib,gcc-ranlib,ld,strip} for the
# other Lambda architecture, each a one-line call of zig pinned to this image's glibc, then
# proves them: a C program and a C++ shared object for the target, checked for its ELF machine.
set -eu
zig=$1
chmod -R a+rX /opt/zig
case "$(uname -m)" in
  x86_64) target=aarch64; machine=b7 ;;
  aarch64) target=x86_64; machine=3e ;;
  *) echo "cross-wrappers: no cross target for $(uname -m)" >&2; exit 1 ;;
esac
glibc=$(getconf GNU_LIBC_VERSION | awk '{ print $2 }')
case "$glibc" in [0-9]*.[0-9]*) ;; *) echo "cross-wrappers: cannot read this image's glibc version ($glibc)" >&2; exit 1 ;; esac
triple="$target-linux-gnu"
bin=/usr/local/bin
ln -sf "$zig" "$bin/zig"
# zig builds the target's libc++, libunwind, compiler-rt and glibc stubs on first use (two
# minutes on two cores): built once here, into a cache every build user can write to, so builds
# start from them (their own writes stay in their container).
cache=/opt/zig/cache
wrap() {
  name=$1; shift
  printf '#!/bin/sh\nZIG_GLOBAL_CACHE_DIR=%s ZIG_LOCAL_CACHE_DIR=%s exec %s "$@"\n' "$cache" "$cache" "$*" > "$bin/$triple-$name"
  chmod 755 "$bin/$triple-$name"
}
# The compilers, with gcc's defaults where zig's differ: no UBSan traps in unoptimised code
# (-fno-sanitize=undefined; a project's own -fsanitize comes after and wins), and a link without
# -O (node-gyp's, most Makefiles') gets the optimised libc++ and compiler-rt, as gcc's gets the
# system's libstdc++, where zig would link debug builds of them (a one-step compile-and-link
# without -O is then optimised too: the same program, faster).
compiler() {
  name=$1 driver=$2
  cat > "$bin/$triple-$name" <<COMPILER
#!/bin/sh
export ZIG_GLOBAL_CACHE_DIR=$cache ZIG_LOCAL_CACHE_DIR=$cache
link=-O2
for arg in "\$@"; do case "\$arg" in -c|-S|-E|-M|-MM|-O*) link= ;; esac; done
exec $bin/zig $driver -target $triple.$glibc -fno-sanitize=undefined \$link "\$@"
COMPILER
  chmod 755 "$bin/$triple-$name"
}
compiler gcc cc
compiler cc cc
compiler g++ c++
compiler c++ c++
wrap ar "$bin/zig" ar
wrap gcc-ar "$bin/zig" ar
wrap ranlib "$bin/zig" ranlib
wrap gcc-ranlib "$bin/zig" ranlib
wrap ld "$bin/zig" ld.lld
# strip [--strip-debug|-g|--strip-all|-s|-S] FILE...: zig objcopy writes a new file.
cat > "$bin/$triple-strip" <<'STRIP'
#!/bin/sh
set -eu
export ZIG_GLOBAL_CACHE_DIR=/opt/zig/cache ZIG_LOCAL_CACHE_DIR=/opt/zig/cache
mode=--strip-all
files=
for arg in "$@"; do
  case "$arg" in
    --strip-debug|-g|-d|-S) mode=--strip-debug ;;
    --strip-all|-s) mode=--strip-all ;;
    -*) echo "$(basename "$0"): option $arg is not supported (zig objcopy)" >&2; exit 2 ;;
    *) files="$files
$arg" ;;
  esac
done
printf '%s\n' "$files" | while IFS= read -r file; do
  [ -n "$file" ] || continue
  /usr/local/bin/zig objcopy "$mode" "$file" "$file.lambda-pack-strip"
  chmod --reference="$file" "$file.lambda-pack-strip" 2>/dev/null || true
  mv "$file.lambda-pack-strip" "$file"
done
STRIP
chmod 755 "$bin/$triple-strip"
# Prove them, filling the cache as builds use it: C and C++, compiled optimised (node-gyp's
# Release, setuptools, most Makefiles) and not, linked with and without -O.
work=$(mktemp -d)
printf '#include <stdio.h>\nint main(void) { puts("ok"); return 0; }\n' > "$work/t.c"
printf '#include <string>\nextern "C" int size(void) { return std::string("abc").size(); }\n' > "$work/t.cc"
"$bin/$triple-gcc" -O2 -o "$work/t" "$work/t.c"
"$bin/$triple-gcc" -o "$work/t0" "$work/t.c"
"$bin/$triple-g++" -O3 -shared -fPIC -o "$work/t.so" "$work/t.cc"
"$bin/$triple-g++" -O3 -fPIC -c -o "$work/t.o" "$work/t.cc"
"$bin/$triple-g++" -shared -pthread -o "$work/t1.so" "$work/t.o"
"$bin/$triple-strip" --strip-debug "$work/t.so"
# Not sticky: zig replaces files of the cache that root wrote here.
chmod -R a+rwX "$cache"
for file in "$work/t" "$work/t0" "$work/t.so" "$work/t1.so"; do
  got=$(od -An -tx1 -j18 -N1 "$file" | tr -d ' ')
  [ "$got" = "$machine" ] || { echo "cross-wrappers: $file has ELF machine 0x$got, not 0x$machine ($target)" >&2; exit 1; }
done
rm -rf "$work"
echo "cross-wrappers: $triple-gcc/g++ = zig $("$bin/zig" version) for glibc $glibc"
