#!/usr/bin/env bash
# A server that echoes the API key back in a 400/401 error body: the key must appear nowhere.
# usage: 20-key-echoed-in-error.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
cat > h.py <<'PY'
def handle(h, body):
    key = h.headers.get("x-api-key", "")
    h.send(400, {"type": "error", "error": {"type": "invalid_request_error", "message": "bad key " + key}})
PY
hserver h.py
export ANTHROPIC_API_KEY=$SECRET
run "$EXP" -o o.pcapng -r r.json -r r.html -r r.md -r r.xml -r r.csv --journal j.jsonl -m anthropic:claude-haiku-4-5 --base-url http://127.0.0.1:$PORT --no-cache --retries 1
no_crash
no_secret o.pcapng r.json r.html r.md r.xml r.csv j.jsonl

exit 0
