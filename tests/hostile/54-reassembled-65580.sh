#!/usr/bin/env bash
# Fragments reassembling to a 65,580-byte datagram: no crash, graded silent with a why_silent rule.
# usage: 54-reassembled-65580.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
python3 - <<'PY'
from pktgen import *
data = bytes(i & 0xff for i in range(65580 - 20 - 8))
msg = icmp(8, 0x4242, 1, data)
pk = []; off = 0
while off < len(msg):
    chunk = msg[off:off + 1480]
    pk.append(ip(A, Bh, chunk, ident=0x777, frag=off // 8, mf=1 if off + 1480 < len(msg) else 0))
    off += 1480
pk.append(ip(A, Bh, icmp(8, 1, 2, b"hello!")))
pcap("big.pcap", pk)
PY
run grade big.pcap -r r.json -q
no_crash "65580-byte reassembly"
[ "$RC" -le 1 ] || fail "exit $RC: $(head -c 200 e.txt)"
python3 - <<'PY' || fail "65,580-byte reassembled datagram (valid checksums): why_silent names no >65535 rule"
import json, sys
d = json.load(open("r.json"))
big = [p for p in d["packets"] if p["request"].get("ident") == 0x4242]
assert big and big[0]["expect_reply"] is False and big[0]["why_silent"], big[:1]
w = big[0]["why_silent"]
if "checksum" in w.lower():
    raise SystemExit(print(f"65,580-byte datagram (checksums valid) silenced for the wrong reason: {w!r}", file=sys.stderr) or 1)
PY

exit 0
