#!/usr/bin/env bash
# kill -9 mid-run, then --resume --no-cache: nothing asked twice, everything answered once.
# usage: 16-kill9-resume-nocache.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
standin --latency-ms 300
export ANTHROPIC_API_KEY=$SECRET
M="-m anthropic:claude-haiku-4-5 --base-url http://127.0.0.1:$PORT --no-cache -j 1 -q"
"$B" "$CAPS/kernel-sizes.pcap" -o o.pcapng --journal j.jsonl $M >o.txt 2>e.txt & P=$!
sleep 1.8; kill -9 $P; wait $P 2>/dev/null
done1=$(grep -c '"status":"ok"' j.jsonl); t1=$(stat_total)
run "$CAPS/kernel-sizes.pcap" -o o.pcapng --journal j.jsonl --resume $M
no_crash; expect_rc 0 "resume after kill -9"
t2=$(stat_total)
[ "$t2" -le 15 ] || fail "resume asked again: $t2 requests in total for 14 packets (journal held $done1 after kill -9, $t1 sent)"

exit 0
