#!/bin/sh
# When --max-cost stops a run, the requests left unasked are counted as "errors", exit 3,
# but nothing on the terminal says the budget was reached (no per-request line, no
# "the run stopped: ..." line as a 401 gets). Passes when stdout/stderr mention the budget.
BIN=${1:?usage: $0 path/to/llmstack-replay}
HERE=$(cd "$(dirname "$0")" && pwd); CAP=${CAPTURES:-$HERE/../../captures}
T=$(mktemp -d); python3 "$HERE/mockapi.py" "$T/port" & MP=$!
trap 'kill $MP 2>/dev/null; rm -rf "$T"' EXIT
i=0; while [ ! -s "$T/port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
PORT=$(cat "$T/port")
ANTHROPIC_API_KEY=dummy "$BIN" "$CAP/kernel-sizes.pcap" -o "$T/o.pcapng" -m anthropic:claude-haiku-4-5 \
  --base-url "http://127.0.0.1:$PORT" --no-cache -j 1 --max-cost 0.02 >"$T/out" 2>&1; rc=$?
cat "$T/out" | tail -4
[ $rc -eq 3 ] || { echo "unexpected exit $rc"; exit 2; }
if grep -qiE 'budget|max-cost' "$T/out"; then echo "PASS: the budget stop is explained"; exit 0; fi
echo "FAIL: exit 3 with $(grep -o '[0-9]* errors' "$T/out") and no word about --max-cost/budget"; exit 1
