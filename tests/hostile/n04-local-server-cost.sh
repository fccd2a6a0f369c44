#!/bin/sh
# README: "Local servers cost nothing." An openai: model on http://127.0.0.1 shows
# "cost unknown", and --max-cost with it is a usage error ("no price ... in the price table").
# Passes when --max-cost is accepted for a local server and the cost is reported as $0.
BIN=${1:?usage: $0 path/to/llmstack-replay}
HERE=$(cd "$(dirname "$0")" && pwd); CAP=${CAPTURES:-$HERE/../../captures}
T=$(mktemp -d); python3 "$HERE/mockapi.py" "$T/port" & MP=$!
trap 'kill $MP 2>/dev/null; rm -rf "$T"' EXIT
i=0; while [ ! -s "$T/port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
PORT=$(cat "$T/port")
"$BIN" "$CAP/experiment.pcap" -o "$T/o.pcapng" -m openai:qwen2.5 --base-url "http://127.0.0.1:$PORT/v1" \
  --no-cache --max-cost 1 >"$T/out" 2>&1; rc=$?
tail -2 "$T/out"
if [ $rc -eq 0 ] && grep -qE 'cost \$0(\.0+)?\b|no cost|cost nothing' "$T/out"; then echo PASS; exit 0; fi
echo "FAIL: rc=$rc"; exit 1
