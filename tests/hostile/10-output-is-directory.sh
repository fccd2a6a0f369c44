#!/usr/bin/env bash
# -o an existing directory: exit 2, directory untouched.
# usage: 10-output-is-directory.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
mkdir outdir; touch outdir/keep
run "$EXP" -o outdir -m reference; no_crash; expect_rc 2 "-o a directory"
[ -d outdir ] && [ -e outdir/keep ] || fail "directory replaced"
mkdir rdir; run "$EXP" -o o.pcap -r rdir -m reference; no_crash
[ -d rdir ] || fail "report directory replaced"

exit 0
