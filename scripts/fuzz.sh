#!/usr/bin/env bash
# Runs one libFuzzer target for a while, seeded from the prepared captures and test data.
#
#   scripts/fuzz.sh TARGET SECONDS      TARGET: capture, datagram, extract, api_response, journal
#
# Builds the targets with clang (AddressSanitizer + UndefinedBehaviorSanitizer) into build-fuzz/,
# keeps the growing corpus in build-fuzz/corpus/TARGET and crashes in build-fuzz/crashes/TARGET.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: scripts/fuzz.sh TARGET SECONDS}
seconds=${2:-60}
binary=build-fuzz/${target}_fuzzer

if [ ! -f build-fuzz/build.ninja ]; then
  CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DLLMSTACK_FUZZ=ON -DLLMSTACK_BUILD_TESTS=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build build-fuzz --target "${target}_fuzzer" -j"$(nproc)" >/dev/null

corpus=build-fuzz/corpus/$target
crashes=build-fuzz/crashes/$target
mkdir -p "$corpus" "$crashes"
if [ -z "$(ls -A "$corpus")" ]; then
  python3 scripts/fuzz_seeds.py "$target" "$corpus"
fi
"$binary" "$corpus" -max_total_time="$seconds" -artifact_prefix="$crashes/" -print_final_stats=1 \
  -timeout=10 -rss_limit_mb=4096 -max_len=262144
