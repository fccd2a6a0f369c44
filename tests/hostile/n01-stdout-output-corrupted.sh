#!/bin/sh
# `-o -` writes the capture to stdout, but the run's text (REPLAY header, summary) goes
# to stdout too, so the stream is not a capture (tshark -r - cannot read it).
# Passes when stdout starts with a pcap/pcapng magic number (or `-o -` is refused with exit 2).
BIN=${1:?usage: $0 path/to/llmstack-replay}
HERE=$(cd "$(dirname "$0")" && pwd); CAP=${CAPTURES:-$HERE/../../captures}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
"$BIN" "$CAP/experiment.pcap" -o - -m reference -q --no-cache > "$T/out" 2>"$T/err"; rc=$?
[ $rc -eq 2 ] && { echo "PASS: -o - refused"; exit 0; }
magic=$(head -c 4 "$T/out" | od -An -tx1 | tr -d ' \n')
case "$magic" in
  d4c3b2a1|a1b2c3d4|4d3cb2a1|a1b23c4d|0a0d0d0a) echo "PASS: stdout is a capture ($magic)"; exit 0;;
  *) echo "FAIL: stdout starts with '$(head -c 40 "$T/out")' (magic $magic), not a capture"; exit 1;;
esac
