#!/usr/bin/env bash
# Installs what llmstack-replay needs on Debian 12, builds it, and then either runs the main job
# on a prepared capture (`demo`, the default) or builds and runs the test suite (`test`).
#
#   scripts/bootstrap.sh          # install, build, replay captures/experiment.pcap
#   scripts/bootstrap.sh test     # install, build, run every test, then again under ASan+UBSan
#                                 # (what CI runs)
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-demo}

packages=(build-essential cmake ninja-build pkg-config libpcap-dev libcurl4-openssl-dev
          nlohmann-json3-dev libcli11-dev catch2 python3 tshark tcpdump iproute2 iputils-ping)
if [ "$what" = test ]; then
  packages+=(clang clang-format libclang-rt-14-dev chromium)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing: ${missing[*]}"
  $sudo apt-get update -q
  # tshark asks whether non-root users may capture; answer for it.
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"

case "$what" in
  demo)
    mkdir -p reports
    set +e
    build/llmstack-replay captures/experiment.pcap -o reports/experiment-reference.pcapng \
      --model reference -r reports/experiment-reference.json
    status=$?
    set -e
    echo
    echo "Output capture: reports/experiment-reference.pcapng (open it in Wireshark)"
    echo "JSON report:    reports/experiment-reference.json"
    exit $status
    ;;
  test)
    # The house format (.clang-format) holds over every source and test file.
    find src tests -name '*.cc' -o -name '*.h' | sort | xargs clang-format --dry-run -Werror
    # One CTest entry per test file; much of the suite waits on tshark, ping or the stand-in
    # server, so a few more than the cores run side by side.
    jobs=$(( $(nproc) + 1 ))
    ctest --test-dir build --output-on-failure -j"$jobs"
    # The same suite under AddressSanitizer and UndefinedBehaviorSanitizer, built with clang
    # (it compiles this code base about a third faster than g++ does with sanitizers on).
    cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DLLMSTACK_SANITIZE=ON \
      -DCMAKE_CXX_COMPILER=clang++ >/dev/null
    cmake --build build-asan -j"$(nproc)"
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      ctest --test-dir build-asan --output-on-failure -j"$jobs"
    ;;
  *)
    echo "usage: scripts/bootstrap.sh [demo|test]" >&2
    exit 2
    ;;
esac
