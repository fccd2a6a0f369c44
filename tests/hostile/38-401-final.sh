#!/usr/bin/env bash
# 401: final for the whole run: nothing more sent, exit 3, unasked packets why_error auth.
# usage: 38-401-final.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
standin --rate-401 1
export ANTHROPIC_API_KEY=$SECRET
run "$CAPS/kernel-sizes.pcap" -o o.pcap -r r.json -m anthropic:claude-haiku-4-5 --base-url http://127.0.0.1:$PORT --no-cache -j 2
no_crash; expect_rc 3 "401"
n=$(stat_total); [ "$n" -le 2 ] || fail "$n requests sent after a 401 with -j 2"
python3 -c 'import json;d=json.load(open("r.json"));assert sum(p.get("why_error")=="auth" for p in d["packets"])>=10' || fail "unasked packets not why_error auth"

exit 0
