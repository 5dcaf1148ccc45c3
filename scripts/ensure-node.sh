#!/usr/bin/env bash
# Install Debian's Node.js and npm when they are missing; `make npm` then runs `npm ci` for the test-only
# tools of package.json (axe-core for the accessibility checks). Never a downloaded toolchain.
set -euo pipefail
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
echo "Installing Debian's nodejs and npm for the accessibility checks..."
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq nodejs npm >/dev/null
command -v node npm
