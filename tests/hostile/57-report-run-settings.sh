#!/usr/bin/env bash
# JSON report records run.settings, run.capture_sha256 and run.interrupted (DESIGN section 6).
# usage: 57-report-run-settings.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
run "$EXP" -o o.pcap -r r.json -m exec:'cat >/dev/null; echo NO REPLY' --no-cache --timeout 7 -j 3
no_crash
python3 - "$EXP" <<'PY' || fail "report lacks run.settings / run.capture_sha256 / run.interrupted (or sha256 wrong)"
import json, sys, hashlib
r = json.load(open("r.json"))["run"]
assert "interrupted" in r, "interrupted"
assert isinstance(r.get("settings"), dict), "settings"
assert r.get("capture_sha256") == hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest(), "sha"
PY

exit 0
