#!/usr/bin/env bash
# exec: command prints the answer, closes stdout and lingers 60 s: --timeout 3 bounds it, group killed.
# usage: 40-exec-close-stdout-linger.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
cat > c.sh <<SH
#!/bin/sh
cat >/dev/null
echo "$EXP_REPLY"
exec >&- 2>&-
echo \$\$ >> $T/pids
sleep 60
SH
chmod +x c.sh
s=$(date +%s)
TMO=100 run "$EXP" -o o.pcap -m "exec:$T/c.sh" --timeout 3 --retries 1
e=$(date +%s)
no_crash
[ $((e-s)) -le 15 ] || fail "closed-stdout lingering command held the run $((e-s)) s despite --timeout 3"
sleep 0.5
pgrep -f "$T/c.sh" >/dev/null && { pkill -f "$T/c.sh"; fail "lingering exec command left running after the run"; }
exit 0

exit 0
