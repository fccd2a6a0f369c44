#!/usr/bin/env bash
# 10k vs 100k never-completed fragments (plus one real request): time and memory grow at most linearly.
# usage: 53-fragment-flood-linear.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
python3 - <<'PY'
from pktgen import *
for n in (10000, 100000):
    pk = [ip(A, Bh, icmp(8, 7, 1, b"abcdefgh")[:8] if False else bytes(16), ident=i & 0xffff, mf=1, frag=(i >> 16) * 4) for i in range(n)]
    pk.append(ip(A, Bh, icmp(8, 9, 1, b"0123456789abcdef")))
    pcap(f"f{n}.pcap", pk)
PY
for n in 10000 100000; do
  /usr/bin/time -f '%e %M' -o tm$n timeout 120 "$B" f$n.pcap -o o$n.pcap -m reference -q >o.txt 2>e.txt; RC=$?
  no_crash "flood $n"
  [ "$RC" -le 1 ] || fail "flood $n: exit $RC: $(head -c 200 e.txt)"
done
read t1 m1 < tm10000; read t2 m2 < tm100000
python3 -c "import sys; t1,t2=max($t1,0.05),$t2; print(f'10k {t1}s {$m1}KB, 100k {t2}s {$m2}KB', file=sys.stderr); sys.exit(0 if t2 <= 20*t1+0.5 else 1)" || fail "superlinear: 10k fragments $t1 s, 100k $t2 s"
[ "$m2" -lt $((m1*5 + 200000)) ] || fail "memory grows with incomplete fragments: $m1 KB -> $m2 KB"

exit 0
