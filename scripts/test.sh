#!/usr/bin/env bash
# The second README command: install what is missing, build, run the whole test suite
# (C++ and Python tests via CTest; the typesys and host C++ tests and the whole Python suite again
# under ASan+UBSan, scripts/test-asan.sh; a bounded fuzz run). Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
ctest --test-dir build --output-on-failure -j"$(nproc)" --timeout 600

echo "== typesys, host and Python tests under AddressSanitizer + UndefinedBehaviorSanitizer =="
scripts/test-asan.sh

if [ -x scripts/fuzz.sh ]; then
  echo "== JSON reader fuzzing (bounded) =="
  # A fixed seed and run count make the CI run reproducible (on a slower machine the time cap
  # ends it earlier, on a prefix of the same inputs); scripts/fuzz.sh alone explores freely.
  scripts/fuzz.sh "${FUZZ_SECONDS:-120}" -seed="${FUZZ_SEED:-1}" -runs="${FUZZ_RUNS:-200000}"
fi
echo "All tests passed."
