#!/usr/bin/env bash
# The model's 200 answer contains the API key (and the reply): redacted in journal, cache, reports, capture comments.
# usage: 21-key-echoed-in-answer.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
cat > h.py <<PY
REPLY = "$EXP_REPLY"
def handle(h, body):
    key = h.headers.get("x-api-key", "")
    h.send(200, msg("my key is " + key + "\n\`\`\`hex\n" + REPLY + "\n\`\`\`\nthinking " + key))
PY
hserver h.py
export ANTHROPIC_API_KEY=$SECRET
run "$EXP" -o o.pcapng -r r.json -r r.html -r r.md -r r.xml -r r.csv --journal j.jsonl --cache cache -m anthropic:claude-haiku-4-5 --base-url http://127.0.0.1:$PORT
no_crash
no_secret o.pcapng r.json r.html r.md r.xml r.csv j.jsonl cache
grep -qa redacted j.jsonl || fail "journal does not show [redacted]"

exit 0
