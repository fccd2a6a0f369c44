#!/usr/bin/env bash
# 429 with retry-after -5 / nan / garbage: no crash, no hang, no busy loop; retries bounded.
# usage: 28-429-negative-nan-retry-after.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
cat > h.py <<'PY'
import itertools
C = itertools.count()
def handle(h, body):
    ra = ["-5", "nan", "inf", "1e309", "\x00", "-1e309", "0x10"][next(C) % 7]
    h.send(429, {"type": "error", "error": {"type": "rate_limit_error", "message": "x"}}, [("retry-after", ra), ("retry-after-ms", "-100")])
PY
hserver h.py
export ANTHROPIC_API_KEY=$SECRET
TMO=90 run "$EXP" -o o.pcap -m anthropic:claude-haiku-4-5 --base-url http://127.0.0.1:$PORT --no-cache --retries 4
no_crash "hostile retry-after"
n=$(hs_count); [ "$n" -le 5 ] || fail "$n attempts for one request with --retries 4"
expect_rc 3 "retries spent"

exit 0
