#!/usr/bin/env python3
"""Write the crafted captures in captures/ (no kernel involved, no root needed).

    python3 captures/scripts/craft.py [OUTDIR]        (default OUTDIR: captures/)

Every byte is chosen here and every checksum is computed by pktlib.csum() (RFC 1071), except
where a capture is about a wrong checksum. Timestamps are fixed, so a rerun writes identical
files. Also writes crafted-mistakes.md, hand-replies.txt and, when kernel-sizes.pcap exists,
kernel-sizes.replies.txt (derived from the requests recorded there).
"""

import os
import struct
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pktlib as P  # noqa: E402

A4, B4 = "192.0.2.1", "192.0.2.2"
A6, B6 = "2001:db8::1", "2001:db8::2"
MAC_A, MAC_B = "00:00:5e:00:53:01", "00:00:5e:00:53:02"
ID = 0x4c4c

# The original experiment's echo request (TUN device, so raw IP): 172.16.0.1 -> 172.16.0.2,
# IP ID 0x8128, DF, TTL 64, ICMP id 0x000d seq 1, 56 data bytes (a Linux ping timeval, then
# 0x10..0x37).
EXPERIMENT = bytes.fromhex(
    "45000054812840004001615dac100001ac100002080054f5000d0001a1fb006a0000000041c40000"
    "00000000101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637")
# The timeval in its data says 2026-05-10 21:41:53.050241 UTC; the request was read just after.
T_EXPERIMENT = 1778449313_050_300_000
T0 = 1777593600_000_000_000          # 2026-05-01 00:00:00 UTC, start of every other capture
STEP = 1_000_000_000                  # one exchange per second
LATENCY = 123_456                     # reply 123.456 µs after its request


def req4(seq, data=b"", src=A4, dst=B4, ident=ID, **kw):
    kw.setdefault("ip_id", 0x1000 + seq)
    return P.echo_request4(src, dst, ident, seq, data, **kw)


def req6(seq, data=b"", src=A6, dst=B6, ident=ID, **kw):
    return P.echo_request6(src, dst, ident, seq, data, **kw)


def reply(pkt):
    return P.echo_reply6(pkt) if pkt[0] >> 4 == 6 else P.echo_reply4(pkt)


def pattern(n, start=0x10):
    return bytes((start + i) & 0xFF for i in range(n))


def set_seq4(pkt, seq):
    """Copy of an IPv4 echo request with another sequence number (ICMP checksum redone)."""
    r = P.IPv4(pkt)
    m = r.payload
    msg = P.icmp_echo(m[0], struct.unpack("!H", m[4:6])[0], seq, m[8:], code=m[1])
    return pkt[:r.ihl * 4] + msg


# ---------------------------------------------------------------------------
# Link-layer framing. Requests go A -> B, replies B -> A; captures that have a direction
# (Linux cooked) are seen from B, the host that answers.
# ---------------------------------------------------------------------------

def eth(pkt, to_b=True, tags=(), dst_mac=None, pad_byte=0):
    src, dst = (MAC_A, MAC_B) if to_b else (MAC_B, MAC_A)
    return P.ethernet(dst_mac or dst, src, P.ethertype_of(pkt), pkt, tags=tags,
                      pad_byte=pad_byte)


def is_request(pkt):
    if pkt[0] >> 4 == 6:
        return pkt[40] == 128
    return pkt[(pkt[0] & 15) * 4] == 8


class Capture:
    """Collects (timestamp, frame) and writes it as classic pcap or pcapng."""

    def __init__(self, name, linktype, t0=T0, **writer):
        self.name, self.linktype, self.t, self.writer = name, linktype, t0, writer
        self.frames = []

    def add(self, frame, ts=None, **extra):
        self.frames.append((self.t if ts is None else ts, frame, extra))

    def exchange(self, req, rep, frame=lambda p, to_b: p):
        """Request at the current time, its reply LATENCY later, then move on a second."""
        self.add(frame(req, True))
        if rep is not None:
            self.add(frame(rep, False), self.t + LATENCY)
        self.t += STEP

    def alone(self, pkt, frame=lambda p, to_b: p, to_b=True, gap=STEP):
        self.add(frame(pkt, to_b))
        self.t += gap

    def save(self, outdir):
        path = os.path.join(outdir, self.name)
        stamps = [ts for ts, _, _ in self.frames]
        assert stamps == sorted(stamps), "%s: timestamps out of order" % self.name
        if self.name.endswith(".pcapng"):
            w = P.PcapngWriter(self.linktype, **self.writer)
            for ts, frame, extra in self.frames:
                w.add(ts, frame, **extra)
        else:
            w = P.PcapWriter(self.linktype, **self.writer)
            for ts, frame, extra in self.frames:
                w.add(ts, frame, **extra)
        w.save(path)
        print("  wrote %-34s %3d frames  %6d bytes" % (self.name, len(self.frames),
                                                       len(w.out)))


