#!/usr/bin/env bash
# --journal equal to -o / -r: exit 2 up front, nothing asked.
# usage: 07-journal-clash-output.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
standin
export ANTHROPIC_API_KEY=$SECRET
run "$EXP" -o x.pcap --journal x.pcap -m anthropic:claude-haiku-4-5 --base-url http://127.0.0.1:$PORT --no-cache
no_crash; expect_rc 2 "--journal same as -o"
run "$EXP" -o y.pcap -r rep.json --journal rep.json -m anthropic:claude-haiku-4-5 --base-url http://127.0.0.1:$PORT --no-cache
no_crash; expect_rc 2 "--journal same as -r"
[ "$(stat_total)" = 0 ] || fail "a request was sent before the clash was detected"

exit 0
