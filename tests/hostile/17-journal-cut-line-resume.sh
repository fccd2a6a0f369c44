#!/usr/bin/env bash
# A cut-off last journal line is ignored on resume; resume completes and counts the whole run.
# usage: 17-journal-cut-line-resume.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
run "$CAPS/kernel-sizes.pcap" -o o.pcapng --journal j.jsonl -m exec:'cat >/dev/null; echo NO REPLY' --no-cache -q
[ -s j.jsonl ] || fail "no journal"
head -c -40 j.jsonl > j2.jsonl; mv j2.jsonl j.jsonl
run "$CAPS/kernel-sizes.pcap" -o o.pcapng --journal j.jsonl --resume -r r.json -m exec:'cat >/dev/null; echo NO REPLY' --no-cache -q
no_crash; expect_rc 1 "resume with cut last line"
python3 -c 'import json;d=json.load(open("r.json"));assert d["summary"]["requests"]==14, d["summary"]["requests"]' || fail "resumed report does not count all 14 requests"

exit 0
