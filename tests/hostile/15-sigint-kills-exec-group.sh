#!/usr/bin/env bash
# Ctrl-C while exec: commands run: the whole process group (incl. forked children) is killed.
# usage: 15-sigint-kills-exec-group.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
cat > cmd.sh <<SH
#!/bin/sh
cat >/dev/null
( sleep 1000; echo orphan ) &
echo \$! >> $T/kids
sleep 1000
SH
chmod +x cmd.sh
"$B" "$EXP" -o o.pcap -m "exec:$T/cmd.sh" --no-cache -q >o.txt 2>e.txt & P=$!
sleep 1.5; kill -INT $P
for i in $(seq 100); do kill -0 $P 2>/dev/null || break; sleep 0.1; done
kill -0 $P 2>/dev/null && { kill -9 $P; fail "tool did not exit within 10 s of SIGINT"; }
sleep 0.5
[ -s kids ] || fail "command never started"
# Alive and not a zombie (a killed child whose parent is gone stays a zombie where PID 1 does not
# reap).
alive(){ local s; s=$(ps -o stat= -p "$1" 2>/dev/null); [ -n "$s" ] && [ "${s#Z}" = "$s" ]; }
for k in $(cat kids); do alive $k && { kill $k; fail "forked child $k of the exec command survived Ctrl-C"; }; done
pgrep -f "$T/cmd.sh" >/dev/null && { pkill -f "$T/cmd.sh"; fail "exec command survived Ctrl-C"; }
exit 0

exit 0
