#!/usr/bin/env bash
# Configures and builds Typehost into build/ (binaries in build/bin).
set -euo pipefail
cd "$(dirname "$0")/.."
export CCACHE_BASEDIR="$PWD"
cmake -S . -B build -DCMAKE_BUILD_TYPE="${CMAKE_BUILD_TYPE:-RelWithDebInfo}" "$@"
cmake --build build -j"$(nproc)"
