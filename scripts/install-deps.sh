#!/usr/bin/env bash
# Installs the Debian 12 packages Typehost needs to build, run and test (as root, or via sudo).
# Skips apt entirely when everything is present already.
set -euo pipefail

packages=(
  cmake g++ make ccache pkg-config
  qt6-base-dev libgl-dev
  pybind11-dev python3-dev nlohmann-json3-dev libfmt-dev libsimdjson-dev
  python3-pytest python3-attr python3-pydantic python3-jsonschema python3-mypy
  libbenchmark-dev clang-14 libclang-rt-14-dev
  xvfb xauth nodejs npm
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "Installing: ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
