#!/usr/bin/env bash
# -o /dev/null must be written in place, never renamed over or replaced.
# usage: 01-devnull-output.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
before=$(stat -c '%F %t:%T' /dev/null)
run "$EXP" -o /dev/null -m reference
after=$(stat -c '%F %t:%T' /dev/null)
if [ "$before" != "$after" ]; then rm -f /dev/null; mknod -m 666 /dev/null c 1 3; fail "/dev/null was replaced ($before -> $after); recreated it"; fi
no_crash; expect_rc 0 "-o /dev/null"

exit 0
