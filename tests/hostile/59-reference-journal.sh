#!/usr/bin/env bash
# --journal with --model reference: the journal is the whole record of a run (or the option is refused), not silently ignored.
# usage: 59-reference-journal.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
run "$EXP" -o o.pcap --journal j.jsonl -m reference
no_crash
[ "$RC" = 2 ] && exit 0
[ -s j.jsonl ] || fail "--journal j.jsonl silently ignored with --model reference (exit $RC, no journal written)"

exit 0
