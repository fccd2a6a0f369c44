#!/usr/bin/env bash
# exec: command prints 64 MB of text then the reply: no crash, bounded memory, journal valid.
# usage: 42-exec-megabytes.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
run "$EXP" -o o.pcap --journal j.jsonl -r r.json -m "exec:cat >/dev/null; head -c 67108864 /dev/zero | tr '\\0' 'a'; echo; echo $EXP_REPLY" --timeout 60
no_crash "64 MB stdout"
jsonl_ok j.jsonl; json_ok r.json
[ "$RC" -le 3 ] || fail "exit $RC"

exit 0
