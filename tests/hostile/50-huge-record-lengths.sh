#!/usr/bin/env bash
# Huge snaplen and record lengths (incl_len 0xFFFFFFF0, incl_len > snaplen, orig_len < incl_len): exit 2 or skip; no crash/giant alloc.
# usage: 50-huge-record-lengths.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
python3 - <<'PY'
import struct
pkt=bytes.fromhex("45000054812840004001615dac100001ac100002080054f5000d0001a1fb006a0000000041c4000000000000101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637")
g=lambda snap: struct.pack("<IHHiIII",0xa1b2c3d4,2,4,0,0,snap,101)
open("snap.pcap","wb").write(g(0xFFFFFFFF)+struct.pack("<IIII",0,0,len(pkt),len(pkt))+pkt)
open("rec.pcap","wb").write(g(65535)+struct.pack("<IIII",0,0,0xFFFFFFF0,0xFFFFFFF0)+pkt)
open("rec2.pcap","wb").write(g(65535)+struct.pack("<IIII",0,0,200000000,200000000)+pkt)
open("orig.pcap","wb").write(g(65535)+struct.pack("<IIII",0,0,len(pkt),10)+pkt)
open("zero.pcap","wb").write(g(0)+struct.pack("<IIII",0,0,len(pkt),len(pkt))+pkt)
PY
for f in snap rec rec2 orig zero; do
  /usr/bin/time -f %M -o mem timeout 30 "$B" $f.pcap -o o.pcap -m reference >o.txt 2>e.txt; RC=$?
  no_crash "$f.pcap"; kb=$(tail -1 mem)
  [ "$kb" -lt 524288 ] || fail "$f.pcap: max RSS $((kb/1024)) MiB"
  case $f in rec|rec2) expect_rc 2 "$f.pcap (record longer than file)"; one_line_err $f.pcap;; esac
done
exit 0

exit 0
