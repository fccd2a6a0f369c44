#!/usr/bin/env bash
# kill -9 mid-run: an existing output capture is not left half-written (temp file + rename).
# usage: 60-kill9-keeps-old-output.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
standin --latency-ms 300
export ANTHROPIC_API_KEY=$SECRET
cp "$EXP" o.pcap; sum=$(sha256sum < o.pcap)
"$B" "$CAPS/kernel-sizes.pcap" -o o.pcap -j 1 -m anthropic:claude-haiku-4-5 --base-url http://127.0.0.1:$PORT --no-cache -q >o.txt 2>e.txt & P=$!
sleep 1.5; kill -9 $P; wait $P 2>/dev/null
if [ "$(sha256sum < o.pcap)" != "$sum" ]; then tshark -r o.pcap >/dev/null 2>&1 || fail "o.pcap half-written after kill -9"; fi
exit 0

exit 0