# ---------------------------------------------------------------------------
# The same exchanges in every link type
# ---------------------------------------------------------------------------

def v4_exchanges():
    return [EXPERIMENT, req4(1, b"abc")]


def v6_exchanges():
    return [req6(2, pattern(16)), req6(3, b"odd")]


def link_type_captures():
    caps = []

    def simple(name, linktype, frame, v4=True, v6=True, **writer):
        c = Capture(name, linktype, **writer)
        for pkt in (v4_exchanges() if v4 else []) + (v6_exchanges() if v6 else []):
            c.exchange(pkt, reply(pkt), frame)
        caps.append(c)
        return c

    simple("crafted-ethernet-vlan.pcap", P.LINKTYPE_ETHERNET,
           lambda p, to_b: eth(p, to_b, tags=[(0x8100, 100)]))
    simple("crafted-ethernet-qinq.pcap", P.LINKTYPE_ETHERNET,
           lambda p, to_b: eth(p, to_b, tags=[(0x88A8, 200), (0x8100, 100)]))
    simple("crafted-raw.pcap", P.LINKTYPE_RAW, lambda p, to_b: p)
    simple("crafted-ipv4-only.pcap", P.LINKTYPE_IPV4, lambda p, to_b: p, v6=False)
    simple("crafted-ipv6-only.pcap", P.LINKTYPE_IPV6, lambda p, to_b: p, v4=False)

    # LINKTYPE_NULL: 4-byte address family in the capturing host's byte order. AF_INET is
    # 2 everywhere; AF_INET6 is 24 (NetBSD, OpenBSD), 28 (FreeBSD), 30 (macOS).
    def null_caps(name, big_endian):
        order = ">" if big_endian else "<"
        c = Capture(name, P.LINKTYPE_NULL, big_endian=big_endian)
        for pkt in v4_exchanges():
            c.exchange(pkt, reply(pkt), lambda p, to_b: struct.pack(order + "I", 2) + p)
        for seq, af in ((4, 24), (5, 28), (6, 30)):
            pkt = req6(seq, pattern(16))
            c.exchange(pkt, reply(pkt), lambda p, to_b, af=af: struct.pack(order + "I", af) + p)
        caps.append(c)

    null_caps("crafted-bsd-loopback.pcap", False)
    null_caps("crafted-bsd-loopback-be.pcap", True)
    # LINKTYPE_LOOP (OpenBSD): the family is always big-endian; OpenBSD's AF_INET6 is 24.
    simple("crafted-openbsd-loop.pcap", P.LINKTYPE_LOOP,
           lambda p, to_b: struct.pack(">I", 24 if p[0] >> 4 == 6 else 2) + p)
    # Linux cooked captures, seen from B: requests arrive (PACKET_HOST 0, sender A's MAC),
    # replies leave (PACKET_OUTGOING 4, B's own MAC).
    simple("crafted-sll.pcap", P.LINKTYPE_LINUX_SLL,
           lambda p, to_b: P.sll(p, 0 if to_b else 4, MAC_A if to_b else MAC_B))
    simple("crafted-sll2.pcap", P.LINKTYPE_LINUX_SLL2,
           lambda p, to_b: P.sll2(p, 0 if to_b else 4, MAC_A if to_b else MAC_B))
    simple("crafted-bigendian.pcap", P.LINKTYPE_ETHERNET, eth, big_endian=True)
    simple("crafted-bigendian-nano.pcap", P.LINKTYPE_ETHERNET, eth, big_endian=True,
           nano=True)
    # pcapng with nanosecond timestamps (if_tsresol 9), direction flags and comments.
    c = Capture("crafted-nano.pcapng", P.LINKTYPE_ETHERNET, tsresol=9, if_name="eth0",
                userappl="craft.py", comment="crafted: same exchanges as crafted-*.pcap")
    for pkt in v4_exchanges() + v6_exchanges():
        c.add(eth(pkt, True), flags=1, comment="request (inbound)")
        c.add(eth(reply(pkt), False), c.t + LATENCY, flags=2, comment="reply (outbound)")
        c.t += STEP + 1  # keep the last nanosecond digit visible
    caps.append(c)
    # USER0 (147) is for private use: nothing says what is inside, so a reader must refuse.
    simple("crafted-unsupported-linktype.pcap", P.LINKTYPE_USER0, eth)
    return caps


