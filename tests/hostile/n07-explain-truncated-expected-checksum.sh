#!/bin/sh
# explain --reply with a cut-off reply: the grading table's "expected" ICMP checksum is the
# checksum over the truncated bytes (0x5df6), not the correct reply's 0x5cf5 that the same
# command prints above as "The correct reply".
BIN=${1:?usage: $0 path/to/llmstack-replay}
REQ=45000054812840004001615dac100001ac100002080054f5000d0001a1fb006a0000000041c4000000000000101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637
CUT=45000054812840004001615dac100002ac100001000054f5000d0001a1fb
line=$("$BIN" explain $REQ --reply $CUT | grep -E '^ +icmp\.checksum +0x')
echo "$line"
exp=$(echo "$line" | awk '{print $2}')
[ "$exp" = "0x5cf5" ] && { echo PASS; exit 0; }
echo "FAIL: expected column says $exp, the correct reply's ICMP checksum is 0x5cf5"; exit 1
