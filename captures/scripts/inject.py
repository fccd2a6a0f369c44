#!/usr/bin/env python3
"""Send hand-built ICMP requests to a real Linux kernel, frame by frame.

Run by record_kernel.sh inside the namespace llr-a; the frames leave on the veth `--iface`
and reach the kernel in llr-b, whose answers tcpdump records (kernel-crafted.pcap).

AF_PACKET is used rather than an IPPROTO_RAW socket because the kernel rewrites the IPv4
header of IPPROTO_RAW sends (it recomputes the header checksum, sets the total length and
fills a zero IP ID), which would make a bad header checksum or an ID of 0 impossible to send.

    python3 inject.py --list              print what would be sent
    python3 inject.py --iface llr-va      send it (root, inside llr-a)
"""

import argparse
import socket
import struct
import os
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pktlib as P  # noqa: E402

A4, B4 = "192.0.2.1", "192.0.2.2"
A6, B6 = "2001:db8::1", "2001:db8::2"
MAC_A, MAC_B = "00:00:5e:00:53:01", "00:00:5e:00:53:02"
DATA = bytes(range(0x10, 0x30))  # 32 bytes, like the tail of ping's pattern


def req4(ident, seq, data=DATA, **kw):
    return P.echo_request4(A4, B4, ident, seq, data, **kw)


def with_icmp(ident, seq, data, target):
    """Echo request whose ICMP checksum is `target` (see pktlib.icmp_echo_with_checksum)."""
    return P.ipv4_packet(A4, B4, P.icmp_echo_with_checksum(ident, seq, data, target),
                         ident=0x4c00 + seq)


