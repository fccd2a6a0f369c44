"""Small packet and capture-file library for the capture scripts (python3 stdlib only).

Used by craft.py (crafted captures, no kernel), inject.py (requests sent to a real kernel)
and ../../tests/data/make_broken.py (malformed inputs).

Everything here writes exact bytes: every checksum is computed by `csum()` (RFC 1071) unless
the caller passes a value on purpose.
"""

import ipaddress
import struct

# ---------------------------------------------------------------------------
# Checksums (RFC 1071)
# ---------------------------------------------------------------------------


def ones_sum(data, start=0):
    """16-bit one's-complement sum of `data` (big-endian words, odd length padded with a
    zero byte for the sum only, RFC 1071 section 1), carries folded back in."""
    if len(data) % 2:
        data = bytes(data) + b"\x00"
    total = start
    for (word,) in struct.iter_unpack("!H", data):
        total += word
    while total > 0xFFFF:
        total = (total & 0xFFFF) + (total >> 16)
    return total


def csum(data):
    """Internet checksum: one's complement of the one's-complement sum (RFC 1071)."""
    return ~ones_sum(data) & 0xFFFF


def verifies(data):
    """RFC 1071 check: the sum over the message including its checksum is all ones."""
    return ones_sum(data) == 0xFFFF


# ---------------------------------------------------------------------------
# IPv4 / ICMP
# ---------------------------------------------------------------------------

def ip4(addr):
    return ipaddress.IPv4Address(addr).packed


def ip6(addr):
    return ipaddress.IPv6Address(addr).packed


