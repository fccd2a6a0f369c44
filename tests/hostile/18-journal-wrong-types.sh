#!/usr/bin/env bash
# A journal with wrong types in its fields, given to --resume: exit 2 naming the file (or ignored), never a crash.
# usage: 18-journal-wrong-types.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
run "$EXP" -o o.pcap --journal j.jsonl -m exec:'cat >/dev/null; echo NO REPLY' --no-cache -q
python3 - <<'PY'
import json
lines=[json.loads(l) for l in open("j.jsonl")]
bad=[]
for l in lines:
    for k in list(l):
        m=dict(l); m[k]={"request_hex":12345,"sample":"zero","attempts":"x","usage":[1],"text":{"a":1},"latency_ms":"fast","v":"one"}.get(k,[None,{}]); bad.append(m)
bad += [[], "str", 42, None, {"request_hex": "zz"}]
open("j.jsonl","w").write("".join(json.dumps(b)+"\n" for b in bad))
PY
run "$EXP" -o o.pcap --journal j.jsonl --resume -m exec:'cat >/dev/null; echo NO REPLY' --no-cache -q
no_crash "resume with hostile journal"
[ "$RC" = 2 ] && { grep -q j.jsonl e.txt o.txt || fail "exit 2 but message does not name the journal"; }
exit 0

exit 0
