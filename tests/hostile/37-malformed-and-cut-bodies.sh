#!/usr/bin/env bash
# Malformed JSON, cut bodies, error inside 200, dropped connections: retried, then error; no crash; exit 3.
# usage: 37-malformed-and-cut-bodies.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
standin --rate-malformed-json 0.3 --rate-cut-body 0.3 --rate-error-200 0.2 --rate-drop 0.2 --fault-max-per-packet 100 --slow-s 0.1
export ANTHROPIC_API_KEY=$SECRET
TMO=120 run "$CAPS/kernel-sizes.pcap" -o o.pcap -r r.json --journal j.jsonl -m anthropic:claude-haiku-4-5 --base-url http://127.0.0.1:$PORT --no-cache --retries 2
no_crash "protocol faults"
json_ok r.json; jsonl_ok j.jsonl
[ "$RC" = 3 ] || [ "$RC" = 1 ] || [ "$RC" = 0 ] || fail "exit $RC"

exit 0
