#!/bin/sh
# Reads sam-tools.list (beside this script) for one local image, inside its recipe's build:
#   sam-tools.sh packages IMAGE   the Debian packages the image gets, on one line
#   sam-tools.sh check IMAGE      runs each tool's check; fails naming every one that did not answer
# IMAGE is the recipe's directory under images/ (nodejs, python, provided).
set -eu
list=$(dirname "$0")/sam-tools.list
mode=${1:?usage: sam-tools.sh packages|check IMAGE}
image=${2:?usage: sam-tools.sh packages|check IMAGE}

# The list's lines for this image: package, images, check command.
lines() {
  grep -v '^[[:space:]]*#' "$list" | awk -v image="$image" 'NF >= 3 {
    n = split($2, images, ",")
    for (i = 1; i <= n; i++) if (images[i] == "all" || images[i] == image) { print; break }
  }'
}

case $mode in
  packages) lines | awk '{ print $1 }' | sort -u | tr '\n' ' ' ;;
  check)
    failed=$(lines | while read -r package images check; do
      if out=$(sh -c "$check" 2>&1 </dev/null); then
        printf '%s: %s\n' "$check" "$(printf '%s\n' "$out" | head -1)" >&2
      else
        printf '%s (%s) ' "$check" "$package"
      fi
    done)
    [ -z "$failed" ] || { echo "sam-tools: these did not answer in $image: $failed" >&2; exit 1; } ;;
  *) echo "sam-tools.sh: unknown mode $mode (packages or check)" >&2; exit 2 ;;
esac
