#!/usr/bin/env bash
# Absurd token counts (1e18, 2^64): the run stops asking (budget), exit 3, report valid JSON (no inf/NaN).
# usage: 36-huge-tokens-vs-max-cost.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
cat > h.py <<'PY'
def handle(h, body):
    h.send(200, None, raw=b'{"content":[{"type":"text","text":"NO REPLY"}],"usage":{"input_tokens":18446744073709551616,"output_tokens":1000000000000000000}}')
PY
hserver h.py
export ANTHROPIC_API_KEY=$SECRET
run "$CAPS/kernel-sizes.pcap" -o o.pcap -r r.json --journal j.jsonl -m anthropic:claude-haiku-4-5 --base-url http://127.0.0.1:$PORT --no-cache --max-cost 1 -j 1
no_crash
n=$(hs_count); [ "$n" -le 2 ] || fail "$n requests sent after usage said the budget was blown by the first"
expect_rc 3 "budget exhausted"
json_ok r.json; jsonl_ok j.jsonl
python3 -c 'import json;d=json.load(open("r.json"));assert any(p.get("why_error")=="budget" for p in d["packets"])' || fail "no packet marked why_error budget"

exit 0
