#!/bin/sh
# --timeout 0 (or negative) is accepted; every attempt then "timed out after 0 s" (or
# "after -5 s") and is retried 8 times before the run ends with exit 3.
# Passes when a non-positive --timeout is a usage error (exit 2).
BIN=${1:?usage: $0 path/to/llmstack-replay}
HERE=$(cd "$(dirname "$0")" && pwd); CAP=${CAPTURES:-$HERE/../../captures}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail=0
for t in 0 -5; do
  "$BIN" "$CAP/experiment.pcap" -o "$T/o.pcapng" -m 'exec:cat >/dev/null; echo NO REPLY' --no-cache \
     --timeout $t >"$T/out" 2>&1; rc=$?
  if [ $rc -eq 2 ]; then echo "ok: --timeout $t refused"; else echo "FAIL: --timeout $t: exit $rc: $(grep -o 'ERROR.*' "$T/out")"; fail=1; fi
done
exit $fail
