#!/usr/bin/env bash
# -o FIFO: written in place (reader gets a capture), FIFO still a FIFO afterwards.
# usage: 02-fifo-output.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
mkfifo out.pcap; (cat out.pcap > got.bin) & PIDS="$PIDS $!"
run "$EXP" -o out.pcap -m reference
sleep 0.5
no_crash; expect_rc 0 "-o FIFO"
[ -p out.pcap ] || fail "FIFO was replaced by $(stat -c %F out.pcap)"
[ -s got.bin ] || fail "reader of the FIFO got nothing"
head -c4 got.bin | od -An -tx1 | grep -Eq 'd4 c3 b2 a1|a1 b2 c3 d4|4d 3c b2 a1|a1 b2 3c 4d' || fail "FIFO reader did not get a pcap"

exit 0
