#!/usr/bin/env bash
# Assembles the real-binary corpus the verify tests run on: npm packages that ship prebuilt
# binaries for several platforms, and Debian packages of two architectures and two releases.
# Idempotent and cached: downloads land in test/verify-corpus/.cache (or $LAMBDA_PACK_CORPUS_CACHE);
# a second run does nothing. Prints the corpus directory on stdout. A machine setup step
# (scripts/setup-machine.sh runs it); tests only look, through `fetch.sh --check`.
#   fetch.sh           fetch what is missing (npm registry and the Debian mirror only), print the directory
#   fetch.sh --check   print the directory if the corpus is complete, else exit 1; never downloads
# Needs: npm, and apt-get + dpkg-deb (a Debian machine; apt uses a private state dir, the system's
# sources and package lists are left alone).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${LAMBDA_PACK_CORPUS_CACHE:-$here/.cache}
corpus=$cache/corpus
stamp=$corpus/.complete-v3
say() { printf '[verify-corpus] %s\n' "$*" >&2; }

# name@version → directory under corpus/npm (pinned, so the tests see the same bytes every time)
npm_packages=(
  @esbuild/linux-x64@0.25.0 @esbuild/linux-arm64@0.25.0 @esbuild/darwin-arm64@0.25.0
  @esbuild/win32-x64@0.25.0 @esbuild/freebsd-x64@0.25.0
  @node-rs/crc32-linux-x64-gnu@1.10.6 @node-rs/crc32-linux-x64-musl@1.10.6
  @node-rs/crc32-linux-arm64-gnu@1.10.6 @node-rs/crc32-darwin-x64@1.10.6 @node-rs/crc32-win32-x64-msvc@1.10.6
  @datadog/pprof@5.20.0
  @img/sharp-linux-x64@0.35.5 @img/sharp-libvips-linux-x64@1.3.4
  fsevents@2.3.3
)
# Debian packages: each is fetched for both architectures from both releases.
deb_packages=(tree python3-yaml libyaml-0-2 python3-cryptography)
deb_releases=(bookworm trixie)
deb_arches=(amd64 arm64)
# "package arch release": a 32-bit binary, and C++ executables built with GCC 12 (GLIBCXX_3.4.30).
deb_extra=("tree i386 bookworm" "zstd amd64 bookworm")

if [ "${1:-}" = --check ]; then
  [ -f "$stamp" ] || { say "no complete corpus in $corpus"; exit 1; }
  echo "$corpus"; exit 0
fi

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
if [ -f "$stamp" ]; then echo "$corpus"; exit 0; fi

npm_dir() { local spec=$1; spec=${spec%@*}; spec=${spec#@}; echo "${spec//\//-}"; }

fetch_npm() {
  mkdir -p "$cache/npm" "$corpus/npm"
  for spec in "${npm_packages[@]}"; do
    local dir; dir=$(npm_dir "$spec")
    [ -d "$corpus/npm/$dir/package" ] && continue
    local tgz_dir="$cache/npm/$dir"
    if ! ls "$tgz_dir"/*.tgz >/dev/null 2>&1; then
      say "npm pack $spec"
      mkdir -p "$tgz_dir"
      (cd "$tgz_dir" && npm pack --silent "$spec" >/dev/null)
    fi
    rm -rf "$corpus/npm/$dir.partial" "$corpus/npm/$dir" && mkdir -p "$corpus/npm/$dir.partial"
    tar xzf "$tgz_dir"/*.tgz -C "$corpus/npm/$dir.partial"
    mv "$corpus/npm/$dir.partial" "$corpus/npm/$dir"
  done
}

fetch_debs() {
  local apt=$cache/apt
  mkdir -p "$apt/lists/partial" "$apt/archives/partial" "$apt/etc/sources.list.d" "$apt/etc/preferences.d"
  : >"$apt/etc/sources.list"
  for release in "${deb_releases[@]}"; do
    local arches=amd64,arm64
    [ "$release" = bookworm ] && arches=$arches,i386  # only deb_extra needs i386
    echo "deb [arch=$arches signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $release main" >>"$apt/etc/sources.list"
  done
  local opts=(
    -o "Dir::Etc::SourceList=$apt/etc/sources.list" -o "Dir::Etc::SourceParts=$apt/etc/sources.list.d"
    -o "Dir::Etc::Preferences=$apt/etc/preferences" -o "Dir::Etc::PreferencesParts=$apt/etc/preferences.d"
    -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache"
    -o "APT::Architectures::=amd64" -o "APT::Architectures::=arm64" -o "APT::Architectures::=i386"
    -o Debug::NoLocking=1 -o APT::Sandbox::User=root -q
  )
  local updated= wanted=()
  for release in "${deb_releases[@]}"; do
    for arch in "${deb_arches[@]}"; do
      for pkg in "${deb_packages[@]}"; do wanted+=("$pkg $arch $release"); done
    done
  done
  wanted+=("${deb_extra[@]}")
  for item in "${wanted[@]}"; do
    local pkg arch release
    read -r pkg arch release <<<"$item"
    local debs=$cache/deb/$release/$arch target=$corpus/deb/$release/$arch/$pkg
    [ -d "$target" ] && continue
    mkdir -p "$debs"
    if ! ls "$debs/${pkg}_"*.deb >/dev/null 2>&1; then
      if [ -z "$updated" ]; then
        say "apt-get update (private lists: ${deb_releases[*]})"
        # A mirror mid-sync fails an index now and then; a retry a little later gets a consistent one.
        for attempt in 1 2 3; do apt-get "${opts[@]}" update >/dev/null && break; [ $attempt = 3 ] && exit 1; sleep 10; done
        updated=1
      fi
      say "apt-get download $pkg:$arch/$release"
      (cd "$debs" && apt-get "${opts[@]}" download "$pkg:$arch/$release" >/dev/null)
    fi
    rm -rf "$target.partial" && mkdir -p "$target.partial"
    dpkg-deb -x "$debs/${pkg}_"*.deb "$target.partial"
    mv "$target.partial" "$target"
  done
}

fetch_npm
fetch_debs
rm -rf "$cache/apt/lists"  # 70+ MB of package indexes, only needed to download
date -u +%FT%TZ >"$stamp"
say "corpus ready in $corpus"
echo "$corpus"
