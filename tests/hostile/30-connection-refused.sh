#!/usr/bin/env bash
# Nothing listening: retried a few times only, then final for the run (not retried per request); exit 3.
# usage: 30-connection-refused.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
export ANTHROPIC_API_KEY=$SECRET
s=$(date +%s)
TMO=120 run "$CAPS/kernel-sizes.pcap" -o o.pcap -r r.json -m anthropic:claude-haiku-4-5 --base-url http://127.0.0.1:$PORT --no-cache
e=$(date +%s)
no_crash; expect_rc 3 "connection refused"
sent=$(python3 -c 'import json;print(json.load(open("r.json"))["summary"]["usage"]["requests"])' 2>/dev/null || grep -o '[0-9]* requests sent' o.txt | cut -d' ' -f1)
[ "${sent:-999}" -le 20 ] || fail "connection refused retried per request: $sent requests sent, $((e-s)) s"
[ $((e-s)) -le 30 ] || fail "connection refused took $((e-s)) s to give up"

exit 0
