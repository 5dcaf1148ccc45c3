#!/usr/bin/env bash
# Install Debian's HAProxy and Redis server when missing, for `make cluster-test` (scripts/cluster.py).
# Neither is started as a service here: the cluster test starts its own, on loopback, with its own
# configuration. Prints the two programs' paths.
set -euo pipefail

if ! command -v haproxy >/dev/null 2>&1 || ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    SUDO=sudo
  else
    SUDO=
  fi
  echo "Installing Debian's haproxy and redis-server for the cluster test..." >&2
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  # The packages may start Debian's own services (port 6379, and HAProxy's empty default
  # configuration); the cluster test never uses them, it starts its own on free ports.
  $SUDO apt-get install -y -qq haproxy redis-server >/dev/null
fi
command -v haproxy
command -v redis-server
