#!/usr/bin/env bash
# -o a symlink (and a hard link) to the input: same file, exit 2, input untouched.
# usage: 05-output-symlink-to-input.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
cp "$EXP" in.pcap; sum=$(sha256sum < in.pcap); ln -s in.pcap alias.pcap; ln in.pcap hard.pcap
run in.pcap -o alias.pcap -m reference
no_crash; expect_rc 2 "-o symlink to input"
[ "$(sha256sum < in.pcap)" = "$sum" ] || fail "input was modified via symlink"
run in.pcap -o hard.pcap -m reference
no_crash; expect_rc 2 "-o hard link to input"
[ "$(sha256sum < in.pcap)" = "$sum" ] || fail "input was modified via hard link"

exit 0
