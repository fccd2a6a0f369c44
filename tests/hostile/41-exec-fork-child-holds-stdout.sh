#!/usr/bin/env bash
# exec: command answers and exits but leaves a child holding stdout open: no hang past --timeout, no orphan left.
# usage: 41-exec-fork-child-holds-stdout.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
cat > c.sh <<SH
#!/bin/sh
cat >/dev/null
( sleep 60 ) &
echo "$EXP_REPLY"
exit 0
SH
chmod +x c.sh
s=$(date +%s)
TMO=100 run "$EXP" -o o.pcap -m "exec:$T/c.sh" --timeout 3 --retries 0
e=$(date +%s)
no_crash
[ $((e-s)) -le 10 ] || fail "run took $((e-s)) s: a forked child holding stdout stalled it"
sleep 0.5
pgrep -f "sleep 60" -P $(pgrep -d, -f "$T/c.sh" || echo 1) >/dev/null 2>&1 && fail "orphan child left"
exit 0

exit 0