# ---------------------------------------------------------------------------
# Teaching captures
# ---------------------------------------------------------------------------

def experiment():
    c = Capture("experiment.pcap", P.LINKTYPE_RAW, t0=T_EXPERIMENT)
    c.alone(EXPERIMENT)
    return c


def padded_ethernet():
    """IPv4 datagrams shorter than 46 bytes travel in frames padded to 60 bytes (64 with the
    FCS, IEEE 802.3). The padding is not part of the datagram: the IP total length says
    where it ends."""
    c = Capture("crafted-padded-ethernet.pcap", P.LINKTYPE_ETHERNET)
    cases = [  # (seq, data, padding byte of the request frame)
        (1, b"", 0x00),        # 28-byte datagram, 18 bytes of zero padding
        (2, b"\x41", 0x00),    # odd length: a zero pad byte leaves the checksum unchanged
        (3, b"ping", 0x00),
        (4, b"\x41", 0xAA),    # non-zero padding: counting it as data breaks the checksum
        (5, b"leak", 0x55),    # "Etherleak"-style junk in the padding
        (6, pattern(17), 0xFF),  # 45-byte datagram, 1 byte of padding
        (7, pattern(18), 0xFF),  # 46-byte datagram: exactly 60 bytes, no padding
    ]
    for seq, data, pad in cases:
        pkt = req4(seq, data)
        c.add(eth(pkt, True, pad_byte=pad))
        c.add(eth(reply(pkt), False), c.t + LATENCY)
        c.t += STEP
    return c


def carry():
    """Checksum edge cases of the one's-complement sum (RFC 1071, RFC 1624)."""
    c = Capture("crafted-carry.pcap", P.LINKTYPE_RAW)
    msgs = [
        # request checksum 0xfffe: the reply's is 0xfffe + 0x0800 with the carry wrapped
        # around: 0x07ff (0x07fe if the carry is dropped)
        P.icmp_echo_with_checksum(ID, 1, b"carry!", 0xFFFE),
        # request checksum 0xf800: reply 0x0001 (0x0000 without the carry)
        P.icmp_echo_with_checksum(ID, 2, b"wrap", 0xF800),
        # all-zero message: reply is all zero but its checksum, which must be 0xffff
        P.icmp_echo(8, 0, 0),
        # the same with 8 zero data bytes: still 0xffff
        P.icmp_echo(8, 0, 0, bytes(8)),
        # 0800 f7ff ffff 0000: the reply's sum is -0 (0xffff), so its checksum is 0x0000
        P.icmp_echo(8, 0xFFFF, 0),
        # the vectors of the rubric: normal, and odd length (pad a zero byte for the sum)
        bytes.fromhex("0800cfc31c2b00010001020304050607"),
        bytes.fromhex("0800216212340007616263"),
        # odd-length data: 1, 3 and 57 bytes
        P.icmp_echo(8, ID, 8, b"\x01"),
        P.icmp_echo(8, ID, 9, b"\xff\xfe\xfd"),
        P.icmp_echo(8, ID, 10, pattern(57)),
    ]
    for n, msg in enumerate(msgs):
        assert P.verifies(msg), msg.hex()
        pkt = P.ipv4_packet(A4, B4, msg, ident=0x2000 + n)
        c.exchange(pkt, reply(pkt))
    return c


