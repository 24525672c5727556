#!/usr/bin/env bash
# The container suite's engine for CI and local runs on machines without one:
#   scripts/container-test-setup.sh start   installs Debian's docker.io/docker-compose if missing, starts a private
#                                           dockerd (no iptables, no bridge: nothing but host networking),
#                                           builds mailhop-base:host (FROM scratch, this machine's node) and
#                                           mailhop:local on it, and writes DOCKER_HOST to /tmp/mailhop-docker-host
#                                           (harness/runtime/engine-probe.ts reads it)
#   scripts/container-test-setup.sh stop    stops that dockerd by its PID and removes the file
# Never fails the caller's run: without an engine the container tests skip themselves with the reason.
set -uo pipefail
cd "$(dirname "$0")/.."
dir=/tmp/mailhop-docker
host_file=/tmp/mailhop-docker-host
log() { echo "container-test-setup: $*" >&2; }

stop() {
  rm -f "$host_file"
  if [ -f "$dir/dockerd.pid" ]; then
    pid=$(cat "$dir/dockerd.pid")
    kill "$pid" 2>/dev/null && for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    rm -f "$dir/dockerd.pid"
  fi
}

start() {
  local t0=$SECONDS
  if [ "$(id -u)" != 0 ]; then log "not root: no private dockerd, container tests will skip"; return 0; fi
  if ! command -v dockerd >/dev/null || ! command -v docker-compose >/dev/null; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io docker-compose >/dev/null) ||
      { log "could not install docker.io: container tests will skip"; return 0; }
  fi
  stop
  mkdir -p "$dir/data" "$dir/exec"
  setsid dockerd --iptables=false --ip-masq=false --bridge=none --data-root "$dir/data" --exec-root "$dir/exec" \
    --pidfile "$dir/dockerd.pid" -H "unix://$dir/docker.sock" >"$dir/dockerd.log" 2>&1 < /dev/null &
  export DOCKER_HOST="unix://$dir/docker.sock"
  for _ in $(seq 100); do docker version >/dev/null 2>&1 && break; sleep 0.2; done
  if ! docker version >/dev/null 2>&1; then log "dockerd did not come up (see $dir/dockerd.log): container tests will skip"; stop; return 0; fi
  if ! bash scripts/container-image.sh --base-from-host >&2; then log "image build failed: container tests will skip"; stop; return 0; fi
  echo "$DOCKER_HOST" > "$host_file"
  log "engine at $DOCKER_HOST, images built, $((SECONDS - t0)) s"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
