#!/usr/bin/env bash
# Builds the libFuzzer target for the JSON reader (clang-14, ASan + UBSan) and runs it for a
# bounded time over the seed corpus in tests/fuzz/corpus.
#
#   scripts/fuzz.sh [seconds] [more libFuzzer flags...]      (default 60 seconds)
#
# Environment: FUZZ_BUILD_DIR (default <repo>/build-fuzz), FUZZ_WORK (where new inputs and
# crash artifacts go; default a fresh temporary directory: never the source tree), JOBS
# (build parallelism, default: nproc).
# Exits non-zero when the fuzzer finds a crash; the input is in $FUZZ_WORK/artifacts. To keep
# a fixed crash fixed, copy it into tests/fuzz/corpus/ (ctest -L fuzz replays the corpus).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=${1:-60}
shift || true
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
work=${FUZZ_WORK:-$(mktemp -d "${TMPDIR:-/tmp}/typehost-fuzz.XXXXXX")}
jobs=${JOBS:-$(nproc)}

if [[ ! -f $build/CMakeCache.txt ]]; then
  CC=clang-14 CXX=clang++-14 cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DTYPEHOST_BUILD_HOST=OFF -DTYPEHOST_BUILD_BENCH=OFF -DTYPEHOST_BUILD_FUZZ=ON
fi
cmake --build "$build" -j "$jobs" --target fuzz_json_reader

mkdir -p "$work/corpus" "$work/artifacts"
echo "fuzz.sh: ${seconds}s; new inputs in $work/corpus, crashes in $work/artifacts"
# The first corpus directory receives new inputs; the seed corpus is only read.
"$build/bin/fuzz_json_reader" "$work/corpus" "$root/tests/fuzz/corpus" \
  -dict="$root/tests/fuzz/json_reader.dict" -max_total_time="$seconds" -max_len=4096 \
  -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/" "$@"