def non_echo():
    """Traffic that is not an echo request: skipped, never graded."""
    c = Capture("crafted-non-echo.pcap", P.LINKTYPE_ETHERNET)
    ts = P.icmp_message(13, 0, struct.pack("!HH", ID, 1), struct.pack("!III", 0x00bc614e, 0, 0))
    c.alone(eth(P.ipv4_packet(A4, B4, ts, ident=0x3001)))
    # An echo reply that answers nothing in this file.
    c.alone(eth(P.ipv4_packet(B4, A4, P.icmp_echo(0, ID, 99, b"orphan"), ident=0x3002), False))
    # ICMPv6 neighbour solicitation for 2001:db8::2 (RFC 4861 4.3), to its solicited-node
    # group, with a source link-layer address option.
    target = "2001:db8::2"
    sn = "ff02::1:ff00:2"
    ns = P.icmpv6_message(A6, sn, 135, 0, b"\x00" * 4, P.ip6(target) + b"\x01\x01" +
                          P.mac(MAC_A))
    c.alone(eth(P.ipv6_packet(A6, sn, ns, hlim=255), dst_mac="33:33:ff:00:00:02"))
    # TCP SYN 192.0.2.1:40000 -> 192.0.2.2:80, MSS option, checksum with the pseudo-header.
    tcp = struct.pack("!HHIIBBHHH", 40000, 80, 0x4c4c0001, 0, 6 << 4, 0x02, 64240, 0, 0) + \
        bytes.fromhex("020405b4")
    pseudo = P.ip4(A4) + P.ip4(B4) + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", P.csum(pseudo + tcp)) + tcp[18:]
    c.alone(eth(P.ipv4_packet(A4, B4, tcp, proto=6, ident=0x3004, df=True)))
    # UDP datagram 192.0.2.1:40000 -> 192.0.2.2:7 (echo port), 5 bytes.
    udp = struct.pack("!HHHH", 40000, 7, 13, 0) + b"hello"
    pseudo = P.ip4(A4) + P.ip4(B4) + struct.pack("!BBH", 0, 17, len(udp))
    udp = udp[:6] + struct.pack("!H", P.csum(pseudo + udp)) + udp[8:]
    c.alone(eth(P.ipv4_packet(A4, B4, udp, proto=17, ident=0x3005)))
    # ARP request: who has 192.0.2.2? tell 192.0.2.1.
    arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, P.mac(MAC_A), P.ip4(A4),
                      b"\x00" * 6, P.ip4(B4))
    c.alone(P.ethernet("ff:ff:ff:ff:ff:ff", MAC_A, P.ETH_ARP, arp))
    # ICMP destination unreachable (host unreachable) from a router, quoting an echo
    # request: the echo request inside an error is not a request.
    quoted = req4(5, pattern(8))[:28]
    unreach = P.icmp_message(3, 1, b"\x00" * 4, quoted)
    c.alone(eth(P.ipv4_packet("192.0.2.254", A4, unreach, ident=0x3007), False))
    # ICMPv6 echo reply that answers nothing here.
    orphan6 = P.icmpv6_message(B6, A6, 129, 0, struct.pack("!HH", ID, 98), b"orphan")
    c.alone(eth(P.ipv6_packet(B6, A6, orphan6), False))
    return c


def negatives():
    """Echo requests that must get no reply. No replies in the file."""
    c = Capture("crafted-negatives.pcap", P.LINKTYPE_ETHERNET)
    good = req4(1, pattern(32))
    c.alone(eth(good[:10] + b"\x12\x34" + good[12:]))                      # bad IP checksum
    c.alone(eth(req4(2, pattern(32), icmp_checksum=0x1234)))                # bad ICMP checksum
    c.alone(eth(req4(3, pattern(32), dst="255.255.255.255"), dst_mac="ff:ff:ff:ff:ff:ff"))
    c.alone(eth(req4(4, pattern(32), dst="224.0.0.1", ttl=1), dst_mac="01:00:5e:00:00:01"))
    c.alone(eth(req6(5, pattern(32), dst="ff02::1", hlim=1), dst_mac="33:33:00:00:00:01"))
    big = req4(6, pattern(200), ip_id=0x1006)
    c.alone(eth(P.fragment4(big, 0, 104)))     # MF set, offset 0: the rest never comes
    c.alone(eth(req6(7, pattern(32), checksum=0x1234)))                    # bad ICMPv6 checksum
    return c


def options():
    """IPv4 echo requests carrying options (IHL > 5), as ping -R / -T make them and with
    source routes. Requests only: the answer depends on the grading profile."""
    c = Capture("crafted-options.pcap", P.LINKTYPE_ETHERNET)
    # NOP, Record Route (RFC 791): length 39, pointer 8, one slot filled by the sender.
    rr = bytes([1, 7, 39, 8]) + P.ip4(A4) + bytes(32)
    # Timestamp, flag 0 (timestamps only): length 40, pointer 9, the sender's stamp filled.
    ts_only = bytes([0x44, 40, 9, 0x00]) + struct.pack("!I", 3600_000) + bytes(32)
    # Timestamp, flag 1 (address and timestamp): length 36, pointer 13, first pair filled.
    ts_addr = bytes([0x44, 36, 13, 0x01]) + P.ip4(A4) + struct.pack("!I", 3600_000) + bytes(24)
    # Loose / Strict Source Route, completed via a router 192.0.2.254 (pointer past the end).
    lsrr = bytes([1, 0x83, 7, 8]) + P.ip4("192.0.2.254")
    ssrr = bytes([1, 0x89, 7, 8]) + P.ip4("192.0.2.254")
    nops = bytes([1, 1, 1, 0])
    router_alert = bytes([0x94, 4, 0, 0])           # RFC 2113
    for seq, opt in enumerate([rr, ts_only, ts_addr, lsrr, ssrr, nops, router_alert], 1):
        c.alone(eth(req4(seq, pattern(56), options=opt, df=True)))
    return c


