#!/usr/bin/env python3
"""Write the malformed and hostile capture files in tests/data/broken/.

    python3 tests/data/make_broken.py [OUTDIR]        (default OUTDIR: tests/data/broken/)

Deterministic: a rerun writes identical bytes. What each file is and what the tool must do
with it is in tests/data/broken/README.md. Packet bytes come from captures/scripts/pktlib.py
(the same RFC 1071 checksum routine as the teaching captures).
"""

import os
import struct
import sys

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "captures", "scripts"))
import pktlib as P  # noqa: E402

A4, B4 = "192.0.2.1", "192.0.2.2"
A6, B6 = "2001:db8::1", "2001:db8::2"
MAC_A, MAC_B = "00:00:5e:00:53:01", "00:00:5e:00:53:02"
T0 = 1777593600_000_000_000
DATA = bytes(range(0x10, 0x30))


def eth(pkt, to_b=True):
    src, dst = (MAC_A, MAC_B) if to_b else (MAC_B, MAC_A)
    return P.ethernet(dst, src, P.ethertype_of(pkt), pkt)


def good_pair():
    """One correct IPv4 exchange (Ethernet frames), present in every readable file so the
    tool has something to grade besides the hostile frame."""
    req = P.echo_request4(A4, B4, 0x4c4c, 1, DATA, ip_id=0x1001)
    return [eth(req), eth(P.echo_reply4(req), False)]


def pcap_header(linktype=P.LINKTYPE_ETHERNET, snaplen=262144, magic=0xA1B2C3D4):
    return struct.pack("<IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype)


def record(data, ts=T0, caplen=None, orig_len=None):
    sec, ns = divmod(ts, 1_000_000_000)
    return struct.pack("<IIII", sec, ns // 1000, len(data) if caplen is None else caplen,
                       len(data) if orig_len is None else orig_len) + data


def pcap(frames, **hdr):
    """Classic pcap (little-endian, µs) holding `frames`, one second apart."""
    out = pcap_header(**hdr)
    for n, f in enumerate(frames):
        out += record(f, T0 + n * 1_000_000_000)
    return out


def shb(major=1, minor=0):
    return P.pcapng_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, major, minor, -1))


def idb(linktype=P.LINKTYPE_ETHERNET, snaplen=0):
    return P.pcapng_block(1, struct.pack("<HHI", linktype, 0, snaplen))


