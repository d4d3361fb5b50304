#!/usr/bin/env bash
# Makes a fresh Debian machine ready for lambda-pack's demo and tests: a running Docker engine,
# qemu binfmt for arm64, and the offline local build images. Idempotent: every step checks first,
# says what it does, and leaves alone what already works.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
say() { printf '[setup] %s\n' "$*" >&2; }

need_root() {
  if [ "$(id -u)" != 0 ]; then
    say "this step needs root: $1 (re-run as root, or do it by hand)"; exit 1
  fi
}

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  need_root "apt-get install ${missing[*]}"
  say "installing Debian packages: ${missing[*]}"
  if [ -z "${LAMBDA_PACK_APT_UPDATED:-}" ]; then apt-get update -q >/dev/null; export LAMBDA_PACK_APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}

engine_answers() { timeout 5 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

start_engine() {
  if engine_answers; then say "Docker engine answers ($(docker version --format '{{.Server.Version}}')): leaving it alone"; return 0; fi
  if [ -n "${DOCKER_HOST:-}" ]; then
    say "DOCKER_HOST=$DOCKER_HOST does not answer; lambda-pack will not start an engine behind a custom DOCKER_HOST"; exit 1
  fi
  apt_install docker.io iptables ca-certificates
  need_root "start dockerd"
  if ! pgrep -x dockerd >/dev/null; then
    say "starting dockerd (log: /var/log/dockerd.log)"
    (setsid dockerd >/var/log/dockerd.log 2>&1 &)
  fi
  for _ in $(seq 1 60); do engine_answers && break; sleep 0.5; done
  engine_answers || { say "dockerd did not come up; last lines of /var/log/dockerd.log:"; tail -20 /var/log/dockerd.log >&2; exit 1; }
  say "Docker engine $(docker version --format '{{.Server.Version}}') is running"
}

register_binfmt() {
  if [ "$(uname -m)" = aarch64 ]; then say "host is arm64: no emulation needed"; return 0; fi
  if [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] && grep -q enabled /proc/sys/fs/binfmt_misc/qemu-aarch64; then
    say "binfmt for arm64 already registered: leaving it alone"; return 0
  fi
  apt_install qemu-user-static
  need_root "register binfmt"
  if [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
    say "mounting binfmt_misc"
    mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
  fi
  local conf=/usr/lib/binfmt.d/qemu-aarch64.conf
  [ -f "$conf" ] || { say "missing $conf after installing qemu-user-static"; exit 1; }
  say "registering qemu-aarch64 binfmt from $conf"
  grep -v '^#' "$conf" | head -1 > /proc/sys/fs/binfmt_misc/register
}

install_project() {
  cd "$here"
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "installing lambda-pack's npm dependencies (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
  fi
  say "compiling lambda-pack (npm run build)"
  npm run --silent build
}

# Installs a package whose service must not start (tests start their own on loopback ports):
# policy-rc.d says no while it installs.
apt_install_without_service() {
  if ! dpkg -s "$1" >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    local policy=/usr/sbin/policy-rc.d created=
    [ -e "$policy" ] || { printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod +x "$policy"; created=1; }
    apt_install "$1"
    [ -z "$created" ] || rm -f "$policy"
  fi
}

# Tests reach a second engine over TLS (openssl makes its certificates) and over SSH (a test
# sshd on a loopback port).
install_test_tools() {
  apt_install_without_service openssh-server
  apt_install openssl openssh-client
  # The Python lockfile tests: Poetry and Pipenv lock fixtures against the test package index,
  # which serves Debian's wheelhouse (pip, setuptools, wheel) among its files.
  apt_install python3-poetry pipenv python3-pip-whl python3-setuptools-whl python3-wheel-whl
  install_registry
}

# Image tests push to a real registry (CNCF distribution, Debian's docker-registry) that each test
# starts on its own loopback port; htpasswd (apache2-utils) makes its bcrypt password file and skopeo
# reads images back as an independent client. The package's own service must not keep port 5000.
install_registry() {
  apt_install_without_service docker-registry
  if command -v systemctl >/dev/null 2>&1 && systemctl is-enabled docker-registry >/dev/null 2>&1; then
    say "disabling the docker-registry system service (tests start their own registries)"
    systemctl disable --now docker-registry >/dev/null 2>&1 || true
  fi
  apt_install docker-registry apache2-utils skopeo curl
}

start_engine
register_binfmt
apt_install debootstrap zip unzip
install_test_tools
install_project
say "building the offline local images (reused when their inputs have not changed)"
bash "$here/images/build-local.sh"
bash "$here/fixtures/python-wheels/build-wheels.sh"   # the python-wheels fixture's wheelhouse, once
# The verify unit tests' real-binary corpus (npm registry and Debian mirror; nothing once fetched).
apt_install debian-archive-keyring
say "fetching the verify test corpus (reused once complete)"
bash "$here/test/verify-corpus/fetch.sh" >/dev/null
bash "$here/fixtures/python-index/fetch-third-party.sh"   # real PyPI sdists for the test package index, once
say "machine ready"
