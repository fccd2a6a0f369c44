#!/usr/bin/env bash
# grade: many unanswered requests with unrelated replies (3-of-4 pairing fallback): 5k vs 50k stays linear.
# usage: 55-grade-unanswered-linear.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
# AddressSanitizer reserves terabytes of shadow memory: no address-space limit or peak RSS holds.
[ -z "${LLMSTACK_SANITIZED:-}" ] || { echo "not measured under AddressSanitizer" >&2; exit 77; }
python3 - <<'PY'
from pktgen import *
for n in (5000, 50000):
    pk = []
    for i in range(n):
        pk.append(ip(A, Bh, icmp(8, i & 0xffff, (i >> 16) + 1, b"x")))
    for i in range(n):   # replies that match nothing (other addresses/ident/seq)
        pk.append(ip([10,0,0,9], [10,0,0,8], icmp(0, (i * 7919 + 3) & 0xffff, 60000, b"y")))
    pcap(f"g{n}.pcap", pk)
PY
for n in 5000 50000; do
  ( ulimit -v 4194304; exec /usr/bin/time -f '%e %M' -o tm$n timeout 300 "$B" grade g$n.pcap -q -r r$n.json ) >o.txt 2>e.txt; RC=$?
  no_crash "grade $n"
done
read t1 m1 <<< "$(tail -1 tm5000)"; read t2 m2 <<< "$(tail -1 tm50000)"
python3 -c "import sys; t1,t2=max($t1,0.05),$t2; print(f'5k {t1}s, 50k {t2}s', file=sys.stderr); sys.exit(0 if t2 <= 20*t1+0.5 else 1)" || fail "superlinear pairing: 5k requests $t1 s, 50k $t2 s"

exit 0
