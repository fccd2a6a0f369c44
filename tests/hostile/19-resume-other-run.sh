#!/usr/bin/env bash
# --resume with the journal of another run (other capture / other model): exit 2 naming what differs.
# usage: 19-resume-other-run.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
run "$EXP" -o o.pcap --journal j.jsonl -m exec:'cat >/dev/null; echo NO REPLY' --no-cache -q
cp j.jsonl j0.jsonl
run "$CAPS/kernel-sizes.pcap" -o o2.pcap --journal j.jsonl --resume -m exec:'cat >/dev/null; echo NO REPLY' --no-cache -q
no_crash; R1=$RC
cp j0.jsonl j.jsonl
run "$EXP" -o o3.pcap --journal j.jsonl --resume -m exec:'cat >/dev/null; echo no reply here' --no-cache -q
no_crash; R2=$RC
[ "$R1" = 2 ] && [ "$R2" = 2 ] || fail "resume with another run's journal accepted: other capture -> exit $R1, other model -> exit $R2 (expected 2 for both)"

exit 0
