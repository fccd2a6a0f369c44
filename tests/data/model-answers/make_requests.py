#!/usr/bin/env python3
"""Echo requests for the model-answer corpus: one raw-IP pcap, one request per frame."""
import os, struct, sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "captures", "scripts"))
import pktlib as P

A4, B4 = "192.0.2.1", "192.0.2.2"
A6, B6 = "2001:db8::1", "2001:db8::2"

def pattern(n, start=0x10):
    return bytes((start + i) & 0xFF for i in range(n))

EXPERIMENT = bytes.fromhex(
    "45000054812840004001615dac100001ac100002080054f5000d0001a1fb006a0000000041c40000"
    "00000000101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637")

reqs = []
def add(name, pkt): reqs.append((name, pkt))

add("v4-experiment", EXPERIMENT)
add("v4-empty", P.echo_request4(A4, B4, 0x1c2b, 1, b"", ip_id=0x3a11, df=True))
add("v4-one-byte", P.echo_request4(A4, B4, 0x4c4c, 7, b"\xa5", ip_id=0x0b0e))
add("v4-odd-7", P.echo_request4("198.51.100.7", "198.51.100.20", 0x0f31, 3, b"hello!\n", ip_id=0x77f0, ttl=63))
add("v4-carry-fffe", P.ipv4_packet(A4, B4, P.icmp_echo_with_checksum(0x4c4c, 1, b"carry!", 0xFFFE), ident=0x2000))
add("v4-carry-f800", P.ipv4_packet(A4, B4, P.icmp_echo_with_checksum(0x4c4c, 2, b"wrap", 0xF800), ident=0x2001))
add("v4-all-zero", P.ipv4_packet(A4, B4, P.icmp_echo(8, 0, 0), ident=0x2002))
add("v4-tos-pattern", P.echo_request4(A4, B4, 0x5151, 12, bytes([0xff, 0x00] * 16), tos=0xb8, ip_id=0xc0de, df=True))
rr = bytes([1, 7, 39, 8]) + P.ip4(A4) + bytes(32)
add("v4-record-route", P.echo_request4(A4, B4, 0x4c4c, 1, pattern(16), options=rr, df=True, ip_id=0x1111))
ts_only = bytes([0x44, 12, 9, 0x00]) + struct.pack("!I", 3600_000) + bytes(4)
add("v4-timestamp", P.echo_request4(A4, B4, 0x4c4c, 2, pattern(16), options=ts_only, ip_id=0x1112))
add("v4-long-120", P.echo_request4("198.51.100.1", "198.51.100.2", 0x2a2a, 40, pattern(120, 0x41), ip_id=0x9999, df=True))
add("v4-long-256", P.echo_request4(A4, B4, 0x0777, 5, bytes((i * 37 + 11) & 0xFF for i in range(256)), ip_id=0x4242, df=True))
good = P.echo_request4(A4, B4, 0x4c4c, 21, pattern(24), ip_id=0x1234)
add("neg-v4-bad-ip-checksum", good[:10] + b"\x12\x34" + good[12:])
add("neg-v4-bad-icmp-checksum", P.echo_request4(A4, B4, 0x4c4c, 22, pattern(24), icmp_checksum=0x1234, ip_id=0x1235))
add("neg-v4-broadcast", P.echo_request4(A4, "255.255.255.255", 0x4c4c, 23, pattern(24), ip_id=0x1236))
add("neg-v4-multicast", P.echo_request4(A4, "224.0.0.1", 0x4c4c, 24, pattern(24), ttl=1, ip_id=0x1237))
ts = P.icmp_message(13, 0, struct.pack("!HH", 0x4c4c, 25), struct.pack("!III", 0x00bc614e, 0, 0))
add("neg-v4-timestamp-request", P.ipv4_packet(A4, B4, ts, ident=0x1238))
add("v6-basic", P.echo_request6(A6, B6, 0x4c4c, 1, pattern(56)))
add("v6-empty", P.echo_request6(A6, B6, 0x0001, 9, b""))
add("v6-tclass-odd", P.echo_request6("2001:db8:0:1::10", "2001:db8:0:1::20", 0xbeef, 300, b"odd-13-bytes!", tclass=0x28, flow=0x12345, hlim=57))
add("neg-v6-bad-checksum", P.echo_request6(A6, B6, 0x4c4c, 31, pattern(16), checksum=0x1234))
add("neg-v6-multicast", P.echo_request6(A6, "ff02::1", 0x4c4c, 32, pattern(16), hlim=1))

w = P.PcapWriter(P.LINKTYPE_RAW)
t = 1777593600_000_000_000
with open("requests.tsv", "w") as m:
    for i, (name, pkt) in enumerate(reqs):
        w.add(t + i * 1_000_000_000, pkt)
        m.write(f"{i+1}\t{name}\t{pkt.hex()}\n")
w.save("requests.pcap")
print(len(reqs), "requests")
