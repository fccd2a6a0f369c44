#!/bin/sh
# explain on a whole Ethernet frame (what Wireshark's "Copy as Hex Stream" of a frame gives)
# prints "IPv4 datagram, 42 bytes" and dissects the MAC addresses as IP fields (ip.version 0),
# exit 0. Passes when the output recognises the Ethernet header or the input is refused.
BIN=${1:?usage: $0 path/to/llmstack-replay}
HEX=00005e00530200005e0053010800450000540000400040010000c0000201c00002020800f7ff00000000
out=$("$BIN" explain $HEX 2>&1); rc=$?
echo "$out" | head -2
[ $rc -eq 2 ] && { echo "PASS: refused"; exit 0; }
echo "$out" | grep -qi 'ethernet' && { echo "PASS: Ethernet header recognised"; exit 0; }
echo "FAIL: exit $rc, an Ethernet frame dissected as '$(echo "$out" | head -1)'"; exit 1
