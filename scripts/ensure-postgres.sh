#!/usr/bin/env bash
# Install Debian's PostgreSQL server when its programs are missing, for the tests' throw-away cluster
# (scripts/pg_cluster.py) and for `backhome backup`/`restore` on PostgreSQL (pg_dump, pg_restore).
# Debian keeps initdb and pg_ctl in /usr/lib/postgresql/<version>/bin, off the PATH. Prints that folder.
set -euo pipefail

find_bindir() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/pg_dump" ] && [ -x "$dir/pg_restore" ]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

if bindir=$(find_bindir); then
  echo "$bindir"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
echo "Installing Debian's postgresql server for the tests on PostgreSQL..." >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# The package may start Debian's own cluster on port 5432; the tests never use it, they make their own.
$SUDO apt-get install -y -qq postgresql >/dev/null
bindir=$(find_bindir)
echo "$bindir"
