#!/usr/bin/env bash
# Installs the Debian 12 packages Typehost needs to build, run and test (as root, or via sudo).
# Skips apt entirely when everything is present already.
set -euo pipefail

packages=(
  cmake g++ make ccache pkg-config
  qt6-base-dev libgl-dev libqt6svg6
  pybind11-dev python3-dev nlohmann-json3-dev libfmt-dev libsimdjson-dev
  python3-pytest python3-attr python3-pydantic python3-jsonschema python3-mypy
  libpython3.11-testsuite
  libbenchmark-dev clang-14 libclang-rt-14-dev
  xvfb xauth nodejs npm
)

missing=()
for p in "${packages[@]}"; do
  # node and npm may come from elsewhere (NodeSource's nodejs bundles npm): the commands count.
  case "$p" in
    nodejs) command -v node >/dev/null && continue ;;
    npm) command -v npm >/dev/null && continue ;;
  esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# pyright (tests/python/test_stubs.py type-checks the bundled plugins with it): the npm
# package, pinned, into build/node of this checkout rather than globally.
PYRIGHT_VERSION=1.1.414
node_prefix="$(cd "$(dirname "$0")/.." && pwd)/build/node"
installed="$(sed -n 's/^ *"version": "\(.*\)",*$/\1/p' "$node_prefix/node_modules/pyright/package.json" 2>/dev/null | head -1 || true)"
if [ "$installed" != "$PYRIGHT_VERSION" ]; then
  echo "Installing pyright $PYRIGHT_VERSION into $node_prefix"
  npm install --prefix "$node_prefix" --no-audit --no-fund --loglevel=error "pyright@$PYRIGHT_VERSION"
fi
