#!/usr/bin/env bash
# exec: command prints the API key on stdout and stderr: redacted in terminal, journal, reports, capture.
# usage: 22-exec-prints-key.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
export ANTHROPIC_API_KEY=$SECRET OPENAI_API_KEY=$SECRET-oa
run "$EXP" -o o.pcapng -r r.json -r r.html --journal j.jsonl -m 'exec:cat >/dev/null; echo "key=$ANTHROPIC_API_KEY $OPENAI_API_KEY" >&2; echo "key=$ANTHROPIC_API_KEY"; echo '"$EXP_REPLY"
no_crash
no_secret o.pcapng r.json r.html j.jsonl

exit 0
