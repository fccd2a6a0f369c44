#!/usr/bin/env bash
# exec: exit 127 (not found) is final for the whole run: one message, exit 3, command not run per packet.
# usage: 39-exec-127-final.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
cat > c.sh <<SH
#!/bin/sh
echo x >> $T/calls
exit 127
SH
chmod +x c.sh
TMO=30 run "$CAPS/kernel-sizes.pcap" -o o.pcap -m "exec:$T/c.sh" -j 1
[ "$RC" = 124 ] && fail "exit-127 command retried like a transient failure: run still going after 30 s, command run $(wc -l < calls) times"
no_crash; expect_rc 3 "exec exit 127"
n=$(wc -l < calls); [ "$n" -le 2 ] || fail "exit-127 command was run $n times (should be final for the run)"
TMO=30 run "$CAPS/kernel-sizes.pcap" -o o2.pcap -m "exec:/nonexistent/definitely-not-here" -j 4
no_crash; expect_rc 3 "exec command not found"

exit 0
