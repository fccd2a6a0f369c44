#!/bin/sh
# audit --request: an answer works the ICMP checksum out right (~0xa30a = 0x5cf5) and then
# states "so the ICMP checksum is 0x5cf8". The audit calls the working right and the claim
# "unverified ... which packet it is about cannot be told, and it is none of their checksums":
# a value that is none of the request's or the reply's checksums is wrong whichever it is about.
BIN=${1:?usage: $0 path/to/llmstack-replay}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
REQ=45000054812840004001615dac100001ac100002080054f5000d0001a1fb006a0000000041c4000000000000101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637
cat > "$T/answer.txt" <<'A'
Sum of ICMP words: 0x3a307
fold: 0xa307 + 0x3 = 0xa30a
~0xa30a = 0x5cf5, so the ICMP checksum is 0x5cf8.
A
"$BIN" audit --request $REQ "$T/answer.txt"; rc=$?
[ $rc -eq 1 ] && { echo "PASS: the wrong claim is WRONG"; exit 0; }
echo "FAIL: exit $rc, the claim 0x5cf8 is not called wrong"; exit 1
