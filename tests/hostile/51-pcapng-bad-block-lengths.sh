#!/usr/bin/env bash
# pcapng with bad block lengths (0, 1, odd, huge, trailer mismatch, SHB shorter than 28): exit 2 naming the file; no crash.
# usage: 51-pcapng-bad-block-lengths.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
python3 - <<'PY'
import struct
pkt=bytes.fromhex("45000054812840004001615dac100001ac100002080054f5000d0001a1fb006a0000000041c4000000000000101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637")
def blk(t, body, L=None, L2=None):
    n = 12 + len(body); L = n if L is None else L; L2 = L if L2 is None else L2
    return struct.pack("<II", t, L) + body + struct.pack("<I", L2)
shb = blk(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
idb = blk(1, struct.pack("<HHI", 101, 0, 65535))
epb = lambda L=None, L2=None: blk(6, struct.pack("<IIIII", 0, 0, 0, len(pkt), len(pkt)) + pkt, L, L2)
cases = {
 "zero": shb + idb + epb(L=0), "one": shb + idb + epb(L=1), "odd": shb + idb + epb(L=117),
 "huge": shb + idb + epb(L=0xFFFFFFF0), "mismatch": shb + idb + epb(L2=999),
 "shbshort": struct.pack("<II", 0x0A0D0D0A, 12) + struct.pack("<I", 0x1A2B3C4D),
 "shbhuge": blk(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1), L=0x7FFFFFFC),
 "capbig": shb + idb + blk(6, struct.pack("<IIIII", 0, 0, 0, 0xFFFFFF00, 84) + pkt),
 "noidb": shb + epb(),
 "ifbad": shb + idb + blk(6, struct.pack("<IIIII", 77, 0, 0, len(pkt), len(pkt)) + pkt),
}
for k, v in cases.items(): open(k + ".pcapng", "wb").write(v)
PY
for f in zero one odd huge mismatch shbshort shbhuge capbig noidb ifbad; do
  /usr/bin/time -f %M -o mem timeout 30 "$B" $f.pcapng -o o.pcap -m reference >o.txt 2>e.txt; RC=$?
  no_crash "$f.pcapng"; kb=$(tail -1 mem)
  [ "$kb" -lt 524288 ] || fail "$f.pcapng: max RSS $((kb/1024)) MiB"
  case $f in zero|one|odd|huge|mismatch|shbshort|shbhuge|capbig|noidb|ifbad) expect_rc 2 "$f.pcapng"; one_line_err $f.pcapng;; esac
done

exit 0
