#!/usr/bin/env bash
# The first journal line records the run (capture SHA-256, models, prompt hashes, profile, settings, samples).
# usage: 58-journal-identity-line.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
run "$EXP" -o o.pcap --journal j.jsonl -m exec:'cat >/dev/null; echo NO REPLY' --no-cache
no_crash
python3 - "$EXP" <<'PY' || fail "journal's first line does not record the run's identity (no capture SHA-256)"
import json, sys, hashlib
first = open("j.jsonl").readline()
assert hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest() in first
PY

exit 0
