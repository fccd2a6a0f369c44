#!/usr/bin/env bash
# 200 answers with wrong JSON types (content a string/number/null, usage strings, text a dict): no crash.
# usage: 34-wrong-types-json.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
cat > h.py <<'PY'
import itertools
C = itertools.count()
BAD = [
 {"content": "a string"}, {"content": 5}, {"content": None}, {"content": [{"type": "text", "text": {"a": 1}}]},
 {"content": [{"type": "text", "text": "NO REPLY"}], "usage": {"input_tokens": "many", "output_tokens": [1]}},
 {"content": [None, 3, "x", {"type": 7}]}, [], "just a string", 12, None,
 {"content": [{"type": "text", "text": "NO REPLY"}], "usage": "lots"},
 {"content": [{"type": "text", "text": "NO REPLY"}], "usage": {"input_tokens": 1e400}},
]
def handle(h, body):
    i = next(C)
    raw = json.dumps(BAD[i % len(BAD)]).encode() if i % len(BAD) != 11 else b'{"content":[{"type":"text","text":"NO REPLY"}],"usage":{"input_tokens":1e400,"output_tokens":NaN}}'
    h.send(200, None, raw=raw)
PY
sed -i '1i import json' h.py
hserver h.py
export ANTHROPIC_API_KEY=$SECRET
TMO=120 run "$CAPS/kernel-sizes.pcap" -o o.pcap -r r.json --journal j.jsonl -m anthropic:claude-haiku-4-5 --base-url http://127.0.0.1:$PORT --no-cache --retries 1 -j 1
no_crash "wrong JSON types"
json_ok r.json; jsonl_ok j.jsonl

exit 0
