#!/usr/bin/env python3
"""Writes a capture of echo requests (and optionally their correct replies) for the benchmarks.

  make_requests.py OUT.pcap COUNT [--replies] [--ipv6-every N] [--data BYTES]

Requests go 192.0.2.1 -> 192.0.2.2 (and 2001:db8::1 -> ::2 every Nth packet), Ethernet, with
sequence numbers 1..COUNT (identifiers change every 65535); with --replies each request is
followed by the reply a correct stack sends.
"""
import argparse
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "captures", "scripts"))
import pktlib  # noqa: E402

A_MAC, B_MAC = "00:00:5e:00:53:01", "00:00:5e:00:53:02"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("count", type=int)
    ap.add_argument("--replies", action="store_true")
    ap.add_argument("--ipv6-every", type=int, default=0)
    ap.add_argument("--data", type=int, default=56)
    args = ap.parse_args()
    payload = bytes(range(args.data % 256)) if args.data < 256 else bytes(i % 256 for i in range(args.data))
    with open(args.out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, pktlib.LINKTYPE_ETHERNET))
        t = 1_778_500_000_000_000_000
        for i in range(args.count):
            seq, ident = i % 65535 + 1, 0x4200 + i // 65535
            v6 = args.ipv6_every and (i + 1) % args.ipv6_every == 0
            if v6:
                req = pktlib.echo_request6(pktlib.ip6("2001:db8::1"), pktlib.ip6("2001:db8::2"), ident, seq, payload)
                rep = pktlib.echo_reply6(req)
                et = 0x86DD
            else:
                req = pktlib.echo_request4(pktlib.ip4("192.0.2.1"), pktlib.ip4("192.0.2.2"), ident, seq, payload,
                                           ip_id=i & 0xFFFF, df=True)
                rep = pktlib.echo_reply4(req)
                et = 0x0800
            frames = [(t, pktlib.ethernet(B_MAC, A_MAC, et, req))]
            if args.replies:
                frames.append((t + 50_000, pktlib.ethernet(A_MAC, B_MAC, et, rep)))
            for ts, data in frames:
                sec, ns = divmod(ts, 1_000_000_000)
                f.write(struct.pack("<IIII", sec, ns // 1000, len(data), len(data)))
                f.write(data)
            t += 1_000_000


if __name__ == "__main__":
    main()
