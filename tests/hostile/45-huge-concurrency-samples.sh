#!/usr/bin/env bash
# -j 1e9 / -j overflow / --samples 2e9: refused (2) or handled in bounded memory; never a crash or runaway allocation.
# usage: 45-huge-concurrency-samples.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
TMO=30 run "$EXP" -o o.pcap -m reference -j 1000000000
no_crash "-j 1e9"; [ "$RC" = 0 ] || [ "$RC" = 2 ] || fail "-j 1e9 exit $RC"
TMO=30 run "$EXP" -o o.pcap -m reference -j 99999999999999999999
no_crash "-j overflow"; [ "$RC" = 2 ] || fail "-j overflowing int: exit $RC"
# --samples 2e9 with the reference stack: memory must not run away (safety net: 3 GiB address-space limit, 6 s)
( ulimit -v 3145728; exec "$B" "$EXP" -o o2.pcap -m reference --samples 2000000000 -q ) >o.txt 2>e.txt & P=$!
peak=0; for i in $(seq 30); do r=$(ps -o rss= -p $P 2>/dev/null | tr -d ' '); [ -z "$r" ] && break; [ "$r" -gt "$peak" ] && peak=$r; sleep 0.2; done
kill -9 $P 2>/dev/null; wait $P 2>/dev/null; RC=$?
[ "$RC" = 2 ] && exit 0
grep -qi "bad_alloc\|terminate\|abort" e.txt && fail "--samples 2e9: $(grep -i -m1 'bad_alloc\|terminate\|abort' e.txt)"
[ "$peak" -lt 1048576 ] || fail "--samples 2000000000: RSS reached $((peak/1024)) MiB within 6 s (unbounded per-sample memory; no up-front refusal)"

exit 0
