#!/usr/bin/env bash
# No --model and no key: exit 2 with a message naming --model reference; never a silent reference run.
# usage: 46-no-model.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
run "$EXP" -o o.pcap
no_crash; expect_rc 2 "no model configured"
grep -q "reference" e.txt o.txt || fail "message does not mention --model reference"
[ -e o.pcap ] && fail "an output was written with no model configured"
exit 0

exit 0
