#!/usr/bin/env bash
# A 200 with a 300 MB body: no crash, bounded memory (< 1 GiB RSS), request ends without hanging.
# usage: 32-huge-body.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
cat > h.py <<'PY'
def handle(h, body):
    n = 300 * 1024 * 1024
    h.send_response(200); h.send_header("Content-Type", "application/json"); h.send_header("Content-Length", str(n + 20)); h.end_headers()
    try:
        h.wfile.write(b'{"content":[{"type":"text","text":"')
        chunk = b"A" * (1 << 20)
        for _ in range(300): h.wfile.write(chunk)
        h.wfile.write(b'"}]}')
    except OSError: pass
PY
hserver h.py
export ANTHROPIC_API_KEY=$SECRET
TMO=120 /usr/bin/time -f '%M' -o mem timeout 120 "$B" "$EXP" -o o.pcap --journal j.jsonl -m anthropic:claude-haiku-4-5 --base-url http://127.0.0.1:$PORT --no-cache --retries 0 >o.txt 2>e.txt; RC=$?
no_crash "huge body"
kb=$(tail -1 mem); [ "$kb" -lt 1048576 ] || fail "max RSS $((kb/1024)) MiB for a huge response body"
[ "$(stat -c %s j.jsonl 2>/dev/null || echo 0)" -lt 100000000 ] || fail "journal grew to $(stat -c %s j.jsonl) bytes"

exit 0
