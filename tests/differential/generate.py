#!/usr/bin/env python3
"""Seeded generator of varied ICMP echo requests for the differential recording (stdlib only).

Each request is a dict: index, link ("veth" or "tun"), eth_dst ("host", "broadcast",
"multicast" or "group" for a group address's own MAC), note (what was varied) and packets (the
IP datagrams to send: more than one when fragmented). The host under test has 192.0.2.1/24,
2001:db8:1::1/64 and fe80::b; its neighbour 192.0.2.2 / 2001:db8:1::2 / fe80::a is the sender.
Unicast destinations in unicast frames are the host's own: whether an address belongs to the
host a capture cannot show (DESIGN.md section 5), so other hosts' addresses are not sent;
subnet broadcasts go in link-layer broadcasts, as senders send them.

    python3 generate.py --seed 1 --count 2000 > plan.json
"""

import argparse
import json
import random
import struct

HOST4 = "192.0.2.1"
PEER4 = "192.0.2.2"
HOST6 = "2001:db8:1::1"
PEER6 = "2001:db8:1::2"
HOST_LL = "fe80::b"
PEER_LL = "fe80::a"


def ip4(text):
    return bytes(int(x) for x in text.split("."))


def ip6(text):
    import ipaddress

    return ipaddress.IPv6Address(text).packed


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def put16(b, at, value):
    b[at : at + 2] = struct.pack("!H", value)


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.seq = 0

    # ---- pieces ---------------------------------------------------------------------------
    def payload(self):
        r = self.r
        roll = r.random()
        if roll < 0.75:
            n = r.choice([0, 0, 1, 2, 3, 4, 7, 8, 16, 24, 32, 48, 56, r.randrange(0, 64)])
        elif roll < 0.95:
            n = r.randrange(64, 600)
        else:
            n = r.randrange(600, 1400)
        kind = r.random()
        if kind < 0.2:
            return bytes(n)
        if kind < 0.3:
            return b"\xff" * n
        return bytes(r.randrange(256) for _ in range(n))

    def icmp(self, v6, src, dst, data, code=None):
        r = self.r
        self.seq += 1
        ident = r.randrange(65536)
        if code is None:
            code = 0 if r.random() < 0.85 else r.randrange(1, 256)
        msg = bytearray(struct.pack("!BBHHH", 128 if v6 else 8, code, 0, ident, self.seq & 0xFFFF))
        msg += data
        if v6:
            pseudo = src + dst + struct.pack("!IxxxB", len(msg), 58)
            put16(msg, 2, checksum(pseudo + bytes(msg)))
        else:
            put16(msg, 2, checksum(bytes(msg)))
        return bytes(msg)

    def ipv4(self, src, dst, upper, options=b"", proto=1, tos=None, ttl=None, df=None,
             ident=None, frag=0, total=None):
        r = self.r
        while len(options) % 4:
            options += b"\0"
        ihl = 5 + len(options) // 4
        tos = r.randrange(256) if tos is None else tos
        ttl = r.choice([1, 2, 32, 63, 64, 128, 255, r.randrange(1, 256)]) if ttl is None else ttl
        df = r.random() < 0.5 if df is None else df
        ident = r.randrange(65536) if ident is None else ident
        total = ihl * 4 + len(upper) if total is None else total
        h = bytearray(struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, tos, total & 0xFFFF, ident,
                                  (0x4000 if df else 0) | frag, ttl, proto, 0, src, dst))
        h += options
        put16(h, 10, checksum(bytes(h)))
        return bytes(h) + upper

    def ipv6(self, src, dst, nxt, payload, tclass=None, hlim=None, flow=None):
        r = self.r
        tclass = r.randrange(256) if tclass is None else tclass
        hlim = r.choice([1, 2, 64, 128, 255, r.randrange(1, 256)]) if hlim is None else hlim
        flow = r.randrange(1 << 20) if flow is None else flow
        first = (6 << 28) | (tclass << 20) | flow
        return struct.pack("!IHBB", first, len(payload), nxt, hlim) + src + dst + payload

    # ---- IPv4 options ---------------------------------------------------------------------
    def opt_rr(self):
        r = self.r
        slots = r.randrange(1, 10)
        length = 3 + 4 * slots
        used = r.randrange(0, slots + 1)
        pointer = 4 + 4 * used
        roll = r.random()
        if roll < 0.08:
            pointer = r.choice([0, 1, 2, 3])  # below the first slot
        elif roll < 0.14:
            pointer = 4 + 4 * used + r.choice([1, 2, 3])  # misaligned
        elif roll < 0.18:
            length = 3 + 4 * slots + r.choice([1, 2])  # a slot cut by the end
        body = bytes(r.randrange(256) for _ in range(length - 3))
        return bytes([7, length, pointer]) + body, "rr"

    def opt_ts(self):
        r = self.r
        flag = r.choice([0, 0, 1, 1, 3, 3, 2, r.randrange(4, 16)])
        entry = 4 if flag == 0 else 8
        slots = r.randrange(1, (36 // entry) + 1)
        length = 4 + entry * slots
        if r.random() < 0.2:
            length += r.choice([4, 1, 2, 3]) if length + 4 <= 40 else 0  # a partial slot
        length = min(length, 40)
        used = r.randrange(0, slots + 1)
        pointer = 5 + entry * used
        roll = r.random()
        if roll < 0.06:
            pointer = r.choice([0, 1, 4])
        elif roll < 0.12:
            pointer = 5 + entry * used + r.choice([1, 2, 3])
        elif roll < 0.2:
            pointer = length + 1  # full
        overflow = 0 if r.random() < 0.6 else r.randrange(16)
        body = bytearray(r.randrange(256) for _ in range(length - 4))
        if flag == 3:
            # Prespecified addresses: this host at the pointer's slot, or elsewhere, or nowhere.
            at = pointer - 5
            choice = r.random()
            if choice < 0.5 and 0 <= at and at + 4 <= len(body):
                body[at : at + 4] = ip4(HOST4)
            elif choice < 0.75 and len(body) >= 4:
                k = r.randrange(0, len(body) // 8 + 1) * 8
                if k + 4 <= len(body):
                    body[k : k + 4] = ip4(HOST4)
            if r.random() < 0.4 and at + 12 <= len(body):
                body[at + 8 : at + 12] = ip4(HOST4)  # this host twice in a row
        return bytes([68, length, pointer, overflow << 4 | flag]) + bytes(body), "ts%d" % flag

    def opt_source_route(self):
        r = self.r
        t = r.choice([131, 137])
        hops = r.randrange(1, 9)
        length = 3 + 4 * hops
        passed = r.randrange(0, hops + 1)
        pointer = 4 + 4 * passed
        if r.random() < 0.1:
            pointer = r.choice([1, 3, 5])
        body = b"".join(ip4("198.51.100.%d" % r.randrange(1, 255)) for _ in range(hops))
        return bytes([t, length, pointer]) + body, "ssrr" if t == 137 else "lsrr"

    def opt_cipso(self):
        r = self.r
        tag = bytes([1, 6, 0, r.randrange(256), 0xC0, 0])  # tag type 1: level, bitmap
        body = struct.pack("!I", r.choice([1, 3, 16, r.randrange(1, 1 << 32)])) + tag
        return bytes([134, 2 + len(body)]) + body, "cipso"

    def opt_other(self):
        r = self.r
        choice = r.random()
        if choice < 0.2:
            return bytes([136, 4]) + struct.pack("!H", r.randrange(65536)), "stream-id"
        if choice < 0.4:
            return bytes([148, 4, 0, 0]), "router-alert"
        if choice < 0.55:
            return bytes([130, 11]) + bytes(r.randrange(256) for _ in range(9)), "security"
        if choice < 0.7:
            t = r.choice([30, 94, 158, 222, 25, 82, 11, 12, 15])
            n = r.randrange(2, 8)
            return bytes([t, n]) + bytes(r.randrange(256) for _ in range(n - 2)), "unknown-%d" % t
        if choice < 0.8:
            return bytes([1] * r.randrange(1, 4)), "nop"
        if choice < 0.88:
            return bytes([r.choice([7, 68, 30, 148]), r.choice([0, 1])]), "short-length"
        if choice < 0.94:
            return bytes([0]), "eol"
        return bytes([r.choice([7, 68, 130, 30]), 44, 4]), "length-past-end"

    def options4(self):
        r = self.r
        makers = [self.opt_rr, self.opt_ts, self.opt_ts, self.opt_source_route, self.opt_cipso,
                  self.opt_other, self.opt_other]
        out, notes = b"", []
        for _ in range(r.choice([1, 1, 1, 2, 2, 3])):
            opt, note = r.choice(makers)()
            if len(out) + len(opt) > 40:
                continue
            out += opt
            notes.append(note)
        if not out:
            out, notes = bytes([1]), ["nop"]
        return out, notes

    # ---- IPv6 extension headers -----------------------------------------------------------
    def tlv_options(self):
        """Options of a Hop-by-Hop or Destination Options header, padded to 8n - 2 bytes."""
        r = self.r
        opts, notes = b"", []
        for _ in range(r.choice([0, 1, 1, 2])):
            roll = r.random()
            if roll < 0.15:
                n = r.randrange(0, 5)
                opts += bytes([1, n]) + bytes(n)
                notes.append("padn")
            elif roll < 0.25:
                opts += b"\0"
                notes.append("pad1")
            elif roll < 0.35:
                opts += bytes([5, 2, 0, 0])
                notes.append("router-alert")
            else:
                action = r.randrange(4)
                low = r.choice([0x1E, 0x1F, 0x11, 0x0B, 0x0C, 0x13])
                change = r.choice([0, 0x20])
                t = action << 6 | change | low
                n = r.randrange(0, 7)
                opts += bytes([t, n]) + bytes(r.randrange(256) for _ in range(n))
                notes.append("opt-%02x" % t)
        past = r.random() < 0.06
        pad = (-(len(opts) + 2)) % 8
        if pad == 1:
            opts += b"\0"
        elif pad:
            opts += bytes([1, pad - 2]) + bytes(pad - 2)
        if past:
            # An option whose length runs past the header's end.
            opts = opts[:-2] + bytes([0x1E, 40]) if len(opts) >= 2 else bytes([0x1E, 40] + [0] * 4)
            notes.append("option-past-end")
        return opts, notes

    def ext_header(self, kind, nxt):
        r = self.r
        if kind in (0, 60):
            opts, notes = self.tlv_options()
            body = bytes([nxt, (len(opts) + 2) // 8 - 1]) + opts
            return body, ["hbh" if kind == 0 else "dst"] + notes
        if kind == 43:
            rtype = r.choice([0, 2, 3, 4, 253, 0, 4])
            left = r.choice([0, 0, 1, r.randrange(1, 4)])
            addrs = r.randrange(1, 3)
            data = bytes([rtype, left]) + bytes(4)
            data += b"".join(ip6("2001:db8:2::%x" % r.randrange(1, 0xFFFF)) for _ in range(addrs))
            if rtype == 4:  # SRH: last entry, flags, tag
                data = bytes([rtype, left, addrs - 1, 0, 0, 0]) + data[6:]
            body = bytes([nxt, (len(data) + 2) // 8 - 1]) + data
            return body, ["rh%d-sl%d" % (rtype, left)]
        if kind == 44:  # atomic fragment
            return struct.pack("!BBHI", nxt, 0, 0, r.randrange(1 << 32)), ["atomic-frag"]
        raise ValueError(kind)

    def chain6(self, icmp):
        r = self.r
        shapes = [[0], [60], [43], [0, 60], [0, 43, 60], [60, 0], [44], [0, 44], [43, 0],
                  [60, 60], [0, 0], [43, 43], [60, 43]]
        kinds = r.choice(shapes)
        notes = []
        payload, nxt = icmp, 58
        for kind in reversed(kinds):
            body, n = self.ext_header(kind, nxt)
            payload, nxt = body + payload, kind
            notes = n + notes
        return nxt, payload, notes

    # ---- requests -------------------------------------------------------------------------
    def addresses4(self):
        r = self.r
        src, dst, notes, eth = "198.51.100.%d" % r.randrange(1, 255), HOST4, [], "host"
        roll = r.random()
        if roll < 0.72:
            pass
        elif roll < 0.76:
            src = PEER4
        else:
            kind = r.choice(["src-loopback", "src-zero", "src-multicast", "src-bcast", "src-self",
                             "src-classe", "src-linklocal", "src-zeronet",
                             "dst-subnet-bcast", "dst-bcast", "dst-multicast", "dst-multicast2",
                             "dst-loopback", "dst-zero", "dst-classe", "l2-bcast", "l2-mcast",
                             "dst-network"])
            notes.append(kind)
            src = {"src-loopback": "127.0.0.1", "src-zero": "0.0.0.0",
                   "src-multicast": "224.0.0.9", "src-bcast": "255.255.255.255",
                   "src-self": HOST4, "src-classe": "240.0.0.%d" % r.randrange(1, 255),
                   "src-linklocal": "169.254.%d.%d" % (r.randrange(1, 254), r.randrange(1, 255)),
                   "src-subnet-bcast": "192.0.2.255", "src-zeronet": "0.1.2.3"}.get(kind, src)
            dst = {"dst-subnet-bcast": "192.0.2.255", "dst-bcast": "255.255.255.255",
                   "dst-multicast": "224.0.0.1", "dst-multicast2": "239.1.2.3",
                   "dst-loopback": "127.0.0.1", "dst-zero": "0.0.0.0",
                   "dst-classe": "240.0.0.1", "dst-other-onlink": "192.0.2.77",
                   "dst-other": "198.51.100.200", "dst-network": "192.0.2.0"}.get(kind, dst)
            if kind in ("dst-subnet-bcast", "dst-bcast", "dst-network"):
                eth = "broadcast"
            elif kind.startswith("dst-multicast"):
                eth = "group"
            elif kind == "l2-bcast":
                eth = "broadcast"
            elif kind == "l2-mcast":
                eth = "multicast"
        return ip4(src), ip4(dst), notes, eth

    def addresses6(self):
        r = self.r
        src, dst, notes, eth = "2001:db8:2::%x" % r.randrange(1, 0xFFFF), HOST6, [], "host"
        roll = r.random()
        if roll < 0.72:
            pass
        elif roll < 0.76:
            src = PEER6
        else:
            kind = r.choice(["src-unspecified", "src-loopback", "src-mapped", "src-compat",
                             "src-linklocal", "src-multicast", "src-self", "dst-linklocal",
                             "dst-allnodes", "dst-allrouters", "dst-loopback", "dst-mapped",
                             "dst-unspecified", "l2-bcast", "l2-mcast",
                             "dst-subnet-anycast", "dst-ll-from-ll"])
            notes.append(kind)
            src = {"src-unspecified": "::", "src-loopback": "::1",
                   "src-mapped": "::ffff:198.51.100.%d" % r.randrange(1, 255),
                   "src-compat": "::198.51.100.7", "src-linklocal": PEER_LL,
                   "src-multicast": "ff02::1", "src-self": HOST6, "dst-ll-from-ll": PEER_LL}.get(
                       kind, src)
            dst = {"dst-linklocal": HOST_LL, "dst-allnodes": "ff02::1",
                   "dst-allrouters": "ff02::2", "dst-loopback": "::1",
                   "dst-mapped": "::ffff:192.0.2.1", "dst-other": "2001:db8:1::77",
                   "dst-unspecified": "::", "dst-subnet-anycast": "2001:db8:1::",
                   "dst-ll-from-ll": HOST_LL}.get(kind, dst)
            if kind.startswith("dst-all"):
                eth = "group"
            elif kind == "l2-bcast":
                eth = "broadcast"
            elif kind == "l2-mcast":
                eth = "multicast"
        return ip6(src), ip6(dst), notes, eth

    def fragments4(self, src, dst, icmp, notes):
        r = self.r
        size = r.choice([8, 16, 24, 64, 512, 1480])
        pieces = [icmp[i : i + size] for i in range(0, len(icmp), size)]
        ident = r.randrange(65536)
        tos, ttl = r.randrange(256), r.choice([64, 255])
        out = []
        for k, piece in enumerate(pieces):
            mf = 0x2000 if k + 1 < len(pieces) else 0
            out.append(self.ipv4(src, dst, piece, tos=tos, ttl=ttl, df=False, ident=ident,
                                 frag=mf | (k * size // 8)))
        if r.random() < 0.3:
            out.reverse()
            notes.append("reversed")
        return out

    def ping_of_death(self, notes):
        src, dst = ip4("198.51.100.%d" % self.r.randrange(1, 255)), ip4(HOST4)
        data = self.r.choice([bytes(65552), b"\xab" * 65552])
        icmp = self.icmp(False, src, dst, data, code=0)  # 65,560 bytes of ICMP: 65,580 in all
        notes.append("ping-of-death")
        return self.fragments_fixed4(src, dst, icmp, 1480)

    def fragments_fixed4(self, src, dst, icmp, size):
        ident = self.r.randrange(65536)
        out = []
        for k in range(0, len(icmp), size):
            mf = 0x2000 if k + size < len(icmp) else 0
            out.append(self.ipv4(src, dst, icmp[k : k + size], tos=0, ttl=64, df=False,
                                 ident=ident, frag=mf | (k // 8)))
        return out

    def fragments6(self, src, dst, nxt, payload, notes, first_size=None):
        r = self.r
        size = first_size or r.choice([8, 16, 32, 512, 1232])
        ident = r.randrange(1 << 32)
        tclass, hlim, flow = r.randrange(256), 64, r.randrange(1 << 20)
        out = []
        offsets = list(range(0, len(payload), size))
        for k in offsets:
            more = 1 if k + size < len(payload) else 0
            frag = struct.pack("!BBHI", nxt, 0, k | more, ident)
            out.append(self.ipv6(src, dst, 44, frag + payload[k : k + size], tclass, hlim, flow))
        if r.random() < 0.3:
            out.reverse()
            notes.append("reversed")
        return out

    def request(self, index):
        r = self.r
        v6 = r.random() < 0.45
        link = "tun" if r.random() < 0.25 else "veth"
        item = {"index": index, "link": link, "family": 6 if v6 else 4}
        notes = []
        if not v6:
            src, dst, notes, eth = self.addresses4()
            data = self.payload()
            roll = r.random()
            options, kinds = b"", []
            if roll < 0.4:
                options, kinds = self.options4()
                notes += kinds
            if r.random() < 0.003 and not options:
                packets = self.ping_of_death(notes)
            elif r.random() < 0.06 and not options:
                icmp = self.icmp(False, src, dst, data + bytes(r.randrange(0, 2000)))
                notes.append("fragments")
                packets = self.fragments4(src, dst, icmp, notes)
            else:
                icmp = self.icmp(False, src, dst, data)
                if r.random() < 0.02:
                    icmp = icmp[:2] + bytes([icmp[2] ^ 0x10]) + icmp[3:]
                    notes.append("bad-icmp-checksum")
                packets = [self.ipv4(src, dst, icmp, options)]
                if r.random() < 0.02:
                    p = bytearray(packets[0])
                    p[10] ^= 0x01
                    packets = [bytes(p)]
                    notes.append("bad-ip-checksum")
        else:
            src, dst, notes, eth = self.addresses6()
            data = self.payload()
            icmp = self.icmp(True, src, dst, data)
            roll = r.random()
            if roll < 0.4:
                nxt, payload, kinds = self.chain6(icmp)
                if 40 + len(payload) > 1500:  # keep within the link's MTU: a shorter payload
                    icmp = self.icmp(True, src, dst, data[:64])
                    nxt, payload, kinds = self.chain6(icmp)
                notes += kinds
                packets = [self.ipv6(src, dst, nxt, payload)]
            elif roll < 0.46:
                notes.append("fragments")
                packets = self.fragments6(src, dst, 58, icmp, notes)
            elif roll < 0.5:
                # The first fragment holds a Destination Options header only: the ICMPv6
                # header is in the second fragment.
                opts = bytes([0x1E, 12]) + bytes(r.randrange(256) for _ in range(12))
                dest = bytes([58, 1]) + opts
                notes += ["fragments", "first-fragment-without-icmpv6"]
                packets = self.fragments6(src, dst, 60, dest + icmp, notes,
                                          first_size=r.choice([8, 16]))
            else:
                if r.random() < 0.02:
                    icmp = icmp[:2] + bytes([icmp[2] ^ 0x10]) + icmp[3:]
                    notes.append("bad-icmp-checksum")
                packets = [self.ipv6(src, dst, 58, icmp)]
        if link == "tun" and eth != "host":
            link = "veth"  # link-layer destinations exist on Ethernet only
        item.update(link=link, eth_dst=eth, note=" ".join(notes) or "plain",
                    packets=[p.hex() for p in packets])
        return item


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=2000)
    a = ap.parse_args()
    g = Gen(a.seed)
    plan = {"seed": a.seed, "requests": [g.request(i) for i in range(a.count)]}
    print(json.dumps(plan))


if __name__ == "__main__":
    main()
