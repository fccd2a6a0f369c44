#!/usr/bin/env bash
# Capture on a pipe (IN = -) and output to stdout (-o -): works, stdout holds only a capture.
# usage: 52-capture-on-pipe.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
cat "$EXP" | timeout 30 "$B" - -o o.pcap -m reference >o.txt 2>e.txt; RC=$?
no_crash; expect_rc 0 "capture on stdin"
cat "$CAPS/kernel.pcapng" | timeout 30 "$B" - -o o.pcapng -m reference >o.txt 2>e.txt; RC=$?
no_crash; [ "$RC" -le 1 ] || fail "pcapng on stdin: exit $RC"
timeout 30 "$B" "$EXP" -o - -m reference > out.bin 2>e.txt; RC=$?
no_crash; expect_rc 0 "-o -"
python3 -c 'import struct,sys;d=open("out.bin","rb").read();sys.exit(0 if d[:4] in (b"\xd4\xc3\xb2\xa1",b"\xa1\xb2\xc3\xd4",b"\x4d\x3c\xb2\xa1",b"\x0a\x0d\x0d\x0a") else 1)' || fail "stdout with -o - does not start with a capture header (terminal text mixed in?)"
tshark -r out.bin >/dev/null 2>&1 || fail "tshark cannot read the capture written to stdout"
mkfifo in.fifo; (cat "$EXP" > in.fifo) & PIDS="$PIDS $!"
run in.fifo -o o3.pcap -m reference; no_crash; expect_rc 0 "capture from a FIFO"

exit 0
