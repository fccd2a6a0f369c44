#!/bin/sh
# audit --request: an answer works the ICMP checksum out right (~0xa30a = 0x5cf5) and then
# states "so the ICMP checksum is 0x5cf8" without saying of which packet. The audit gives WRONG
# only when it is certain (DESIGN section 8): a claim whose subject cannot be told is
# unverified, and the finding must say that the value is none of the packets' checksums, so a
# reader sees the contradiction; the working itself is right.
BIN=${1:?usage: $0 path/to/llmstack-replay}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
REQ=45000054812840004001615dac100001ac100002080054f5000d0001a1fb006a0000000041c4000000000000101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637
cat > "$T/answer.txt" <<'A'
Sum of ICMP words: 0x3a307
fold: 0xa307 + 0x3 = 0xa30a
~0xa30a = 0x5cf5, so the ICMP checksum is 0x5cf8.
A
out=$("$BIN" audit --request $REQ "$T/answer.txt"); rc=$?
echo "$out"
echo "$out" | grep -q 'unverified ICMP checksum 0x5cf8: .*none of their checksums' ||
  { echo "FAIL: the claim 0x5cf8 is not reported as none of the packets' checksums"; exit 1; }
echo "$out" | grep -q 'WRONG' && { echo "FAIL: a step of the right working is called WRONG"; exit 1; }
[ $rc -eq 0 ] || { echo "FAIL: exit $rc"; exit 1; }
echo PASS