def scenarios():
    """(description, ethernet destination MAC, IP datagram) in sending order."""
    out = []

    def add(desc, pkt, dst_mac=MAC_B):
        out.append((desc, dst_mac, pkt))

    add("control: plain echo request, 32 bytes", req4(0x4c4c, 1, ip_id=0x4c01))
    add("bad IP header checksum (0x1234): dropped",
        req4(0x4c4c, 2, ip_id=0x4c02, ip_checksum=0x1234))
    add("bad ICMP checksum (0x1234): dropped", req4(0x4c4c, 3, ip_id=0x4c03,
                                                    icmp_checksum=0x1234))
    add("ICMP code 5 with good checksums", req4(0x4c4c, 4, ip_id=0x4c04, code=5))
    add("all-zero message: id 0, seq 0, no data (ICMP 0800 f7ff 0000 0000); right reply "
        "checksum 0xffff", req4(0, 0, b"", ip_id=0x4c05))
    add("id 0xffff, seq 0, no data (ICMP 0800 f7ff ffff 0000); reply sum is -0, right "
        "reply checksum 0x0000", req4(0xFFFF, 0, b"", ip_id=0x4c06))
    add("request ICMP checksum 0xfffe; right reply checksum wraps to 0x07ff",
        with_icmp(0x4c4c, 7, b"carry!", target=0xFFFE))
    # Loose Source Route, completed: sent via a (hypothetical) router 192.0.2.254 whose
    # address is recorded in the option; pointer past the end. NOP first for alignment.
    lsrr = bytes([1, 0x83, 7, 8]) + P.ip4("192.0.2.254")
    add("Loose Source Route option (completed, via 192.0.2.254): Linux drops it "
        "(accept_source_route=0)", req4(0x4c4c, 8, ip_id=0x4c08, options=lsrr))
    add("IP options NOP,NOP,NOP,EOL (IHL 6)",
        req4(0x4c4c, 9, ip_id=0x4c09, options=bytes([1, 1, 1, 0])))
    add("to the subnet broadcast 192.0.2.255: ignored (icmp_echo_ignore_broadcasts=1)",
        P.echo_request4(A4, "192.0.2.255", 0x4c4c, 10, DATA, ip_id=0x4c0a),
        "ff:ff:ff:ff:ff:ff")
    add("to 224.0.0.1 (all-hosts multicast): ignored",
        P.echo_request4(A4, "224.0.0.1", 0x4c4c, 11, DATA, ip_id=0x4c0b, ttl=1),
        "01:00:5e:00:00:01")
    ts = P.icmp_message(13, 0, struct.pack("!HH", 0x4c4c, 12),
                        struct.pack("!III", 0x00bc614e, 0, 0))
    add("timestamp request (type 13): the answer is a type 14, not an echo reply",
        P.ipv4_packet(A4, B4, ts, ident=0x4c0c))
    add("TTL 1", req4(0x4c4c, 13, ip_id=0x4c0d, ttl=1))
    add("DF set", req4(0x4c4c, 14, ip_id=0x4c0e, df=True))
    add("TOS 0x03 (ECN CE)", req4(0x4c4c, 15, ip_id=0x4c0f, tos=0x03))
    for n, word in enumerate([b"first!!!", b"second!!", b"third!!!"]):
        add("same addresses, id 0x4c4c, seq 16, data %r: pair first-in-first-out" % word,
            req4(0x4c4c, 16, word * 4, ip_id=0x4c10 + n))
    # Fragments of one 200-byte-data request (ICMP message 208 bytes), 3 pieces.
    big = req4(0x4c4c, 17, bytes(range(200)), ip_id=0x4c20)
    pieces = [(0, 80), (80, 160), (160, 208)]
    for s, e in reversed(pieces):
        add("fragment [%d,%d) of seq 17, sent in reverse order: reassembled" % (s, e),
            P.fragment4(big, s, e))
    big = req4(0x4c4c, 18, bytes(range(200)), ip_id=0x4c21)
    for s, e in [(0, 80), (80, 160), (80, 160), (160, 208)]:
        add("fragment [%d,%d) of seq 18 (the middle one twice, identical)" % (s, e),
            P.fragment4(big, s, e))
    big = req4(0x4c4c, 19, bytes(range(200)), ip_id=0x4c22)
    add("fragment [0,80) of seq 19", P.fragment4(big, 0, 80))
    add("fragment [80,160) of seq 19", P.fragment4(big, 80, 160))
    add("fragment [120,208) of seq 19, overlapping [120,160) with different bytes",
        P.fragment4(big, 120, 208, data=b"\xee" * 40 + P.IPv4(big).payload[160:208]))
    add("lone fragment (MF set, offset 0) of seq 20: never completes",
        P.fragment4(req4(0x4c4c, 20, bytes(range(200)), ip_id=0x4c23), 0, 80))

    # IPv6
    def req6(seq, data=DATA, **kw):
        return P.echo_request6(A6, B6, 0x4c4c, seq, data, **kw)

    add("IPv6 control: plain echo request", req6(101))
    add("IPv6 bad ICMPv6 checksum (0x1234): dropped", req6(102, checksum=0x1234))
    add("IPv6 code 5", req6(103, code=5))
    add("IPv6 to ff02::1 (all-nodes multicast)",
        P.echo_request6(A6, "ff02::1", 0x4c4c, 104, DATA, hlim=1), "33:33:00:00:00:01")
    big6 = req6(105, bytes(range(200)))
    for s, e in reversed([(0, 80), (80, 160), (160, 208)]):
        add("IPv6 fragment [%d,%d) of seq 105, reverse order" % (s, e),
            P.fragment6(big6, s, e, 0x4c4c0069))
    big6 = req6(106, bytes(range(200)))
    add("IPv6 fragment [0,80) of seq 106", P.fragment6(big6, 0, 80, 0x4c4c006a))
    add("IPv6 fragment [80,160) of seq 106", P.fragment6(big6, 80, 160, 0x4c4c006a))
    add("IPv6 fragment [120,208) of seq 106 overlapping [120,160) (RFC 8200: drop all)",
        P.fragment6(big6, 120, 208, 0x4c4c006a))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--iface", help="interface to send on (AF_PACKET)")
    ap.add_argument("--src-mac", default=MAC_A)
    ap.add_argument("--gap", type=float, default=0.1, help="seconds between frames")
    ap.add_argument("--list", action="store_true", help="print the frames, send nothing")
    args = ap.parse_args()
    todo = scenarios()
    if args.list or not args.iface:
        for n, (desc, dst_mac, pkt) in enumerate(todo, 1):
            print("%2d  %s\n    %s" % (n, desc, pkt.hex()))
        return 0
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((args.iface, 0))
    for desc, dst_mac, pkt in todo:
        s.send(P.ethernet(dst_mac, args.src_mac, P.ethertype_of(pkt), pkt))
        print("sent: " + desc)
        time.sleep(args.gap)
    return 0


if __name__ == "__main__":
    sys.exit(main())
