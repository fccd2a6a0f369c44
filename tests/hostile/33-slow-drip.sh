#!/usr/bin/env bash
# A server that drips its body one byte every 0.5 s: --timeout 2 bounds the attempt (total timeout, not idle).
# usage: 33-slow-drip.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
cat > h.py <<'PY'
import time
def handle(h, body):
    data = b'{"content":[{"type":"text","text":"' + b"x" * 200 + b'"}]}'
    h.send_response(200); h.send_header("Content-Type","application/json"); h.send_header("Content-Length", str(len(data))); h.end_headers()
    try:
        for b in data:
            h.wfile.write(bytes([b])); h.wfile.flush(); time.sleep(0.5)
    except OSError: pass
PY
hserver h.py
export ANTHROPIC_API_KEY=$SECRET
s=$(date +%s)
TMO=90 run "$EXP" -o o.pcap -m anthropic:claude-haiku-4-5 --base-url http://127.0.0.1:$PORT --no-cache --timeout 2 --retries 1
e=$(date +%s)
no_crash "slow drip"
[ $((e-s)) -le 20 ] || fail "slow drip: --timeout 2 --retries 1 took $((e-s)) s"
expect_rc 3 "timeouts spent"

exit 0
