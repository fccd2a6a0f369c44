#!/bin/sh
# Linux cooked (SLL/SLL2) outputs: the written reply keeps the request's link-layer source
# address, so the reply appears to come from the pinging host's MAC (Ethernet outputs swap
# the MACs correctly). Passes when no reply carries the request's sll source address.
BIN=${1:?usage: $0 path/to/llmstack-replay}
HERE=$(cd "$(dirname "$0")" && pwd); CAP=${CAPTURES:-$HERE/../../captures}
command -v tshark >/dev/null || { echo "needs tshark"; exit 2; }
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
fail=0
for f in kernel-any-sll kernel-any-sll2 crafted-sll; do
  "$BIN" "$CAP/$f.pcap" -o "$T/$f.pcap" -m reference -q --no-cache >/dev/null 2>&1 || { echo "run failed on $f"; exit 2; }
  # frame 1 is a request, frame 2 its reply
  req=$(tshark -r "$T/$f.pcap" -Y 'frame.number==1' -T fields -e sll.src.eth 2>/dev/null)
  rep=$(tshark -r "$T/$f.pcap" -Y 'frame.number==2' -T fields -e sll.src.eth 2>/dev/null)
  orig=$(tshark -r "$CAP/$f.pcap" -Y 'frame.number==2' -T fields -e sll.src.eth 2>/dev/null)
  if [ -n "$req" ] && [ "$req" = "$rep" ]; then
    echo "FAIL $f: reply sll.src $rep = request's sll.src (the capture's own reply has $orig)"; fail=1
  else echo "ok $f: request $req reply $rep"; fi
done
exit $fail
