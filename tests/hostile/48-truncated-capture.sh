#!/usr/bin/env bash
# A capture cut inside the global header / a record header: exit 2, one line naming the file; no crash.
# usage: 48-truncated-capture.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
head -c 10 "$EXP" > cut-hdr.pcap
run cut-hdr.pcap -o o.pcap -m reference; no_crash; expect_rc 2 "cut global header"; one_line_err cut-hdr.pcap
head -c 30 "$EXP" > cut-rec.pcap
run cut-rec.pcap -o o.pcap -m reference; no_crash
[ "$RC" = 2 ] && one_line_err cut-rec.pcap
: > empty.pcap
run empty.pcap -o o.pcap -m reference; no_crash; expect_rc 2 "empty file"; one_line_err empty.pcap
[ $(wc -l < e.txt) -le 1 ] || fail "error is not one line: $(wc -l < e.txt) lines"

exit 0
