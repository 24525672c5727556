#!/usr/bin/env bash
# Builds the mailhop image (Dockerfile) from a staged context: dist/, package.json and the
# production node_modules (no dev, no optional: testcontainers stays out of the image).
#   scripts/container-image.sh [--base-from-host] [--tag mailhop:local]
# --base-from-host first builds mailhop-base:host FROM scratch out of this machine's node binary
# and the shared libraries ldd lists (for machines that cannot pull node:20-bookworm-slim), and
# builds the mailhop image on it through the BASE_IMAGE build argument.
set -euo pipefail
cd "$(dirname "$0")/.."
tag=mailhop:local
base_from_host=0
while [ $# -gt 0 ]; do
  case "$1" in
    --base-from-host) base_from_host=1 ;;
    --tag) tag="$2"; shift ;;
    *) echo "container-image.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
export DOCKER_BUILDKIT=0   # the classic builder: no buildx plugin needed, nothing pulled
stage=$(mktemp -d /tmp/mailhop-image.XXXXXX)
trap 'rm -rf "$stage"' EXIT

build_args=()
if [ "$base_from_host" = 1 ]; then
  node_bin=$(readlink -f "$(command -v node)")
  mkdir -p "$stage/base/usr/local/bin" "$stage/base/tmp"
  cp "$node_bin" "$stage/base/usr/local/bin/node"
  for lib in $(ldd "$node_bin" | grep -o '/[^ ]*'); do
    mkdir -p "$stage/base$(dirname "$lib")"
    cp -L "$lib" "$stage/base$lib"
  done
  chmod 1777 "$stage/base/tmp"
  printf 'FROM scratch\nCOPY . /\nENV PATH=/usr/local/bin\n' > "$stage/base/Dockerfile"
  docker build -q -t mailhop-base:host "$stage/base" >/dev/null
  build_args=(--build-arg BASE_IMAGE=mailhop-base:host)
fi

[ -f dist/harness/runtime/container-entry.js ] || npm run build >/dev/null
mkdir -p "$stage/ctx/dist" "$stage/ctx/node_modules"
cp package.json Dockerfile "$stage/ctx/"
cp -r dist/harness "$stage/ctx/dist/"
npm ls --omit=dev --omit=optional --all --parseable 2>/dev/null | grep '/node_modules/' | sed "s|^$PWD/||" | sort -u |
  while read -r dir; do mkdir -p "$stage/ctx/$(dirname "$dir")"; cp -r "$dir" "$stage/ctx/$(dirname "$dir")/"; done
docker build -q "${build_args[@]}" -t "$tag" "$stage/ctx" >/dev/null
echo "built $tag${build_args:+ on mailhop-base:host}"
