#!/usr/bin/env bash
# A server that reports huge negative token counts must not let the run spend past --max-cost.
# usage: 35-negative-tokens-vs-max-cost.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
cat > h.py <<'PY'
def handle(h, body):
    h.send(200, msg("NO REPLY", inp=-1000000000, out=-1000000000))
PY
hserver h.py
export ANTHROPIC_API_KEY=$SECRET
# with honest usage from the stand-in, this budget lets 7 of the 14 requests through
run "$CAPS/kernel-sizes.pcap" -o o.pcap -r r.json -m anthropic:claude-haiku-4-5 --base-url http://127.0.0.1:$PORT --no-cache --max-cost 0.012 -j 1
no_crash
n=$(hs_count)
[ "$n" -le 8 ] || fail "negative usage let $n requests through under --max-cost 0.012 (with honest usage the same budget allows 7)"
json_ok r.json

exit 0
