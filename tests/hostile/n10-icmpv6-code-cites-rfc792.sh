#!/bin/sh
# grade kernel-crafted.pcap: the ICMPv6 reply with code 5 gets the warning
# "icmpv6.code 5 (should be 0: ... RFC 792 says 0)"; RFC 792 is ICMP for IPv4, the ICMPv6
# echo reply is RFC 4443 section 4.2.
BIN=${1:?usage: $0 path/to/llmstack-replay}
HERE=$(cd "$(dirname "$0")" && pwd); CAP=${CAPTURES:-$HERE/../../captures}
line=$("$BIN" grade "$CAP/kernel-crafted.pcap" | grep 'icmpv6.code')
echo "$line"
[ -n "$line" ] || { echo "no icmpv6.code warning found"; exit 2; }
echo "$line" | grep -q 'RFC 792' && { echo "FAIL: ICMPv6 warning cites RFC 792"; exit 1; }
echo PASS; exit 0
