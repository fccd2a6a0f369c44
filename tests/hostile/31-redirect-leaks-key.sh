#!/usr/bin/env bash
# A 307 redirect to another local port: the API key must not be sent to the redirect target.
# usage: 31-redirect-leaks-key.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
cat > h2.py <<'PY'
def handle(h, body):
    h.send(200, msg("NO REPLY"))
PY
hserver h2.py; P2=$PORT
cat > h.py <<PY
def handle(h, body):
    h.send_response(307); h.send_header("Location", "http://127.0.0.1:$P2/v1/messages"); h.send_header("Content-Length","0"); h.end_headers()
PY
hserver h.py
export ANTHROPIC_API_KEY=$SECRET
run "$EXP" -o o.pcap -m anthropic:claude-haiku-4-5 --base-url http://127.0.0.1:$PORT --no-cache --retries 1
no_crash
# hs.log is shared by both servers; any request that reached P2 carries its headers there
python3 - "$SECRET" "$P2" <<'PY' || fail "API key sent to the redirect target"
import json,sys
for l in open("hs.log"):
    d=json.loads(l)
    if d["path"].startswith("/v1/messages") and sys.argv[1] in json.dumps(d["headers"]) and d["headers"].get("Host","").endswith(sys.argv[2]):
        sys.exit(1)
PY

exit 0