def epb(data, iface=0, ts=T0 // 1000):
    return P.pcapng_block(6, struct.pack("<IIIII", iface, ts >> 32, ts & 0xFFFFFFFF,
                                         len(data), len(data)) + data)


def with_ip_fields(pkt, **fields):
    """Rewrite fields of an IPv4 header (version_ihl, total_length) and redo its checksum
    over the first 20 bytes."""
    b = bytearray(pkt)
    if "version_ihl" in fields:
        b[0] = fields["version_ihl"]
    if "total_length" in fields:
        b[2:4] = struct.pack("!H", fields["total_length"])
    b[10:12] = b"\x00\x00"
    b[10:12] = struct.pack("!H", P.csum(bytes(b[:20])))
    return bytes(b)


def files():
    req_frame, rep_frame = good_pair()
    req = req_frame[14:]
    out = {}

    # --- rejected: the tool must exit 2 with a one-line reason naming the file -----------
    out["empty.pcap"] = b""
    out["garbage.pcap"] = (
        b"This is not a packet capture. It is a plain text file that somebody saved\n"
        b"with a .pcap name: 45 00 00 54 81 28 40 00 40 01 61 5d ac 10 00 01\n") * 4
    out["short-header.pcap"] = pcap_header()[:10]
    out["truncated-record.pcap"] = pcap_header() + record(req_frame)[:8]
    out["truncated-data.pcap"] = pcap_header() + record(req_frame)[:16 + 40]
    out["absurd-length.pcap"] = pcap_header() + struct.pack(
        "<IIII", T0 // 1_000_000_000, 0, 0x7FFFFFFF, 0x7FFFFFFF) + req_frame
    out["caplen-gt-snaplen.pcap"] = pcap([req_frame, rep_frame], snaplen=64)
    out["absurd-snaplen.pcap"] = pcap([req_frame, rep_frame], snaplen=0xFFFFFFFF)
    out["zero-snaplen.pcap"] = pcap([req_frame, rep_frame], snaplen=0)
    out["bad-magic.pcap"] = pcap([req_frame, rep_frame], magic=0xA1B2C3D3)
    out["unsupported-linktype.pcap"] = pcap([req_frame, rep_frame], linktype=P.LINKTYPE_USER0)

    good_epb = epb(req_frame)
    bad = bytearray(good_epb)
    bad[4:8] = struct.pack("<I", len(good_epb) + 2)         # not a multiple of 4
    bad[-4:] = struct.pack("<I", len(good_epb) + 2)
    out["pcapng-bad-block-length.pcapng"] = shb() + idb() + bytes(bad)
    out["pcapng-block-too-short.pcapng"] = shb() + idb() + struct.pack("<III", 6, 8, 8)
    huge = bytearray(good_epb)
    huge[4:8] = struct.pack("<I", 0xFFFFFFF0)                # 4 GiB block
    out["pcapng-huge-block.pcapng"] = shb() + idb() + bytes(huge)
    bad_shb = bytearray(shb())
    bad_shb[4:8] = struct.pack("<I", len(bad_shb) + 3)       # SHB length not a multiple of 4
    out["pcapng-shb-bad-length.pcapng"] = bytes(bad_shb) + idb() + good_epb
    full = shb() + idb() + good_epb + epb(rep_frame)
    out["pcapng-truncated.pcapng"] = full[:len(shb() + idb()) + 60]
    out["pcapng-no-idb.pcapng"] = shb() + good_epb
    out["pcapng-mixed-linktypes.pcapng"] = (shb() + idb(P.LINKTYPE_ETHERNET) +
                                            idb(P.LINKTYPE_RAW) + epb(req_frame, 0) +
                                            epb(P.echo_reply4(req), 1))
    out["pcapng-caplen-gt-snaplen.pcapng"] = shb() + idb(snaplen=64) + good_epb
    out["pcapng-bad-version.pcapng"] = shb(major=2) + idb() + good_epb

    # --- readable but hostile: the tool must survive and grade the good pair -------------
    pair = good_pair()
    hostile = P.echo_request4(A4, B4, 0x4c4c, 2, DATA, ip_id=0x1002)
    out["ihl-below-5.pcap"] = pcap([eth(with_ip_fields(hostile, version_ihl=0x44))] + pair)
    out["iplen-past-capture.pcap"] = pcap([eth(with_ip_fields(hostile, total_length=200))] +
                                          pair)
    out["iplen-below-header.pcap"] = pcap([eth(with_ip_fields(hostile, total_length=12))] +
                                          pair)
    # ICMP message of 4 bytes: type, code, checksum, and no identifier or sequence.
    stub = P.ipv4_packet(A4, B4, P.icmp_message(8, 0, b"")[:4], ident=0x1003)
    stub = stub[:22] + struct.pack("!H", P.csum(b"\x08\x00\x00\x00")) + stub[24:]
    out["icmp-header-cut.pcap"] = pcap([eth(stub)] + pair)
    # IPv6: Destination Options headers (next header 60) chained to each other, the last
    # one claiming 2048 bytes that are not there; the chain never reaches ICMPv6.
    chain = b""
    for _ in range(12):
        chain += bytes([60, 0]) + b"\x01\x04\x00\x00\x00\x00"   # next 60, len 0, PadN
    chain += bytes([60, 255]) + b"\x01\x04\x00\x00\x00\x00"
    out["ipv6-ext-loop.pcap"] = pcap([eth(P.ipv6_packet(A6, B6, chain, nh=60))] + pair)
    out["zero-length-frame.pcap"] = (pcap_header() + record(b"", T0) +
                                     record(b"", T0 + 500_000_000, orig_len=98) +
                                     record(pair[0], T0 + 1_000_000_000) +
                                     record(pair[1], T0 + 2_000_000_000))
    deep = P.mac(MAC_B) + P.mac(MAC_A) + struct.pack("!HH", 0x8100, 100) * 200 + \
        struct.pack("!H", 0x0800) + hostile
    out["vlan-stack-deep.pcap"] = pcap([deep] + pair)
    return out


def main():
    outdir = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "broken"))
    os.makedirs(outdir, exist_ok=True)
    for name, data in files().items():
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(data)
        print("  wrote %-34s %5d bytes" % (name, len(data)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
