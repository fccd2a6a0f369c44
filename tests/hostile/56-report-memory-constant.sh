#!/usr/bin/env bash
# JSON report of 200k pairs within 1.5x the memory of 20k pairs (grade), both well under 100 MiB.
# usage: 56-report-memory-constant.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
# AddressSanitizer reserves terabytes of shadow memory: no address-space limit or peak RSS holds.
[ -z "${LLMSTACK_SANITIZED:-}" ] || { echo "not measured under AddressSanitizer" >&2; exit 77; }
python3 - <<'PY'
from pktgen import *
for n in (20000, 200000):
    pk = []
    for i in range(n):
        req = ip(A, Bh, icmp(8, i & 0xffff, (i >> 16) + 1, b"ab"))
        pk.append(req); pk.append(ip(Bh, A, icmp(0, i & 0xffff, (i >> 16) + 1, b"ab")))
    pcap(f"p{n}.pcap", pk)
PY
for n in 20000 200000; do
  ( ulimit -v 4194304; exec /usr/bin/time -f '%e %M' -o tm$n timeout 300 "$B" grade p$n.pcap -q -r r$n.json ) >o.txt 2>e.txt; RC=$?
  [ "$RC" -lt 124 ] || fail "grade of $n pairs died (status $RC) under a 4 GiB address-space limit: $(grep -m1 -ai "alloc\\|memory\\|terminate" e.txt)"
done
read t1 m1 <<< "$(tail -1 tm20000)"; read t2 m2 <<< "$(tail -1 tm200000)"
echo "20k: ${m1}KB ${t1}s; 200k: ${m2}KB ${t2}s" >&2
[ "$m2" -le $((m1*3/2 + 4096)) ] || fail "memory not constant: 20k pairs $((m1/1024)) MiB, 200k pairs $((m2/1024)) MiB"
[ "$m2" -lt 102400 ] || fail "200k-pair report used $((m2/1024)) MiB"

exit 0
