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
wrap() {
  name=$1; shift
  printf '#!/bin/sh\nexec %s "$@"\n' "$*" > "$bin/$triple-$name"
  chmod 755 "$bin/$triple-$name"
}
wrap gcc "$bin/zig" cc -target "$triple.$glibc"
wrap cc "$bin/zig" cc -target "$triple.$glibc"
wrap g++ "$bin/zig" c++ -target "$triple.$glibc"
wrap c++ "$bin/zig" c++ -target "$triple.$glibc"
wrap ar "$bin/zig" ar
wrap gcc-ar "$bin/zig" ar
wrap ranlib "$bin/zig" ranlib
wrap gcc-ranlib "$bin/zig" ranlib
wrap ld "$bin/zig" ld.lld
# strip [--strip-debug|-g|--strip-all|-s|-S] FILE...: zig objcopy writes a new file.
cat > "$bin/$triple-strip" <<'STRIP'
#!/bin/sh
set -eu
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
# Prove them (zig's cache of this run is thrown away; builds keep theirs in the cache volume).
work=$(mktemp -d)
export ZIG_GLOBAL_CACHE_DIR="$work/cache" ZIG_LOCAL_CACHE_DIR="$work/cache"
printf '#include <stdio.h>\nint main(void) { puts("ok"); return 0; }\n' > "$work/t.c"
printf '#include <string>\nextern "C" int size(void) { return std::string("abc").size(); }\n' > "$work/t.cc"
"$bin/$triple-gcc" -O2 -o "$work/t" "$work/t.c"
"$bin/$triple-g++" -O2 -shared -fPIC -o "$work/t.so" "$work/t.cc"
"$bin/$triple-strip" --strip-debug "$work/t.so"
for file in "$work/t" "$work/t.so"; do
  got=$(od -An -tx1 -j18 -N1 "$file" | tr -d ' ')
  [ "$got" = "$machine" ] || { echo "cross-wrappers: $file has ELF machine 0x$got, not 0x$machine ($target)" >&2; exit 1; }
done
rm -rf "$work"
echo "cross-wrappers: $triple-gcc/g++ = zig $("$bin/zig" version) for glibc $glibc"
