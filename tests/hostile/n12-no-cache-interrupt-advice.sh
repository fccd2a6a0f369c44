#!/bin/sh
# Ctrl-C on a run with --no-cache and no --journal: the tool says "finished answers are in
# the cache; run again to finish", but --no-cache wrote nothing to the cache.
# Passes when the message does not claim the answers are in the cache.
BIN=${1:?usage: $0 path/to/llmstack-replay}
HERE=$(cd "$(dirname "$0")" && pwd); CAP=${CAPTURES:-$HERE/../../captures}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
cat > "$T/slow.sh" <<'M'
cat >/dev/null; sleep 1; echo "NO REPLY"
M
"$BIN" "$CAP/kernel-sizes.pcap" -o "$T/o.pcapng" -m "exec:sh $T/slow.sh" --no-cache -j 2 >"$T/out" 2>"$T/err" &
P=$!; sleep 3; kill -INT $P; wait $P; rc=$?
cat "$T/err"
[ $rc -eq 130 ] || { echo "exit $rc, expected 130"; exit 2; }
grep -q 'in the cache' "$T/err" && { echo "FAIL: claims the answers are in the cache under --no-cache"; exit 1; }
echo PASS; exit 0