def ipv4_header(src, dst, payload_len, proto=1, ttl=64, tos=0, ident=0, df=False, mf=False,
                frag_offset=0, options=b"", checksum=None, total_length=None, ihl=None,
                version=4, reserved_flag=False):
    """RFC 791 header. `frag_offset` is in bytes (must be a multiple of 8)."""
    if len(options) % 4:
        raise ValueError("IPv4 options must be padded to 32 bits")
    if frag_offset % 8:
        raise ValueError("fragment offset must be a multiple of 8")
    hlen = 20 + len(options)
    if ihl is None:
        ihl = hlen // 4
    if total_length is None:
        total_length = hlen + payload_len
    flags = (0x8000 if reserved_flag else 0) | (0x4000 if df else 0) | (0x2000 if mf else 0)
    hdr = struct.pack("!BBHHHBBH4s4s", (version << 4) | ihl, tos, total_length, ident,
                      flags | (frag_offset // 8), ttl, proto, 0, ip4(src), ip4(dst)) + options
    if checksum is None:
        checksum = csum(hdr)
    return hdr[:10] + struct.pack("!H", checksum) + hdr[12:]


def icmp_message(icmp_type, code, rest, data=b"", checksum=None):
    """ICMP message: type, code, checksum, 4 bytes `rest`, data (RFC 792)."""
    body = struct.pack("!BBH", icmp_type, code, 0) + rest + data
    if checksum is None:
        checksum = csum(body)
    return body[:2] + struct.pack("!H", checksum) + body[4:]


def icmp_echo(icmp_type, ident, seq, data=b"", code=0, checksum=None):
    return icmp_message(icmp_type, code, struct.pack("!HH", ident, seq), data, checksum)


def ipv4_packet(src, dst, payload, **kw):
    return ipv4_header(src, dst, len(payload), **kw) + payload


def echo_request4(src, dst, ident, seq, data=b"", ttl=64, tos=0, ip_id=0, df=False,
                  code=0, icmp_checksum=None, ip_checksum=None, options=b""):
    msg = icmp_echo(8, ident, seq, data, code=code, checksum=icmp_checksum)
    return ipv4_packet(src, dst, msg, ttl=ttl, tos=tos, ident=ip_id, df=df,
                       checksum=ip_checksum, options=options)


class IPv4:
    """Parsed view of an IPv4 datagram (no validation beyond what the fields need)."""

    def __init__(self, pkt):
        self.raw = bytes(pkt)
        b = self.raw
        self.version = b[0] >> 4
        self.ihl = b[0] & 15
        self.tos = b[1]
        self.total_length, self.ident, ff = struct.unpack("!HHH", b[2:8])
        self.df = bool(ff & 0x4000)
        self.mf = bool(ff & 0x2000)
        self.frag_offset = (ff & 0x1FFF) * 8
        self.ttl, self.proto, self.checksum = struct.unpack("!BBH", b[8:12])
        self.src = ipaddress.IPv4Address(b[12:16])
        self.dst = ipaddress.IPv4Address(b[16:20])
        self.options = b[20:self.ihl * 4]
        self.payload = b[self.ihl * 4:self.total_length]


def echo_reply4(request, ttl=64, ident=None, df=None, tos=None, keep_options=False):
    """Correct reply to an IPv4 echo request datagram, copying the implementation-defined
    fields (IP ID, DF, TOS) unless told otherwise: what the `rfc` reference and the original
    experiment's prompt produce. Options are dropped unless keep_options."""
    r = IPv4(request)
    msg = r.payload
    if msg[0] != 8:
        raise ValueError("not an echo request")
    reply_msg = icmp_echo(0, *struct.unpack("!HH", msg[4:8]), data=msg[8:], code=msg[1])
    return ipv4_packet(str(r.dst), str(r.src), reply_msg, ttl=ttl,
                       tos=r.tos if tos is None else tos,
                       ident=r.ident if ident is None else ident,
                       df=r.df if df is None else df,
                       options=r.options if keep_options else b"")


# ---------------------------------------------------------------------------
# IPv6 / ICMPv6
# ---------------------------------------------------------------------------

def icmpv6_checksum(src, dst, msg):
    """RFC 4443 section 2.3: checksum over the RFC 8200 section 8.1 pseudo-header
    (src, dst, upper-layer length, zero, next header 58) and the message."""
    pseudo = ip6(src) + ip6(dst) + struct.pack("!IxxxB", len(msg), 58)
    return csum(pseudo + msg)


def icmpv6_message(src, dst, icmp_type, code, rest, data=b"", checksum=None):
    body = struct.pack("!BBH", icmp_type, code, 0) + rest + data
    if checksum is None:
        checksum = icmpv6_checksum(src, dst, body)
    return body[:2] + struct.pack("!H", checksum) + body[4:]


def ipv6_header(src, dst, payload_len, nh=58, hlim=64, tclass=0, flow=0):
    return struct.pack("!IHBB16s16s", (6 << 28) | (tclass << 20) | flow, payload_len, nh, hlim,
                       ip6(src), ip6(dst))


def ipv6_packet(src, dst, payload, **kw):
    return ipv6_header(src, dst, len(payload), **kw) + payload


def echo_request6(src, dst, ident, seq, data=b"", hlim=64, tclass=0, flow=0, code=0,
                  checksum=None):
    msg = icmpv6_message(src, dst, 128, code, struct.pack("!HH", ident, seq), data, checksum)
    return ipv6_packet(src, dst, msg, hlim=hlim, tclass=tclass, flow=flow)


def echo_reply6(request, hlim=64, flow=None):
    """Correct reply to an IPv6 echo request without extension headers: traffic class and
    (by default) flow label copied, hop limit 64, type 129, code copied."""
    first, plen, nh, _ = struct.unpack("!IHBB", request[:8])
    if nh != 58:
        raise ValueError("extension headers not handled here")
    src = str(ipaddress.IPv6Address(request[8:24]))
    dst = str(ipaddress.IPv6Address(request[24:40]))
    msg = request[40:40 + plen]
    tclass = (first >> 20) & 0xFF
    reply = icmpv6_message(dst, src, 129, msg[1], msg[4:8], msg[8:])
    return ipv6_packet(dst, src, reply, hlim=hlim, tclass=tclass,
                       flow=(first & 0xFFFFF) if flow is None else flow)


# ---------------------------------------------------------------------------
# Link layers
# ---------------------------------------------------------------------------

def mac(text):
    return bytes(int(x, 16) for x in text.split(":"))


ETH_IPV4 = 0x0800
ETH_IPV6 = 0x86DD
ETH_ARP = 0x0806


def ethertype_of(pkt):
    return ETH_IPV6 if pkt[0] >> 4 == 6 else ETH_IPV4


def ethernet(dst, src, ethertype, payload, tags=(), pad=True, pad_byte=0):
    """Ethernet II frame, with 802.1Q/802.1ad tags given as (tpid, tci) pairs, outermost
    first. Frames shorter than 60 bytes (without FCS) are padded as on a wire."""
    frame = mac(dst) + mac(src)
    for tpid, tci in tags:
        frame += struct.pack("!HH", tpid, tci)
    frame += struct.pack("!H", ethertype) + payload
    if pad and len(frame) < 60:
        frame += bytes([pad_byte]) * (60 - len(frame))
    return frame


def sll(pkt, pkttype, mac_addr, protocol=None):
    """LINKTYPE_LINUX_SLL (113) header, 16 bytes: pkttype, ARPHRD, addr len, addr[8], proto."""
    return struct.pack("!HHH8sH", pkttype, 1, 6, mac(mac_addr),
                       protocol if protocol is not None else ethertype_of(pkt)) + pkt


def sll2(pkt, pkttype, mac_addr, ifindex=2, protocol=None):
    """LINKTYPE_LINUX_SLL2 (276) header, 20 bytes: proto, reserved, ifindex, ARPHRD,
    pkttype, addr len, addr[8]."""
    return struct.pack("!HHIHBB8s", protocol if protocol is not None else ethertype_of(pkt),
                       0, ifindex, 1, pkttype, 6, mac(mac_addr)) + pkt


# ---------------------------------------------------------------------------
# Capture files
# ---------------------------------------------------------------------------

LINKTYPE_NULL = 0
LINKTYPE_ETHERNET = 1
LINKTYPE_RAW = 101
LINKTYPE_LOOP = 108
LINKTYPE_LINUX_SLL = 113
LINKTYPE_USER0 = 147
LINKTYPE_IPV4 = 228
LINKTYPE_IPV6 = 229
LINKTYPE_LINUX_SLL2 = 276


class PcapWriter:
    """Classic pcap (pcap-savefile(5)): 24-byte file header, 16-byte record headers, all in
    the writer's chosen byte order. Magic 0xa1b2c3d4 = microseconds, 0xa1b23c4d = ns."""

    def __init__(self, linktype, snaplen=262144, nano=False, big_endian=False):
        self.order = ">" if big_endian else "<"
        self.nano = nano
        magic = 0xA1B23C4D if nano else 0xA1B2C3D4
        self.out = bytearray(struct.pack(self.order + "IHHiIII", magic, 2, 4, 0, 0,
                                         snaplen, linktype))

    def add(self, ts, data, orig_len=None, caplen=None):
        """`ts` is in nanoseconds (int); written as µs or ns depending on the file."""
        sec, ns = divmod(ts, 1_000_000_000)
        frac = ns if self.nano else ns // 1000
        data = bytes(data)
        if caplen is not None:
            data = data[:caplen]
        self.out += struct.pack(self.order + "IIII", sec, frac, len(data),
                                len(data) if orig_len is None else orig_len) + data

    def save(self, path):
        with open(path, "wb") as f:
            f.write(self.out)


def _pad4(b):
    return b + b"\x00" * (-len(b) % 4)


def pcapng_option(code, value):
    return struct.pack("<HH", code, len(value)) + _pad4(value)


def pcapng_block(btype, body):
    body = _pad4(body)
    total = 12 + len(body)
    return struct.pack("<II", btype, total) + body + struct.pack("<I", total)


class PcapngWriter:
    """Minimal little-endian pcapng (draft-ietf-opsawg-pcapng): SHB, one IDB, EPBs."""

    def __init__(self, linktype, tsresol=6, snaplen=0, if_name=None, userappl=None,
                 comment=None):
        opts = b""
        if comment:
            opts += pcapng_option(1, comment.encode())
        if userappl:
            opts += pcapng_option(4, userappl.encode())
        if opts:
            opts += pcapng_option(0, b"")
        shb = struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1) + opts
        self.out = bytearray(pcapng_block(0x0A0D0D0A, shb))
        iopts = b""
        if if_name:
            iopts += pcapng_option(2, if_name.encode())
        if tsresol != 6:
            iopts += pcapng_option(9, bytes([tsresol]))
        if iopts:
            iopts += pcapng_option(0, b"")
        self.out += pcapng_block(1, struct.pack("<HHI", linktype, 0, snaplen) + iopts)
        self.units = 10 ** tsresol

    def add(self, ts, data, orig_len=None, comment=None, flags=None):
        """`ts` in nanoseconds, scaled to the interface's if_tsresol."""
        t = ts * self.units // 1_000_000_000
        data = bytes(data)
        opts = b""
        if flags is not None:
            opts += pcapng_option(2, struct.pack("<I", flags))
        if comment:
            opts += pcapng_option(1, comment.encode())
        if opts:
            opts += pcapng_option(0, b"")
        body = struct.pack("<IIIII", 0, t >> 32, t & 0xFFFFFFFF, len(data),
                           len(data) if orig_len is None else orig_len) + _pad4(data) + opts
        self.out += pcapng_block(6, body)

    def save(self, path):
        with open(path, "wb") as f:
            f.write(self.out)


def read_pcap(path):
    """Read a classic pcap file: returns (linktype, [(ts_ns, data, orig_len), ...])."""
    with open(path, "rb") as f:
        buf = f.read()
    magic = buf[:4]
    for order in ("<", ">"):
        (m,) = struct.unpack(order + "I", magic)
        if m in (0xA1B2C3D4, 0xA1B23C4D):
            break
    else:
        raise ValueError("%s: not a classic pcap file" % path)
    nano = m == 0xA1B23C4D
    linktype = struct.unpack(order + "I", buf[20:24])[0] & 0x03FFFFFF
    recs, off = [], 24
    while off + 16 <= len(buf):
        sec, frac, caplen, olen = struct.unpack(order + "IIII", buf[off:off + 16])
        data = buf[off + 16:off + 16 + caplen]
        recs.append((sec * 1_000_000_000 + (frac if nano else frac * 1000), data, olen))
        off += 16 + caplen
    return linktype, recs


# ---------------------------------------------------------------------------
# Fragments
# ---------------------------------------------------------------------------

def fragment4(datagram, start, end, data=None):
    """One fragment of an IPv4 datagram (no options): payload bytes [start, end). MF is set
    unless `end` reaches the end of the payload. `data` replaces the slice (for overlaps
    that disagree)."""
    r = IPv4(datagram)
    piece = r.payload[start:end] if data is None else data
    return ipv4_packet(str(r.src), str(r.dst), piece, proto=r.proto, ttl=r.ttl, tos=r.tos,
                       ident=r.ident, df=False, mf=end < len(r.payload), frag_offset=start)


def fragment6(packet, start, end, ident, data=None):
    """One fragment of an IPv6 packet without extension headers (RFC 8200 section 4.5):
    the Fragment header (next header 44) carries the original next header."""
    first, plen, nh, hlim = struct.unpack("!IHBB", packet[:8])
    body = packet[40:40 + plen]
    piece = body[start:end] if data is None else data
    more = 1 if end < len(body) else 0
    frag = struct.pack("!BBHI", nh, 0, (start & ~7) | more, ident)
    return struct.pack("!IHBB", first, len(frag) + len(piece), 44, hlim) + packet[8:40] + \
        frag + piece


def icmp_echo_with_checksum(ident, seq, data, target):
    """Echo request (type 8) whose checksum is `target`: two bytes are appended to `data`
    (which must have even length) and chosen to make the sum come out right."""
    if len(data) % 2:
        raise ValueError("data must have even length")
    need = ~target & 0xFFFF                       # the sum the other words must have
    have = ones_sum(icmp_echo(8, ident, seq, data, checksum=0))
    fill = (need - have) % 0xFFFF
    msg = icmp_echo(8, ident, seq, data + struct.pack("!H", fill))
    if struct.unpack("!H", msg[2:4])[0] != target:
        raise ValueError("cannot reach checksum %#06x" % target)
    return msg
