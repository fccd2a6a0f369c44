#!/usr/bin/env bash
# -o symlink: followed to its target; the symlink itself stays.
# usage: 03-symlink-output.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
mkdir real; ln -s real/target.pcapng link.pcapng
run "$EXP" -o link.pcapng -m reference
no_crash; expect_rc 0
[ -L link.pcapng ] || fail "symlink was replaced by a $(stat -c %F link.pcapng)"
[ -s real/target.pcapng ] || fail "symlink target not written"

exit 0
