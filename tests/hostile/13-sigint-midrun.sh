#!/usr/bin/env bash
# SIGINT mid-run: finished answers kept in journal & report, run.interrupted true, no temp files left.
# usage: 13-sigint-midrun.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
standin --latency-ms 400
export ANTHROPIC_API_KEY=$SECRET
mkdir out
"$B" "$CAPS/kernel-sizes.pcap" -o out/o.pcapng -r out/r.json --journal out/j.jsonl -j 1 \
   -m anthropic:claude-haiku-4-5 --base-url http://127.0.0.1:$PORT --no-cache -q >o.txt 2>e.txt & P=$!
sleep 2.2; kill -INT $P
for i in $(seq 100); do kill -0 $P 2>/dev/null || break; sleep 0.1; done
kill -0 $P 2>/dev/null && { kill -9 $P; fail "tool did not exit within 10 s of SIGINT"; }
wait $P; RC=$?
[ $RC -lt 128 ] || [ $RC = 130 ] || fail "exit status $RC after SIGINT"
n=$(grep -c '"status":"ok"' out/j.jsonl 2>/dev/null || echo 0)
[ "$n" -ge 2 ] || fail "journal holds only $n finished exchanges after ~5 were answered"
[ -s out/r.json ] || fail "no report after SIGINT"
python3 - <<'PY' || fail "report after SIGINT: not valid or run.interrupted is not true"
import json; d=json.load(open("out/r.json")); assert d["run"]["interrupted"] is True
PY
[ -s out/o.pcapng ] || fail "output capture with finished replies missing after SIGINT"
left=$(ls -A out | grep -v -x -e o.pcapng -e r.json -e j.jsonl)
[ -z "$left" ] || fail "temporary files left after SIGINT: $left"

exit 0
