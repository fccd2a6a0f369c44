#!/usr/bin/env bash
# The journal given as the input capture (and input given as journal): exit 2, input not touched.
# usage: 08-journal-is-input.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
cp "$EXP" in.pcap; sum=$(sha256sum < in.pcap)
run in.pcap -o o.pcap --journal in.pcap -m reference
no_crash; expect_rc 2 "--journal is the input"
[ "$(sha256sum < in.pcap)" = "$sum" ] || fail "input capture modified by journal writing"
run in.pcap -o o2.pcap --journal in.pcap --resume -m reference
no_crash; expect_rc 2 "--journal (resume) is the input"
[ "$(sha256sum < in.pcap)" = "$sum" ] || fail "input capture modified by journal (resume)"

exit 0
