#!/usr/bin/env bash
# An existing journal without --resume: exit 2, message suggests --resume, journal unchanged.
# usage: 11-existing-journal-no-resume.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
run "$EXP" -o a.pcap -m exec:'cat >/dev/null; echo NO REPLY' --journal j.jsonl --no-cache
[ -s j.jsonl ] || fail "first run wrote no journal"
sum=$(sha256sum < j.jsonl)
run "$EXP" -o b.pcap -m exec:'cat >/dev/null; echo NO REPLY' --journal j.jsonl --no-cache
no_crash; expect_rc 2 "existing journal without --resume"
grep -q -- "--resume" "$T/e.txt" "$T/o.txt" || fail "message does not suggest --resume"
[ "$(sha256sum < j.jsonl)" = "$sum" ] || fail "existing journal was modified"

exit 0
