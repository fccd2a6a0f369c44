#!/usr/bin/env bash
# -r and -o the same path (via symlink): exit 2 before anything is asked.
# usage: 06-report-clash-output.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
ln -s out.json r.json
run "$EXP" -o out.json -r r.json -m reference
no_crash; expect_rc 2 "-r same file as -o"
run "$EXP" -o out.pcap -r same.json -r same.json -m reference
no_crash; expect_rc 2 "-r given twice with the same path"

exit 0
