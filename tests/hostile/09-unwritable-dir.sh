#!/usr/bin/env bash
# -o into a missing dir / read-only dir / a file-as-dir: exit 2 before the first request.
# usage: 09-unwritable-dir.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
standin
export ANTHROPIC_API_KEY=$SECRET
M="-m anthropic:claude-haiku-4-5 --base-url http://127.0.0.1:$PORT --no-cache"
run "$EXP" -o nodir/sub/out.pcap $M; no_crash; expect_rc 2 "-o in a missing dir"
touch afile; run "$EXP" -o afile/out.pcap $M; no_crash; expect_rc 2 "-o under a regular file"
run "$EXP" -o ok.pcap -r nodir/r.json $M; no_crash; expect_rc 2 "-r in a missing dir"
run "$EXP" -o ok2.pcap --journal nodir/j.jsonl $M; no_crash; expect_rc 2 "--journal in a missing dir"
[ "$(stat_total)" = 0 ] || fail "$(stat_total) request(s) sent before the unwritable output was detected"

exit 0
