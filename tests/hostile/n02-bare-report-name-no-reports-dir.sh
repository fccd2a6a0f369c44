#!/bin/sh
# README: a bare format name (-r html) writes reports/<capture>-<model>.<ext> under the
# current directory "(created when missing)". `grade -r html` creates reports/, the main job
# fails with "directory reports does not exist (the report)", exit 2.
BIN=${1:?usage: $0 path/to/llmstack-replay}
HERE=$(cd "$(dirname "$0")" && pwd); CAP=${CAPTURES:-$HERE/../../captures}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
cd "$T" || exit 2
"$BIN" "$CAP/experiment.pcap" -o out.pcapng -m reference -r html -q --no-cache >out.txt 2>err.txt; rc=$?
if [ $rc -eq 0 ] && ls reports/*.html >/dev/null 2>&1; then echo "PASS: $(ls reports)"; exit 0; fi
echo "FAIL: rc=$rc: $(cat err.txt)"; exit 1
