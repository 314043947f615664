#!/usr/bin/env bash
# The first README command: install what is missing, build, start Typehost with the bundled
# plugins (the desktop window when a display is available, else the headless registry listing).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
if [ -x build/bin/typehost ] && { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; }; then
  exec build/bin/typehost "$@"
fi
exec build/bin/typehost-headless "$@" types
