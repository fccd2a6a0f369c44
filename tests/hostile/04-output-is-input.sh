#!/usr/bin/env bash
# -o the input itself: exit 2 up front, input untouched.
# usage: 04-output-is-input.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
cp "$EXP" in.pcap; sum=$(sha256sum < in.pcap)
run in.pcap -o in.pcap -m reference
no_crash; expect_rc 2 "-o same as input"
[ "$(sha256sum < in.pcap)" = "$sum" ] || fail "input was modified"

exit 0
