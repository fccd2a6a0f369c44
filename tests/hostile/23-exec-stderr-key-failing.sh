#!/usr/bin/env bash
# exec: command prints the key to stderr and exits 1 (retried, then error): the key appears nowhere.
# usage: 23-exec-stderr-key-failing.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
export ANTHROPIC_API_KEY=$SECRET
run "$EXP" -o o.pcapng -r r.json --journal j.jsonl --retries 1 -m 'exec:cat >/dev/null; echo "auth failed for $ANTHROPIC_API_KEY" >&2; exit 1'
no_crash
no_secret o.pcapng r.json j.jsonl

exit 0
