#!/usr/bin/env bash
# 429 with retry-after far beyond --max-wait (1e12 s, HTTP date in 9999): request ends as error promptly.
# usage: 27-429-absurd-retry-after.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
cat > h.py <<'PY'
import itertools
C = itertools.count()
def handle(h, body):
    ra = ["1000000000000", "Fri, 31 Dec 9999 23:59:59 GMT", "99999999999999999999999999"][next(C) % 3]
    h.send(429, {"type": "error", "error": {"type": "rate_limit_error", "message": "slow down"}}, [("retry-after", ra)])
PY
hserver h.py
export ANTHROPIC_API_KEY=$SECRET
s=$(date +%s.%N)
TMO=40 run "$CAPS/kernel-sizes.pcap" -o o.pcap -r r.json -m anthropic:claude-haiku-4-5 --base-url http://127.0.0.1:$PORT --no-cache --max-wait 5
e=$(date +%s.%N)
no_crash "absurd retry-after"
python3 -c "import sys; sys.exit(0 if $e-$s < 15 else 1)" || fail "took $(python3 -c "print(round($e-$s,1))") s: an absurd retry-after was waited on"
expect_rc 3 "requests failed for good (retry-after > max-wait)"

exit 0