def fragments_v4():
    c = Capture("crafted-fragments-v4.pcap", P.LINKTYPE_ETHERNET)

    def datagram(seq):
        return req4(seq, pattern(200, 0), ip_id=0x5000 + seq)   # 208-byte ICMP message

    def send(pkt, pieces, answer=True):
        for s, e, *data in pieces:
            c.add(eth(P.fragment4(pkt, s, e, *data)))
            c.t += STEP // 10
        if answer:
            c.add(eth(reply(pkt), False), c.t - STEP // 10 + LATENCY)
        c.t += STEP

    send(datagram(1), [(0, 80), (80, 160), (160, 208)])              # in order
    send(datagram(2), [(160, 208), (80, 160), (0, 80)])              # reverse order
    send(datagram(3), [(80, 160), (0, 80), (160, 208)])              # shuffled
    send(datagram(4), [(0, 80), (80, 160), (80, 160), (160, 208)])   # exact duplicate
    # Two datagrams' fragments interleaved (different IP IDs, same addresses).
    d5, d6 = datagram(5), datagram(6)
    for pkt, (s, e) in [(d5, (0, 104)), (d6, (0, 104)), (d6, (104, 208)), (d5, (104, 208))]:
        c.add(eth(P.fragment4(pkt, s, e)))
        if e == 208:        # this datagram is now complete: its reply goes out at once
            c.add(eth(reply(pkt), False), c.t + LATENCY)
        c.t += STEP // 10
    c.t += STEP
    # Overlapping fragments: [120,208) overlaps [80,160). Linux (since 4.19) and RFC 5722's
    # rule for IPv6 discard the whole datagram: no reply.
    d7 = datagram(7)
    send(d7, [(0, 80), (80, 160), (120, 208)], answer=False)          # same bytes
    d8 = datagram(8)
    send(d8, [(0, 80), (80, 160), (120, 208, b"\xee" * 40 + P.IPv4(d8).payload[160:])],
         answer=False)                                                 # different bytes
    return c


def fragments_v6():
    c = Capture("crafted-fragments-v6.pcap", P.LINKTYPE_ETHERNET)

    def packet(seq):
        return req6(seq, pattern(200, 0))

    def send(pkt, ident, pieces, answer=True):
        for s, e, *data in pieces:
            c.add(eth(P.fragment6(pkt, s, e, ident, *data)))
            c.t += STEP // 10
        if answer:
            c.add(eth(reply(pkt), False), c.t - STEP // 10 + LATENCY)
        c.t += STEP

    send(packet(1), 0x6001, [(0, 80), (80, 160), (160, 208)])
    send(packet(2), 0x6002, [(160, 208), (80, 160), (0, 80)])
    send(packet(3), 0x6003, [(80, 160), (0, 80), (160, 208)])
    send(packet(4), 0x6004, [(0, 80), (80, 160), (80, 160), (160, 208)])
    p5, p6 = packet(5), packet(6)
    for pkt, ident, (s, e) in [(p5, 0x6005, (0, 104)), (p6, 0x6006, (0, 104)),
                               (p6, 0x6006, (104, 208)), (p5, 0x6005, (104, 208))]:
        c.add(eth(P.fragment6(pkt, s, e, ident)))
        if e == 208:
            c.add(eth(reply(pkt), False), c.t + LATENCY)
        c.t += STEP // 10
    c.t += STEP
    # RFC 8200 section 4.5: overlapping fragments -> abandon the whole packet.
    send(packet(7), 0x6007, [(0, 80), (80, 160), (120, 208)], answer=False)
    p8 = packet(8)
    send(p8, 0x6008, [(0, 80), (80, 160), (120, 208, b"\xee" * 40 + p8[40 + 160:])],
         answer=False)
    return c


def duplicates():
    """Requests sharing addresses, identifier and sequence, different data: the replies come
    afterwards, in the same order; pair them first-in-first-out."""
    c = Capture("crafted-duplicates.pcap", P.LINKTYPE_ETHERNET)
    reqs = [req4(7, w * 4, ip_id=0x7000 + n)
            for n, w in enumerate([b"first!!!", b"second!!", b"third!!!"])]
    reqs6 = [req6(8, w * 4) for w in [b"first!!!", b"second!!"]]
    for batch in (reqs, reqs6):
        for pkt in batch:
            c.alone(eth(pkt), gap=STEP // 10)
        for pkt in batch:
            c.alone(eth(reply(pkt), False), to_b=False, gap=STEP // 10)
        c.t += STEP
    return c


# ---------------------------------------------------------------------------
# Wrong replies, as a model might write them
# ---------------------------------------------------------------------------

def words_sum_no_carry(data):
    if len(data) % 2:
        data += b"\x00"
    return sum(w for (w,) in struct.iter_unpack("!H", data)) & 0xFFFF


def with_icmp_checksum(pkt, value):
    ihl = (pkt[0] & 15) * 4
    return pkt[:ihl + 2] + struct.pack("!H", value) + pkt[ihl + 4:]


def mistakes():
    """(seq, mistake, fields that must fail, reply bytes) for copies of the experiment's
    request, one per sequence number."""
    rows = []

    def add(seq, mistake, fields, build):
        req = set_seq4(EXPERIMENT, seq)
        good = reply(req)
        rows.append((seq, mistake, fields, req, good, build(req, good)))

    def icmp(good):
        return good[20:]

    def zeroed(good):
        return good[20:22] + b"\x00\x00" + good[24:]

    add(1, "ICMP checksum not updated after the type change (request's value kept)",
        "icmp.checksum", lambda r, g: with_icmp_checksum(g, struct.unpack("!H", r[22:24])[0]))
    add(2, "end-around carry dropped (16-bit sum truncated, then complemented)",
        "icmp.checksum",
        lambda r, g: with_icmp_checksum(g, ~words_sum_no_carry(zeroed(g)) & 0xFFFF))
    add(3, "checksum not complemented (the sum itself written)", "icmp.checksum",
        lambda r, g: with_icmp_checksum(g, P.ones_sum(zeroed(g))))
    add(4, "checksum bytes swapped (little-endian write)", "icmp.checksum",
        lambda r, g: with_icmp_checksum(g, struct.unpack("<H", g[22:24])[0]))
    add(5, "checksum field not zeroed before summing (request's checksum left in it)",
        "icmp.checksum",
        lambda r, g: with_icmp_checksum(g, P.csum(g[20:22] + r[22:24] + g[24:])))
    add(6, "ICMP checksum computed over the 8-byte header only", "icmp.checksum",
        lambda r, g: with_icmp_checksum(g, P.csum(zeroed(g)[:8])))
    add(7, "ICMP checksum computed over the IP header too (its checksum field still zero)",
        "icmp.checksum",
        lambda r, g: with_icmp_checksum(g, P.csum(g[:10] + b"\0\0" + g[12:20] + zeroed(g))))
    add(8, "addresses not swapped (reply sent to itself)", "ip.src, ip.dst",
        lambda r, g: P.ipv4_header(str(P.IPv4(r).src), str(P.IPv4(r).dst), len(g) - 20,
                                   ident=0x8128, df=True) + icmp(g))
    add(9, "TTL 0 (header checksum redone)", "ip.ttl",
        lambda r, g: P.ipv4_header("172.16.0.2", "172.16.0.1", len(g) - 20, ident=0x8128,
                                   df=True, ttl=0) + icmp(g))
    add(10, "type left at 8 (request echoed back unchanged, addresses swapped)", "icmp.type",
        lambda r, g: g[:20] + r[20:])
    add(11, "one data byte changed (data[20]: 0x14 -> 0x15), ICMP checksum redone", "data",
        lambda r, g: g[:20] + P.icmp_echo(0, 0x000D, 11, icmp(g)[8:28] +
                                          bytes([icmp(g)[28] ^ 1]) + icmp(g)[29:]))
    add(12, "data truncated by 4 bytes (lengths and checksums redone)", "data (ip.len)",
        lambda r, g: P.ipv4_packet("172.16.0.2", "172.16.0.1",
                                   P.icmp_echo(0, 0x000D, 12, icmp(g)[8:-4]),
                                   ident=0x8128, df=True))
    add(13, "IP header checksum copied from the request while the TTL changed to 255",
        "ip.checksum",
        lambda r, g: P.ipv4_header("172.16.0.2", "172.16.0.1", len(g) - 20, ident=0x8128,
                                   df=True, ttl=255, checksum=P.IPv4(r).checksum) + icmp(g))
    add(14, "placeholder checksum 0xabcd, as in the published write-ups", "icmp.checksum",
        lambda r, g: with_icmp_checksum(g, 0xABCD))
    add(15, "none: a correct reply, for comparison", "(none)", lambda r, g: g)
    for seq, _, _, req, good, bad in rows:
        if seq != 15:
            assert bad != good, seq
    return rows


def mistakes_capture(rows):
    c = Capture("crafted-mistakes.pcap", P.LINKTYPE_RAW, t0=T_EXPERIMENT)
    for seq, _, _, req, good, bad in rows:
        c.exchange(req, bad)
    return c


def mistakes_markdown(rows):
    out = ["# crafted-mistakes.pcap: answer key", "",
           "Raw IP (LINKTYPE_RAW 101), made by `captures/scripts/craft.py`. Each pair is a copy",
           "of the original experiment's echo request (172.16.0.1 -> 172.16.0.2, id 0x000d,",
           "56 data bytes) with its own sequence number, followed by a reply built with one",
           "mistake. The sequence number pairs each reply with its request unambiguously.",
           "Frame numbers: request = 2*seq - 1, reply = 2*seq.", "",
           "The correct reply copies IP ID 0x8128, DF and TOS 0 and sets TTL 64 (what the",
           "original prompt asks for); only the ICMP checksum changes from seq to seq.", "",
           "| seq | mistake | must fail | reply has | correct |",
           "|---:|---|---|---|---|"]
    for seq, mistake, fields, req, good, bad in rows:
        if fields.startswith("icmp.checksum"):
            has = "icmp.checksum 0x%s" % bad[22:24].hex()
            right = "0x%s" % good[22:24].hex()
        elif fields == "ip.checksum":
            has = "ip.ttl %d, ip.checksum 0x%s" % (bad[8], bad[10:12].hex())
            right = "ip.checksum 0x%s" % P.ipv4_header(
                "172.16.0.2", "172.16.0.1", len(good) - 20, ident=0x8128, df=True,
                ttl=255)[10:12].hex()
        elif fields == "ip.ttl":
            has = "ip.ttl 0"
            right = "1..255 (64)"
        elif fields == "icmp.type":
            has = "icmp.type 8, icmp.checksum 0x%s" % bad[22:24].hex()
            right = "type 0, checksum 0x%s" % good[22:24].hex()
        elif fields.startswith("data"):
            has = "%d data bytes" % (len(bad) - 28) if len(bad) != len(good) else \
                "data[20] = 0x%02x" % bad[48]
            right = "56 data bytes, data[20] = 0x%02x" % good[48]
        elif fields.startswith("ip.src"):
            has = "172.16.0.1 -> 172.16.0.2"
            right = "172.16.0.2 -> 172.16.0.1"
        else:
            has = right = "icmp.checksum 0x%s" % good[22:24].hex()
        out.append("| %d | %s | %s | %s | %s |" % (seq, mistake, fields, has, right))
    out += ["", "Notes:", "",
            "* seq 5: summing the reply with the request's checksum still in the field always",
            "  gives 0x0800 for an echo reply: the request's words plus its checksum sum to",
            "  0xffff, the type change removes 0x0800, and the complement of 0xf7ff is 0x0800.",
            "* seq 7: had the IP header already held its valid checksum, including it would",
            "  change nothing: a header with a valid checksum sums to -0 (0xffff), which adds",
            "  nothing in one's-complement arithmetic. The mistake shows only when the header",
            "  is summed before its own checksum is filled in.",
            "* seq 8: the IP and ICMP checksums are right (swapping the addresses does not",
            "  change the sum), so Wireshark pairs this reply with its request; only the",
            "  addresses betray it.",
            "  Pairing it needs the relaxed rule (identifier and sequence match, addresses",
            "  not swapped): it travels in the request's direction.",
            "* seq 10: the checksum is the request's and verifies for a type-8 message;",
            "  Wireshark shows a second request, not a reply.",
            "* seq 11 and 12: the checksums verify, but Wireshark does not pair these replies",
            "  (it predicts the reply checksum from the request's data).",
            "* seq 12: ip.len 80 is consistent with the reply's own bytes but not with the",
            "  request's 84; a grader may name ip.len as well as data.",
            "* seq 14: 0xabcd is the placeholder value printed in write-ups of the original",
            "  experiment in place of the real arithmetic.", ""]
    return "\n".join(out)


# ---------------------------------------------------------------------------
# Hex reply files for `grade CAPTURE REPLIES`
# ---------------------------------------------------------------------------

def hand_replies():
    good = reply(EXPERIMENT)
    wrong = with_icmp_checksum(good, 0x54F5)
    return "\n".join([
        "# Replies for experiment.pcap, one hex IP datagram per line, in request order.",
        "# '#' starts a comment line; an empty line means \"no reply\" to that request.",
        "# experiment.pcap holds one request (172.16.0.1 -> 172.16.0.2, id 0x000d, seq 1).",
        "#",
        "# The correct reply: addresses swapped, TTL 64, IP header checksum 0x615d (the same",
        "# as the request's, since only the addresses moved), type 0, ICMP checksum 0x5cf5.",
        "# To try a mistake, comment out the line below and uncomment one of the others.",
        good.hex(),
        "# ICMP checksum not updated after the type change (0x54f5):",
        "# " + wrong.hex(),
        "# end-around carry handled, but the checksum left uncomplemented:",
        "# " + with_icmp_checksum(good, P.ones_sum(good[20:22] + b"\0\0" + good[24:])).hex(),
        ""])


def kernel_sizes_replies(outdir):
    """Correct replies to the requests of kernel-sizes.pcap, with three deliberate
    mistakes. Returns None when the capture is not there."""
    path = os.path.join(outdir, "kernel-sizes.pcap")
    if not os.path.exists(path):
        return None
    linktype, recs = P.read_pcap(path)
    assert linktype == P.LINKTYPE_ETHERNET
    reqs = [data[14:] for _, data, _ in recs
            if struct.unpack("!H", data[12:14])[0] == P.ETH_IPV4 and is_request(data[14:])]
    lines = ["# Replies for kernel-sizes.pcap (its %d echo requests, in order), one hex IP"
             % len(reqs),
             "# datagram per line; '#' starts a comment line; an empty line means no reply.",
             "# Made by craft.py from the requests in kernel-sizes.pcap: rerun craft.py after",
             "# record_kernel.sh. Correct replies copy IP ID, DF and TOS and set TTL 64, except",
             "# for three deliberate mistakes, each announced in the comment above it."]
    for n, pkt in enumerate(reqs, 1):
        size = len(P.IPv4(pkt).payload) - 8
        good = reply(pkt)
        lines.append("# request %d: data size %d" % (n, size))
        if size == 1:
            msg = P.icmp_echo(0, *struct.unpack("!HH", good[24:28]), data=good[28:] + b"\0")
            bad = P.ipv4_header(
                B4, A4, len(msg), ident=P.IPv4(pkt).ident, df=P.IPv4(pkt).df) + msg
            lines.append("# MISTAKE: the zero pad byte of the checksum sum sent as data: one "
                         "byte too many (ip.len 30, should be 29): wrong")
            lines.append(bad.hex())
        elif size == 56:
            lines.append("# MISTAKE: ICMP checksum not updated after the type change "
                         "(0x%s kept, should be 0x%s): icmp.checksum must fail"
                         % (pkt[22:24].hex(), good[22:24].hex()))
            lines.append(with_icmp_checksum(good, struct.unpack("!H", pkt[22:24])[0]).hex())
        elif size == 1472:
            lines.append("# MISTAKE: no reply (empty line): graded no_reply")
            lines.append("")
        else:
            lines.append(good.hex())
    return "\n".join(lines) + "\n"


def main():
    outdir = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                             os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    caps = [experiment()] + link_type_captures() + [
        padded_ethernet(), carry(), non_echo(), negatives(), options(), fragments_v4(),
        fragments_v6(), duplicates()]
    rows = mistakes()
    caps.append(mistakes_capture(rows))
    for c in caps:
        c.save(outdir)
    texts = {"crafted-mistakes.md": mistakes_markdown(rows), "hand-replies.txt": hand_replies()}
    sizes = kernel_sizes_replies(outdir)
    if sizes is None:
        print("  kernel-sizes.pcap not found: kernel-sizes.replies.txt not written")
    else:
        texts["kernel-sizes.replies.txt"] = sizes
    for name, text in texts.items():
        with open(os.path.join(outdir, name), "w") as f:
            f.write(text)
        print("  wrote %s" % name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
