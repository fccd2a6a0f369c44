#!/usr/bin/env python3
"""Independent checker for the hand-computed ICMP echo corpus.

Reads corpus/{requests.tsv,assignment.tsv,prompt-map.txt} and the answers in
corpus/<batch>/answers/task-<task>.txt, writes labels.json and summary.md (into --out).
Python 3 standard library only; see README.md for the label format and the rules.
"""
import argparse
import itertools
import json
import os
import re
import sys
from collections import Counter, OrderedDict

HERE = os.path.dirname(os.path.abspath(__file__))

# ============================================================================= reference packets
# RFC 791 (IPv4), RFC 792 (ICMP echo), RFC 1071 (checksum), RFC 1122 3.2.2.6 (echo reply options),
# RFC 8200 (IPv6), RFC 4443 (ICMPv6 echo).
def csum_sum(data):
    """One's complement sum of 16-bit big-endian words, folded to 16 bits (RFC 1071)."""
    if len(data) % 2:
        data = data + b"\x00"
    s = 0
    for i in range(0, len(data), 2):
        s += (data[i] << 8) | data[i + 1]
    while s > 0xFFFF:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def checksum(data):
    """The checksum to write into a zeroed field: complement of the folded sum."""
    return (~csum_sum(data)) & 0xFFFF


def verifies(data):
    """A message that includes its checksum field verifies when the folded sum is 0xFFFF."""
    return csum_sum(data) == 0xFFFF


def v6_pseudo(src, dst, length, nh=58):
    return src + dst + length.to_bytes(4, "big") + b"\x00\x00\x00" + bytes([nh])


def zero_field(b, off):
    return b[:off] + b"\x00\x00" + b[off + 2:]


def ipv4_str(a):
    return ".".join(str(x) for x in a)


def ipv6_str(a):
    return ":".join("%x" % ((a[i] << 8) | a[i + 1]) for i in range(0, 16, 2))


def v4_dst_kind(a):
    if a == b"\xff\xff\xff\xff":
        return "broadcast"
    if 224 <= a[0] <= 239:
        return "multicast"
    if a == b"\x00\x00\x00\x00":
        return "unspecified"
    if a[0] >= 240:
        return "reserved"
    return "unicast"


def v6_dst_kind(a):
    if a[0] == 0xFF:
        return "multicast"
    if a == bytes(16):
        return "unspecified"
    return "unicast"


def analyze_request(b):
    """Return a dict describing the request and what a correct host does with it."""
    r = {"version": b[0] >> 4 if b else None, "reply_due": False, "reason": ""}
    if r["version"] == 4:
        ihl = (b[0] & 0x0F) * 4
        tot = int.from_bytes(b[2:4], "big")
        hdr = b[:ihl]
        r.update(ihl=ihl, total_length=tot, header=hdr, options=b[20:ihl],
                 ttl=b[8], proto=b[9], src=b[12:16], dst=b[16:20],
                 ip_csum_received=int.from_bytes(b[10:12], "big"),
                 ip_csum_correct=checksum(zero_field(hdr, 10)),
                 ip_ok=verifies(hdr))
        icmp = b[ihl:tot]
        r.update(icmp=icmp,
                 icmp_csum_received=int.from_bytes(icmp[2:4], "big") if len(icmp) >= 4 else None,
                 icmp_csum_correct=checksum(zero_field(icmp, 2)) if len(icmp) >= 4 else None,
                 icmp_ok=len(icmp) >= 8 and verifies(icmp))
        flags = int.from_bytes(b[6:8], "big")
        kind = v4_dst_kind(r["dst"])
        r["dst_kind"] = kind
        if ihl < 20 or tot != len(b):
            r["reason"] = "malformed length"
        elif not r["ip_ok"]:
            r["reason"] = "bad IP header checksum"
        elif r["proto"] != 1:
            r["reason"] = "not ICMP"
        elif flags & 0x3FFF:
            r["reason"] = "fragment"
        elif kind != "unicast":
            r["reason"] = "destination is %s (%s)" % (kind, ipv4_str(r["dst"]))
        elif v4_dst_kind(r["src"]) != "unicast":
            r["reason"] = "source is not unicast"
        elif not r["icmp_ok"]:
            r["reason"] = "bad ICMP checksum"
        elif icmp[0] != 8 or icmp[1] != 0:
            r["reason"] = "not an echo request (type %d code %d)" % (icmp[0], icmp[1])
        else:
            r["reply_due"] = True
            r["reason"] = "valid echo request to a unicast address"
    elif r["version"] == 6:
        plen = int.from_bytes(b[4:6], "big")
        r.update(payload_length=plen, next_header=b[6], hop_limit=b[7], first4=b[0:4],
                 src=b[8:24], dst=b[24:40])
        icmp = b[40:40 + plen]
        ph = v6_pseudo(r["src"], r["dst"], len(icmp))
        r.update(icmp=icmp,
                 icmp_csum_received=int.from_bytes(icmp[2:4], "big") if len(icmp) >= 4 else None,
                 icmp_csum_correct=checksum(ph + zero_field(icmp, 2)) if len(icmp) >= 4 else None,
                 icmp_ok=len(icmp) >= 8 and verifies(ph + icmp),
                 ip_csum_received=None, ip_csum_correct=None)
        kind = v6_dst_kind(r["dst"])
        r["dst_kind"] = kind
        if 40 + plen != len(b):
            r["reason"] = "malformed length"
        elif r["next_header"] != 58:
            r["reason"] = "not ICMPv6"
        elif kind != "unicast":
            r["reason"] = "destination is %s (%s)" % (kind, ipv6_str(r["dst"]))
        elif r["src"][0] == 0xFF:
            r["reason"] = "source is multicast"
        elif not r["icmp_ok"]:
            r["reason"] = "bad ICMPv6 checksum"
        elif icmp[0] != 128 or icmp[1] != 0:
            r["reason"] = "not an echo request (type %d code %d)" % (icmp[0], icmp[1])
        else:
            r["reply_due"] = True
            r["reason"] = "valid echo request to a unicast address"
    else:
        r["reason"] = "not IP"
    return r


def build_reply(req, options="echo"):
    """A correct reply (ID, TOS/DF, traffic class and flow label copied).

    options: 'echo' copies IPv4 options unchanged, 'drop' sends none."""
    if req["version"] == 4:
        icmp = bytes([0, 0, 0, 0]) + req["icmp"][4:]
        icmp = icmp[:2] + checksum(icmp).to_bytes(2, "big") + icmp[4:]
        opts = req["options"] if options == "echo" else b""
        ihl = 20 + len(opts)
        h = bytearray(req["header"][:20])
        h[0] = 0x40 | (ihl // 4)
        h[2:4] = (ihl + len(icmp)).to_bytes(2, "big")
        h[8] = 64
        h[10:12] = b"\x00\x00"
        h[12:16] = req["dst"]
        h[16:20] = req["src"]
        h = bytes(h) + opts
        h = h[:10] + checksum(h).to_bytes(2, "big") + h[12:]
        return h + icmp
    if req["version"] == 6:
        src, dst = req["dst"], req["src"]
        icmp = bytes([129, 0, 0, 0]) + req["icmp"][4:]
        c = checksum(v6_pseudo(src, dst, len(icmp)) + icmp)
        icmp = icmp[:2] + c.to_bytes(2, "big") + icmp[4:]
        hdr = bytearray(40)
        hdr[0:4] = req["first4"]
        hdr[4:6] = len(icmp).to_bytes(2, "big")
        hdr[6] = 58
        hdr[7] = 64
        hdr[8:24] = src
        hdr[24:40] = dst
        return bytes(hdr) + icmp
    return None


def reply_checksums(pkt):
    """(ip_csum_correct, icmp_csum_correct) for a written reply (None where not computable)."""
    try:
        v = pkt[0] >> 4
        if v == 4:
            ihl = (pkt[0] & 0x0F) * 4
            tot = int.from_bytes(pkt[2:4], "big")
            hdr = pkt[:ihl]
            icmp = pkt[ihl:min(tot, len(pkt))] if tot >= ihl else pkt[ihl:]
            ipc = checksum(zero_field(hdr, 10)) if len(hdr) >= 20 else None
            icc = checksum(zero_field(icmp, 2)) if len(icmp) >= 4 else None
            return ipc, icc
        if v == 6 and len(pkt) >= 44:
            icmp = pkt[40:]
            icc = checksum(v6_pseudo(pkt[8:24], pkt[24:40], len(icmp)) + zero_field(icmp, 2))
            return None, icc
    except Exception:
        pass
    return None, None


def _check_v4_options(req_opts, rep_opts, host_addr):
    """Options in the reply: identical, or Record Route / Timestamp updated as RFC 1122
    3.2.2.6 asks (this host's address / a timestamp added, pointer moved on)."""
    if rep_opts == req_opts:
        return True, "options echoed unchanged"
    if len(rep_opts) != len(req_opts):
        return False, "options changed length"
    i = 0
    notes = []
    while i < len(req_opts):
        t = req_opts[i]
        if t in (0, 1):
            if rep_opts[i] != t:
                return False, "option byte %d changed" % i
            i += 1
            if t == 0:
                if rep_opts[i:] != req_opts[i:]:
                    return False, "bytes after end-of-options changed"
                break
            continue
        ln = req_opts[i + 1]
        a, b = req_opts[i:i + ln], rep_opts[i:i + ln]
        if a == b:
            i += ln
            continue
        if t == 7 and b[:2] == a[:2]:  # Record Route
            p = a[2]
            if b[2] == p + 4 and p + 3 <= ln and b[p - 1:p + 3] == host_addr \
                    and b[3:p - 1] == a[3:p - 1] and b[p + 3:] == a[p + 3:]:
                notes.append("record route updated with this host's address")
                i += ln
                continue
            return False, "record route option changed wrongly"
        if t == 0x44 and b[:2] == a[:2]:  # Timestamp
            p = a[2]
            flag = a[3] & 0x0F
            step = 4 if flag == 0 else 8
            if b[2] == p + step and (b[3] & 0x0F) == flag and b[3:4] and \
                    b[4:p - 1] == a[4:p - 1] and b[p - 1 + step:] == a[p - 1 + step:]:
                if flag in (1, 3) and b[p - 1:p + 3] != host_addr and flag == 1:
                    return False, "timestamp option: address slot is not this host's"
                notes.append("timestamp option updated (slot filled, pointer moved)")
                i += ln
                continue
            return False, "timestamp option changed wrongly"
        return False, "option type %d changed" % t
    return True, "; ".join(notes) or "options equivalent"


def judge_reply(req, pkt):
    """Compare a written reply with what a correct host sends.
    Returns (wrong_fields, details, notes)."""
    wrong, det, notes = [], [], []

    def bad(field, msg):
        if field not in wrong:
            wrong.append(field)
        det.append("%s: %s" % (field, msg))

    if len(pkt) < 1 or (pkt[0] >> 4) != req["version"]:
        bad("version", "reply is not IPv%d" % req["version"])
        return wrong, det, notes
    if req["version"] == 4:
        if len(pkt) < 20:
            bad("length", "reply shorter than an IPv4 header")
            return wrong, det, notes
        ihl = (pkt[0] & 0x0F) * 4
        tot = int.from_bytes(pkt[2:4], "big")
        if ihl < 20 or ihl > len(pkt):
            bad("ihl", "IHL %d bytes impossible" % ihl)
            return wrong, det, notes
        hdr = pkt[:ihl]
        icmp = pkt[ihl:]
        if ihl not in (req["ihl"], 20):
            bad("ihl", "IHL %d bytes: options neither echoed (%d) nor dropped (20)" % (ihl, req["ihl"]))
        elif ihl == req["ihl"] and ihl > 20:
            ok, why = _check_v4_options(req["options"], hdr[20:], req["dst"])
            if ok:
                notes.append(why)
            else:
                bad("options", why)
        elif ihl == 20 and req["ihl"] > 20:
            notes.append("options dropped")
        if tot != len(pkt):
            bad("total_length", "field says %d, datagram has %d bytes" % (tot, len(pkt)))
        if len(icmp) != len(req["icmp"]):
            bad("length", "ICMP message is %d bytes, request's was %d" % (len(icmp), len(req["icmp"])))
        if req["header"][1] != hdr[1]:
            notes.append("TOS changed %02x -> %02x (allowed)" % (req["header"][1], hdr[1]))
        if req["header"][4:6] != hdr[4:6]:
            notes.append("IP ID changed (allowed)")
        fl = int.from_bytes(hdr[6:8], "big")
        if fl & 0xBFFF:
            bad("flags", "flags/fragment offset 0x%04x (only DF may be set)" % fl)
        elif (fl & 0x4000) != (int.from_bytes(req["header"][6:8], "big") & 0x4000):
            notes.append("DF changed (allowed)")
        if hdr[8] != 64:
            bad("ttl", "TTL %d, expected 64" % hdr[8])
        if hdr[9] != 1:
            bad("protocol", "protocol %d, expected 1" % hdr[9])
        if hdr[12:16] != req["dst"]:
            bad("src", "source %s, expected %s" % (ipv4_str(hdr[12:16]), ipv4_str(req["dst"])))
        if hdr[16:20] != req["src"]:
            bad("dst", "destination %s, expected %s" % (ipv4_str(hdr[16:20]), ipv4_str(req["src"])))
        if not verifies(hdr):
            bad("ip_checksum", "written 0x%04x, correct for this header 0x%04x"
                % (int.from_bytes(hdr[10:12], "big"), checksum(zero_field(hdr, 10))))
        icmp_sum_ok = len(icmp) >= 4 and verifies(icmp)
        icmp_csum_correct = checksum(zero_field(icmp, 2)) if len(icmp) >= 4 else None
        want_type = 0
    else:
        if len(pkt) < 40:
            bad("length", "reply shorter than an IPv6 header")
            return wrong, det, notes
        plen = int.from_bytes(pkt[4:6], "big")
        icmp = pkt[40:]
        if plen != len(icmp):
            bad("payload_length", "field says %d, payload has %d bytes" % (plen, len(icmp)))
        if len(icmp) != len(req["icmp"]):
            bad("length", "ICMPv6 message is %d bytes, request's was %d" % (len(icmp), len(req["icmp"])))
        if pkt[6] != 58:
            bad("next_header", "next header %d, expected 58" % pkt[6])
        if pkt[7] != 64:
            bad("hop_limit", "hop limit %d, expected 64" % pkt[7])
        if pkt[8:24] != req["dst"]:
            bad("src", "source %s, expected %s" % (ipv6_str(pkt[8:24]), ipv6_str(req["dst"])))
        if pkt[24:40] != req["src"]:
            bad("dst", "destination %s, expected %s" % (ipv6_str(pkt[24:40]), ipv6_str(req["src"])))
        ph = v6_pseudo(pkt[8:24], pkt[24:40], len(icmp))
        icmp_sum_ok = len(icmp) >= 4 and verifies(ph + icmp)
        icmp_csum_correct = checksum(ph + zero_field(icmp, 2)) if len(icmp) >= 4 else None
        want_type = 129
    if len(icmp) < 8:
        bad("length", "ICMP message shorter than 8 bytes")
        return wrong, det, notes
    if icmp[0] != want_type:
        bad("icmp_type", "type %d, expected %d" % (icmp[0], want_type))
    if icmp[1] != 0:
        bad("icmp_code", "code %d, expected 0" % icmp[1])
    if not icmp_sum_ok:
        bad("icmp_checksum", "written 0x%04x, correct for this message 0x%04x"
            % (int.from_bytes(icmp[2:4], "big"), icmp_csum_correct))
    if icmp[4:6] != req["icmp"][4:6]:
        bad("identifier", "0x%s, expected 0x%s" % (icmp[4:6].hex(), req["icmp"][4:6].hex()))
    if icmp[6:8] != req["icmp"][6:8]:
        bad("sequence", "0x%s, expected 0x%s" % (icmp[6:8].hex(), req["icmp"][6:8].hex()))
    if icmp[8:] != req["icmp"][8:]:
        n = sum(1 for x, y in zip(icmp[8:], req["icmp"][8:]) if x != y)
        bad("data", "%d byte(s) differ, length %d vs %d" % (n, len(icmp) - 8, len(req["icmp"]) - 8))
    # diagnosis: the request's identifier/sequence/data present but shifted
    tail = req["icmp"][4:]
    start = len(pkt) - len(icmp)
    pos = pkt.find(tail)
    if wrong and pos >= 0 and pos != start + 4:
        notes.append("the request's identifier+sequence+data appear at byte %d, %+d from where the ICMP "
                     "header written ends (%d): bytes inserted or dropped before the ICMP message"
                     % (pos, pos - (start + 4), start + 4))
    return wrong, det, notes


# ============================================================================= arithmetic steps
TOKEN_RE = re.compile(
    r"(?P<ws>[ \t\r]+)|(?P<bold>\*\*)|(?P<tick>`)|(?P<check>[✓✔])"
    r"|(?P<arrow>->|→|⟶|=>)|(?P<eq>=)|(?P<ell>\.\.\.|…)"
    r"|(?P<hex0x>0[xX][0-9a-fA-F]+(?![0-9A-Za-z_]))"
    r"|(?P<decc>\d{1,3}(?:,\d{3})+(?![0-9A-Za-z_,]))"
    r"|(?P<num>[0-9a-fA-F]+(?![0-9A-Za-z_]))"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_']*)"
    r"|(?P<sq>²)|(?P<plus>\+)|(?P<minus>[−-])|(?P<mul>[×·*])|(?P<tilde>~)"
    r"|(?P<lp>\()|(?P<rp>\))|(?P<punct>[,;:.!?])|(?P<other>.)")

KW_FOLD = {"fold", "folding", "folded", "folds"}
KW_COMP = {"complement", "complemented", "complementing"}
FILLERS = {"the", "carry", "carries", "gives", "give", "is", "it", "back", "in", "and", "end",
           "around", "one's", "ones", "to", "get", "we", "that", "this", "then", "of"}
NUMK = ("num", "hex0x", "decc")
TRANSPARENT = ("ws", "bold", "tick", "check")


class Tok:
    __slots__ = ("k", "text", "s", "e", "mult", "carry", "i")

    def __init__(self, k, text, s, e):
        self.k, self.text, self.s, self.e = k, text, s, e
        self.mult = None
        self.carry = None
        self.i = None

    def __repr__(self):
        return "%s:%r" % (self.k, self.text)


def fold16(v):
    while v > 0xFFFF:
        v = (v & 0xFFFF) + (v >> 16)
    return v


def fold1(v):
    return (v & 0xFFFF) + (v >> 16)


def tok_digits(t):
    """(start, end) of the digits of a number token (without 0x)."""
    if t.k == "hex0x":
        return t.s + 2, t.e
    return t.s, t.e


def is_plain(t):
    return t.k == "num" and t.text.isdigit()


def tok_value(t, base):
    if t.k == "hex0x":
        v = int(t.text[2:], 16)
    elif t.k == "decc":
        v = int(t.text.replace(",", ""))
    elif base == "dec" and t.text.isdigit():
        v = int(t.text)
    else:
        v = int(t.text, 16)
    if t.mult:
        v *= t.mult
    return v


def tokenize(line, base):
    toks = []
    for m in TOKEN_RE.finditer(line):
        k = m.lastgroup
        t = Tok(k, m.group(), base + m.start(), base + m.end())
        if k == "num" and not any(c.isdigit() for c in t.text) and len(t.text) < 4:
            t.k = "word"
        if k in ("num", "hex0x"):
            a, b = m.start(), m.end()
            before = line[a - 2:a] if a >= 2 else ""
            after = line[b:b + 2]
            # parts of IPv6 / dotted addresses, times, ranges: 2001:db8::1, 192.0.2.1, 01:00:00.000
            if re.fullmatch(r"[:.][0-9A-Za-z:]", after) or re.fullmatch(r"[0-9A-Za-z:][:.]", before):
                t.k = "word"
        toks.append(t)
    return toks


def significant(toks, line, base):
    """Drop transparent tokens, decide which '-', '*', 'x' are operators, join 'sum to'."""
    out = []
    for idx, t in enumerate(toks):
        if t.k in TRANSPARENT:
            continue
        if t.k == "minus" and t.text == "-":
            before = line[t.s - base - 1] if t.s - base > 0 else ""
            after = line[t.e - base] if t.e - base < len(line) else ""
            first = line[:t.s - base].strip() == ""
            if first or not (before in " \t" and after in " \t"):
                t.k = "other"
        if t.k == "mul" and t.text == "*":
            before = line[t.s - base - 1] if t.s - base > 0 else ""
            after = line[t.e - base] if t.e - base < len(line) else ""
            first = line[:t.s - base].strip() == ""
            if first or not (before == " " and after == " "):
                t.k = "other"
        out.append(t)
    # 'x' between numbers is multiplication; 'sum to' / 'sums to' acts as '='
    res = []
    i = 0
    while i < len(out):
        t = out[i]
        if t.k == "word" and t.text in ("x", "X") and res and res[-1].k in NUMK + ("rp",) \
                and i + 1 < len(out) and out[i + 1].k in NUMK + ("lp",):
            t.k = "mul"
        if t.k == "word" and t.text.lower() in ("sum", "sums") and i + 1 < len(out) \
                and out[i + 1].k == "word" and out[i + 1].text == "to":
            nt = Tok("eq", "sum to", t.s, out[i + 1].e)
            res.append(nt)
            i += 2
            continue
        res.append(t)
        i += 1
    return res


def paren_pass(T):
    """Parentheses: '(carry N)' and '(xN)' annotate the number before them; a group
    right after an operand that sits inside an expression is an annotation and is
    dropped; a group holding '=' or an arrow is unwrapped; others are kept (grouping)."""
    changed = True
    while changed:
        changed = False
        depth, stack = 0, []
        for i, t in enumerate(T):
            if t.k == "lp":
                stack.append(i)
            elif t.k == "rp" and stack:
                a = stack.pop()
                inner = T[a + 1:i]
                prev = T[a - 1] if a > 0 else None
                nxt = T[i + 1] if i + 1 < len(T) else None
                after_operand = prev is not None and prev.k in NUMK + ("rp", "sq")
                has_sep = any(x.k in ("eq", "arrow") for x in inner)
                kinds = [x.k for x in inner]
                # (carry N)
                if after_operand and prev.k in NUMK and len(inner) == 2 and inner[0].k == "word" \
                        and inner[0].text.lower() == "carry" and inner[1].k in NUMK:
                    prev.carry = tok_value(inner[1], "hex")
                    del T[a:i + 1]
                    changed = True
                    break
                # (x16) / (x 16) / (× 16)
                if after_operand and prev.k in NUMK and inner and (
                        (len(inner) == 1 and inner[0].k == "word" and re.fullmatch(r"[x×]\d+", inner[0].text))
                        or (len(inner) == 2 and (inner[0].text in ("x", "×")) and inner[1].k == "num"
                            and inner[1].text.isdigit())):
                    n = int(inner[-1].text.lstrip("x×"))
                    prev.mult = n
                    del T[a:i + 1]
                    changed = True
                    break
                if after_operand and not (inner and inner[0].k == "eq"):
                    if nxt is not None and nxt.k in ("plus", "minus", "mul", "eq", "arrow"):
                        del T[a:i + 1]
                        changed = True
                        break
                    if has_sep:
                        del T[i]
                        del T[a]
                        changed = True
                        break
                    # plain annotation at the end of an expression: drop
                    if not any(k in ("plus", "minus", "mul") for k in kinds):
                        del T[a:i + 1]
                        changed = True
                        break
                    continue
                if has_sep:
                    del T[i]
                    del T[a]
                    changed = True
                    break
    return T


# ---------------------------------------------------------------- parser

class Node:
    __slots__ = ("t", "kids", "tok", "s", "e", "signs")

    def __init__(self, t, kids=None, tok=None, s=None, e=None, signs=None):
        self.t, self.kids, self.tok, self.s, self.e, self.signs = t, kids or [], tok, s, e, signs


class Term:
    def __init__(self):
        self.prefix = None   # 'fold' | 'comp'
        self.lead = None     # '+' | '-' : continues from the previous result
        self.expr = None
        self.of = None       # complement OF this node
        self.s = self.e = None
        self.end = None      # index after the term
        self.carry_apart = None  # (digit token, word token)
        self.kwonly = False

    def single(self):
        return self.expr is not None and self.expr.t == "num" and self.lead is None

    def value(self):
        if self.carry_apart:
            d, w = self.carry_apart
            return int(d.text) * 0x10000 + int(w.text, 16)
        return tok_value(self.expr.tok, "hex")

    def res_span(self):
        if self.carry_apart:
            return self.carry_apart[0].s, self.carry_apart[1].e
        if self.single():
            return tok_digits(self.expr.tok)
        return self.expr.s, self.expr.e


class Parser:
    def __init__(self, T):
        self.T = T
        self.n = len(T)

    def k(self, i):
        return self.T[i].k if 0 <= i < self.n else None

    def primary(self, i):
        if self.k(i) in NUMK:
            t = self.T[i]
            return Node("num", tok=t, s=t.s, e=t.e), i + 1
        if self.k(i) == "lp":
            r = self.sum(i + 1)
            if r and self.k(r[1]) == "rp":
                node, j = r
                node = Node("grp", [node], s=self.T[i].s, e=self.T[j].e)
                return node, j + 1
        return None

    def unary(self, i):
        if self.k(i) == "tilde":
            r = self.primary(i + 1)
            if not r:
                return None
            node, j = r
            return Node("not", [node], s=self.T[i].s, e=node.e), j
        r = self.primary(i)
        if not r:
            return None
        node, j = r
        if self.k(j) == "sq":
            node = Node("sq", [node], s=node.s, e=self.T[j].e)
            j += 1
        return node, j

    def prod(self, i):
        r = self.unary(i)
        if not r:
            return None
        node, j = r
        kids = [node]
        while self.k(j) == "mul":
            r2 = self.unary(j + 1)
            if not r2:
                break
            kids.append(r2[0])
            j = r2[1]
        if len(kids) == 1:
            return node, j
        return Node("mul", kids, s=kids[0].s, e=kids[-1].e), j

    def sum(self, i):
        r = self.prod(i)
        if not r:
            return None
        node, j = r
        kids, signs = [node], ["+"]
        while self.k(j) in ("plus", "minus"):
            # series  a + b + ... + z
            if self.k(j) == "plus" and self.k(j + 1) == "ell" and self.k(j + 2) == "plus" and len(kids) >= 2:
                r2 = self.prod(j + 3)
                if not r2:
                    break
                kids.append(r2[0])
                j = r2[1]
                return Node("series", kids, s=kids[0].s, e=kids[-1].e), j
            r2 = self.prod(j + 1)
            if not r2:
                break
            signs.append("+" if self.k(j) == "plus" else "-")
            kids.append(r2[0])
            j = r2[1]
        if len(kids) == 1:
            return node, j
        return Node("sum", kids, s=kids[0].s, e=kids[-1].e, signs=signs), j

    def comma_series(self, i):
        T = self.T
        if self.k(i) in NUMK and self.k(i + 1) == "punct" and T[i + 1].text == "," and self.k(i + 2) in NUMK \
                and self.k(i + 3) == "punct" and T[i + 3].text == "," and self.k(i + 4) == "ell" \
                and self.k(i + 5) == "punct" and T[i + 5].text == "," and self.k(i + 6) in NUMK:
            kids = [Node("num", tok=T[x], s=T[x].s, e=T[x].e) for x in (i, i + 2, i + 6)]
            return Node("series", kids, s=T[i].s, e=T[i + 6].e), i + 7
        return None

    def term(self, i, result_pos):
        t = Term()
        start = i
        if self.k(i) == "word" and self.T[i].text.lower() in KW_FOLD | KW_COMP:
            t.prefix = "fold" if self.T[i].text.lower() in KW_FOLD else "comp"
            i += 1
            while (self.k(i) == "word" and self.T[i].text.lower() in FILLERS) or \
                    (self.k(i) == "punct" and self.T[i].text == ":"):
                if self.T[i].text.lower() == "of" and t.prefix == "comp":
                    r = self.sum(i + 1)
                    if r:
                        j = r[1]
                        if (self.k(j) == "word" and self.T[j].text.lower() == "is") or self.k(j) == "eq":
                            r2 = self.primary(j + 1)
                            if r2 and r2[0].t == "num":
                                t.of = r[0]
                                t.expr = r2[0]
                                t.s, t.e = self.T[start].s, r2[0].e
                                t.end = r2[1]
                                return t
                i += 1
            if self.k(i) == "eq" and self.k(i + 1) in NUMK + ("lp", "tilde"):
                i += 1
        if self.k(i) in ("plus", "minus") and not (t.prefix and self.k(i + 1) not in NUMK):
            t.lead = "+" if self.k(i) == "plus" else "-"
            i += 1
            nlab = 0
            while self.k(i) == "word" and nlab < 2 and self.T[i].text.lower() not in KW_FOLD | KW_COMP:
                i += 1
                nlab += 1
        r = self.comma_series(i) or self.sum(i)
        if not r:
            if t.prefix and t.lead is None:
                t.kwonly = True
                t.s = self.T[start].s
                t.e = self.T[i - 1].e
                t.end = i
                return t
            return None
        t.expr, j = r
        t.s = self.T[start].s
        t.e = t.expr.e
        t.end = j
        # result written with the carry apart: '= 1 7bfa'
        if result_pos and t.lead is None and t.expr.t == "num" and re.fullmatch(r"[1-9]", t.expr.tok.text) \
                and self.k(j) == "num" and len(self.T[j].text) == 4 and self.T[j].s == t.expr.tok.e + 1 \
                and self.k(j + 1) not in ("plus", "minus", "mul"):
            t.carry_apart = (t.expr.tok, self.T[j])
            t.e = self.T[j].e
            t.end = j + 1
        return t

    def chain(self, i):
        t0 = self.term(i, False)
        if not t0:
            return None
        terms, seps = [t0], []
        j = t0.end
        dangling = None
        while self.k(j) in ("eq", "arrow"):
            t = self.term(j + 1, True)
            if not t:
                dangling = self.T[j]
                break
            seps.append(self.T[j])
            terms.append(t)
            j = t.end
        return terms, seps, j, dangling


# ---------------------------------------------------------------- evaluation

def node_tokens(node, acc, factor=False):
    if node is None:
        return acc
    if node.t == "num":
        acc.append((node.tok, factor))
    else:
        f = node.t in ("mul", "sq")
        for kid in node.kids:
            node_tokens(kid, acc, f and kid.t == "num")
    return acc


def ev(node, bases):
    t = node.t
    if t == "num":
        return tok_value(node.tok, bases.get(id(node.tok), bases["_g"]))
    if t == "grp":
        return ev(node.kids[0], bases)
    if t == "not":
        return (~ev(node.kids[0], bases)) & 0xFFFF
    if t == "sq":
        v = ev(node.kids[0], bases)
        return v * v
    if t == "mul":
        v = 1
        for k in node.kids:
            v *= ev(k, bases)
        return v
    if t == "sum":
        v = 0
        for s, k in zip(node.signs, node.kids):
            v += ev(k, bases) if s == "+" else -ev(k, bases)
        return v
    if t == "series":
        vals = [ev(k, bases) for k in node.kids]
        if len(vals) == 3 or len(vals) >= 3:
            a, b, z = vals[0], vals[1], vals[-1]
            d = b - a
            if d <= 0 or (z - a) % d:
                return None
            n = (z - a) // d + 1
            mid = vals[:-1]
            if any(mid[x + 1] - mid[x] != d for x in range(len(mid) - 1)):
                return None
            return n * (a + z) // 2
    raise ValueError(t)


def ev_ones(node, bases):
    """One's complement value of a sum with subtractions (x - y = x + ~y), folded."""
    if node.t != "sum":
        return None
    v = 0
    for s, k in zip(node.signs, node.kids):
        x = ev(k, bases)
        if x is None:
            return None
        v += x if s == "+" else ((~x) & 0xFFFF)
    return fold16(v)


def readings(tokens):
    """Reasonable readings: every number hex; or every number decimal when all are plain
    digits; a plain-digit factor of a product may be a decimal count on its own."""
    toks = [t for t, _ in tokens]
    glob = ["hex"]
    if toks and all(is_plain(t) or t.k == "decc" for t in toks):
        glob.append("dec")
    factors = [t for t, f in tokens if f and is_plain(t)]
    factors = list({id(t): t for t in factors}.values())[:6]
    out = []
    for g in glob:
        for combo in itertools.product(("hex", "dec"), repeat=len(factors)):
            b = {"_g": g}
            for t, c in zip(factors, combo):
                b[id(t)] = c
            out.append(b)
    return out


def fmt(v):
    if v is None:
        return "?"
    if v < 0:
        return "-0x%X" % -v
    return "0x%X" % v


def check_eq(lhs, rhs_node, base_val=None, lead=None, additive_fold=True):
    """Does  [base_val lead] lhs == rhs  under some reasonable reading?"""
    toks = node_tokens(lhs, []) + node_tokens(rhs_node, [])
    best = None
    for b in readings(toks):
        try:
            lv = ev(lhs, b)
            rv = ev(rhs_node, b)
        except (ValueError, ZeroDivisionError):
            continue
        if lv is None or rv is None:
            continue
        ones = None
        if base_val is not None:
            if lead == "+":
                lv2 = base_val + lv
            else:
                lv2 = base_val - lv
                ones = fold16(base_val + ((~lv) & 0xFFFF))
        else:
            lv2 = lv
            if lhs.t == "sum" and "-" in lhs.signs:
                ones = ev_ones(lhs, b)
        cands = {lv2} if lv2 >= 0 else set()
        additive = (lhs.t in ("sum", "series") or base_val is not None)
        if additive and additive_fold and lv2 > 0xFFFF:
            cands |= {fold16(lv2), fold1(lv2)}
        if ones is not None:
            cands.add(ones)
            if ones == 0xFFFF:
                cands.add(0)
        if rv in cands:
            return True, None
        if best is None:
            best = (lv2, rv)
    if best is None:
        return False, "cannot evaluate"
    lv2, rv = best
    why = "left side is %s" % fmt(lv2)
    if lv2 > 0xFFFF and (lhs.t in ("sum", "series") or base_val is not None):
        why += " (folds to %s)" % fmt(fold16(lv2))
    why += ", written %s" % fmt(rv)
    return False, why


class Extractor:
    @property
    def prev(self):
        return self._prev

    @prev.setter
    def prev(self, v):
        self._prev = v
        self.prev_line = self.cur_line

    def recent_prev(self):
        """The previous result, when it was written on this line or the line(s) just before."""
        if self._prev is None or self.prev_line is None:
            return None
        if self.prev_line == self.cur_line:
            return self._prev
        gap = self.lines[self.prev_line:self.cur_line - 1]
        if self.cur_line - self.prev_line <= 1 or all(not g.strip() for g in gap):
            return self._prev
        return None

    def __init__(self, text):
        self.text = text
        self.lines = text.split("\n")
        self.starts = []
        p = 0
        for ln in self.lines:
            self.starts.append(p)
            p += len(ln) + 1
        self.steps = []
        self.skipped = []
        self.handled = []
        self._prev = None
        self.prev_line = None
        self.cur_line = None
        self.claim_hints = []   # (line, value, kind) results of complement steps etc.

    def add_step(self, lineno, s, e, rs, re_, kind, right, why, extra=None):
        st = {"line": lineno, "text": self.text[s:e], "text_offset": s, "kind": kind,
              "result": self.text[rs:re_], "result_offset": rs, "result_length": re_ - rs,
              "right": bool(right)}
        if not right:
            st["why"] = why
        if extra:
            st.update(extra)
        self.steps.append(st)

    def skip(self, lineno, s, e, why):
        if any(a <= s < b for a, b in self.handled):
            return
        self.skipped.append({"line": lineno, "text": self.text[s:e].strip(), "why": why})

    def run(self, step_overrides=None):
        step_overrides = step_overrides or {}
        for idx, line in enumerate(self.lines):
            lineno = idx + 1
            self.cur_line = lineno
            if lineno in step_overrides:
                self.apply_override(lineno, step_overrides[lineno])
                continue
            self.do_line(lineno, line)
        return self.steps, self.skipped

    def apply_override(self, lineno, ov):
        """Steps read by hand for this line. The texts are located with every number in them
        matched loosely, so that a changed digit in the file is still found and judged."""
        base = self.starts[lineno - 1]
        line = self.lines[lineno - 1]
        for text, res, fn, kind in ov.get("steps", []):
            k = text.rindex(res)
            pat = ""
            for piece_i, piece in enumerate((text[:k], None, text[k + len(res):])):
                if piece is None:
                    pat += "(?P<r>(?:0x)?[0-9a-fA-F]+)"
                    continue
                for tok in re.split(r"((?:0x)?[0-9a-fA-F]{2,})", piece):
                    if re.fullmatch(r"(?:0x)?[0-9a-fA-F]{2,}", tok or ""):
                        pat += "(?:0x)?[0-9a-fA-F]+"
                    else:
                        pat += re.escape(tok)
            m = re.search(pat, line)
            if not m:
                self.skip(lineno, base, base + len(line), "hand-read step not found: " + text)
                continue
            r = m.group("r")
            rv = int(r[2:] if r.lower().startswith("0x") else r, 16)
            right, why = fn(rv)
            rs = base + m.start("r") + (2 if r.lower().startswith("0x") else 0)
            self.add_step(lineno, base + m.start(), base + m.end(), rs, base + m.end("r"), kind, right, why,
                          {"override": ov.get("reason")})
            self.prev = rv
        for text, why in ov.get("skipped", []):
            s = line.index(text) + base
            self.skip(lineno, s, s + len(text), why)

    LABELLED = [
        # 28 bytes (20 header + 8 ICMP)   /   total length 29 (20 header + 9 ICMP)
        (re.compile(r"(?P<r>\d+)(?: bytes)? \((?P<a>\d+) header \+ (?P<b>\d+) ICMP(?:v6)?\)"), "restated"),
        # total length 84. That is 60 header + 24 ICMP
        (re.compile(r"total length (?P<r>\d+)\. That is (?P<a>\d+) header \+ (?P<b>\d+) ICMP"), "restated"),
        # 40-byte header + 64-byte payload = 104 bytes
        (re.compile(r"(?P<a>\d+)-byte header \+ (?P<b>\d+)-byte payload = (?P<r>\d+) bytes"), "add"),
    ]
    INCR = re.compile(r"(?i)\b(?P<dir>drops|falls|decreases|rises|grows|goes up|goes down|increases) by "
                      r"(?:0x)?(?P<d>[0-9a-f]+)\s*:\s*(?:0x)?(?P<a>[0-9a-f]{4})\s*(?:->|→)\s*(?:0x)?(?P<b>[0-9a-f]{4})\b")
    CHANGE_WORDS = re.compile(r"(?i)\bfrom (?:0x)?[0-9a-f]{4} to (?:0x)?[0-9a-f]{4}\b")

    def labelled_sums(self, lineno, line, base):
        for rx, kind in self.LABELLED:
            for m in rx.finditer(line):
                a, b, r = int(m.group("a")), int(m.group("b")), int(m.group("r"))
                ok = a + b == r
                self.add_step(lineno, base + m.start(), base + m.end(), base + m.start("r"), base + m.end("r"),
                              kind, ok, None if ok else "%d + %d = %d (decimal byte counts), written %d" % (a, b, a + b, r),
                              {"reading": "decimal byte counts with labels"})
        for m in self.CHANGE_WORDS.finditer(line):
            self.skip(lineno, base + m.start(), base + m.end(), "value change described in words, operation not written")
        # "the checksum drops by 0x0100: 0x1eee -> 0x1dee" : the amount is written, so it is a step
        for m in self.INCR.finditer(line):
            d = int(m.group("d"), 16)
            a = int(m.group("a"), 16)
            b = int(m.group("b"), 16)
            up = m.group("dir").lower() in ("rises", "grows", "goes up", "increases")
            want = fold16(a + d) if up else a - d
            ones = fold16(a + ((~d) & 0xFFFF)) if not up else want
            ok = b in (want, ones)
            self.add_step(lineno, base + m.start(), base + m.end(), base + m.start("b"), base + m.end("b"),
                          "add" if up else "sub", ok,
                          None if ok else "%s %s 0x%X is 0x%X, written 0x%X" % (fmt(a), "+" if up else "-", d, want, b),
                          {"reading": "incremental change, amount stated before the arrow"})
            self.handled.append((base + m.start(), base + m.end()))

    def do_line(self, lineno, line):
        base = self.starts[lineno - 1]
        self.labelled_sums(lineno, line, base)
        toks = tokenize(line, base)
        T = significant(toks, line, base)
        T = paren_pass(T)
        for ti, tk in enumerate(T):
            tk.i = ti
        self._T = T
        P = Parser(T)
        i = 0
        while i < P.n:
            t = T[i]
            # "sum is X" / "sum = X" / "sum: X" records the running value
            if t.k == "word" and t.text.lower() in ("sum", "total") and i + 2 < P.n and \
                    ((T[i + 1].k == "word" and T[i + 1].text in ("is", "was")) or T[i + 1].k == "eq"
                     or (T[i + 1].k == "punct" and T[i + 1].text == ":")) and T[i + 2].k in NUMK \
                    and P.k(i + 3) not in ("plus", "minus", "mul", "eq", "arrow", "sq"):
                self.prev = tok_value(T[i + 2], "hex")
                i += 3
                continue
            r = P.chain(i)
            if r is None:
                i += 1
                continue
            terms, seps, end, dangling = r
            if len(terms) == 1:
                t0 = terms[0]
                if t0.prefix and t0.expr is not None and (t0.single() or t0.of is not None) and not t0.lead:
                    self.prefix_single(lineno, t0, self.recent_prev())
                elif t0.expr is not None and not t0.prefix:
                    ex = t0.expr
                    while ex.t == "grp":
                        ex = ex.kids[0]
                    if ex.t in ("sum", "series") and not (ex.t == "series" and self.text[ex.s:ex.e].count(",")):
                        e_ = t0.e
                        why = "expression with no written result"
                        if P.k(end) == "mul" and P.k(end + 1) == "word":
                            e_ = T[end + 1].e
                            why = "formula with a variable, not a calculation"
                        self.skip(lineno, t0.s, e_, why)
                i = max(i + 1, end)
                continue
            self.interpret(lineno, terms, seps)
            i = max(i + 1, end)

    # -------------------------------------------------------------- chain semantics
    def interpret(self, lineno, terms, seps):
        # merge keyword-only terms ('fold' / 'complement' alone) into the next term
        tt, ss = [terms[0]], []
        for sep, t in zip(seps, terms[1:]):
            if tt[-1].kwonly:
                kw = tt.pop()
                if t.prefix is None:
                    t.prefix = kw.prefix
                t.s = kw.s
                if ss:
                    pass
                tt.append(t)
                continue
            ss.append(sep)
            tt.append(t)
        terms, seps = tt, ss
        if terms and terms[-1].kwonly:
            terms.pop()
            seps = seps[:len(terms) - 1]
        if len(terms) == 1:
            t0 = terms[0]
            if t0.prefix and t0.single():
                self.prefix_single(lineno, t0, self.recent_prev())
            return
        if not terms:
            return
        # running list:  a2d8 -> b209 -> b20c  (added words not written)
        if len(terms) >= 3 and all(s.k == "arrow" for s in seps) and \
                all(t.single() and not t.prefix for t in terms):
            self.skip(lineno, terms[0].s, terms[-1].e, "running list of sums, added words not written")
            self.prev = terms[-1].value()
            return
        cv = None
        t0 = terms[0]
        if t0.prefix and (t0.single() or t0.of is not None):
            cv = self.prefix_single(lineno, t0, self.recent_prev())
        elif t0.single():
            cv = t0.value()
        k = 0
        had_op = False
        while k < len(terms) - 1:
            L, sep, R = terms[k], seps[k], terms[k + 1]
            consumed = 1
            n_before = len(self.steps)
            if sep.k == "eq" or (sep.k == "arrow" and not L.single() and R.single()
                                 and not R.prefix and L.expr is not None):
                if not L.single() or L.lead:
                    base_val = None
                    if L.lead:
                        base_val = self.prev if k == 0 else cv
                    if R.single() or R.carry_apart:
                        cv = self.arith(lineno, L, R, base_val)
                    elif R.expr is not None and R.lead is None:
                        cv = self.rewrite(lineno, L, R, base_val, terms, seps, k)
                else:
                    # L is a single number (maybe a result written just before)
                    if R.single() or R.carry_apart:
                        if had_op:
                            # 128² = 16384 = 0x4000 : the same result in another base
                            self.convert(lineno, L, R)
                        cv = R.value()
                    elif R.expr is not None and not R.lead and not R.prefix:
                        Ltok = L.expr.tok
                        ti = Ltok.i if Ltok.i is not None else 0
                        if ti >= 2 and self._T[ti - 1].k == "punct" and self._T[ti - 2].k == "ell":
                            self.skip(lineno, self._T[ti - 2].s, R.e, "series whose step is not written, not judged")
                        else:
                            # X = a + b  (result written first)
                            ok, why = check_eq(R.expr, L.expr)
                            rs, re_ = L.res_span()
                            self.add_step(lineno, L.s, R.e, rs, re_, "restated", ok, why)
                            had_op = True
                        cv = L.value()
            elif sep.k == "arrow":
                X = cv if cv is not None else (L.value() if L.single() else None)
                if X is None:
                    k += 1
                    continue
                if R.prefix == "comp" and R.single():
                    cv = self.complement(lineno, L.s, R, X)
                elif R.prefix == "comp":
                    pass  # the complement is computed by R's own arithmetic
                elif R.prefix == "fold" or (X > 0xFFFF and (R.single() and R.value() <= 0xFFFF or
                                                            (not R.single() and R.expr is not None))):
                    if R.single():
                        cv = self.fold_to(lineno, L, R, X)
                    elif R.expr is not None and k + 2 < len(terms) and seps[k + 1].k == "eq" \
                            and terms[k + 2].single():
                        cv = self.fold_split(lineno, L, R, terms[k + 2], X)
                        consumed = 2
                    else:
                        self.skip(lineno, L.s, R.e, "fold written without a result")
                elif R.single():
                    if len(R.expr.tok.text) >= 4 or len(L.expr.tok.text if L.single() else "xxxx") >= 4:
                        ls = self.starts[lineno - 1]
                        before = self.text[max(ls, L.s - 30):L.s]
                        if re.search(r"(?i)\b(word|type|goes|went|option|pointer|field)\b", before):
                            self.skip(lineno, L.s, R.e, "field value changed (old -> new), not arithmetic")
                        else:
                            self.skip(lineno, L.s, R.e, "arrow between values (running sum?), operation not written")
                    cv = R.value()
                    self.prev = cv
                else:
                    cv = None  # arrow leads into a fresh expression
            if len(self.steps) > n_before:
                had_op = True
            k += consumed

    def prefix_single(self, lineno, t, prev):
        """'complement -> 0x07ff', 'fold 0x2221', 'complement of X is Y' with no arrow before."""
        if t.of is not None:
            toks = node_tokens(t.of, [])
            X = ev(t.of, {"_g": "hex"})
            Z = t.value()
            ok = Z == ((~X) & 0xFFFF)
            rs, re_ = t.res_span()
            self.add_step(lineno, t.s, t.e, rs, re_, "complement", ok,
                          None if ok else "complement of %s is %s, written %s" % (fmt(X), fmt((~X) & 0xFFFF), fmt(Z)))
            self.prev = Z
            return Z
        if prev is None:
            self.skip(lineno, t.s, t.e, "%s of a sum not written just before" % {"fold": "fold", "comp": "complement"}[t.prefix])
            return t.value()
        if t.prefix == "comp":
            return self.complement(lineno, t.s, t, prev)
        return self.fold_to(lineno, None, t, prev, start=t.s)

    def complement(self, lineno, s, R, X):
        Z = R.value()
        want = (~X) & 0xFFFF
        rs, re_ = R.res_span()
        ok = Z == want
        self.add_step(lineno, s, R.e, rs, re_, "complement", ok,
                      None if ok else "complement of %s is %s, written %s" % (fmt(X), fmt(want), fmt(Z)),
                      {"operand": fmt(X)})
        self.prev = Z
        return Z

    def fold_to(self, lineno, L, R, X, start=None):
        Z = R.value()
        c = R.expr.tok.carry if R.expr is not None else None
        if c is not None:
            ok = (Z == (X & 0xFFFF) and c == (X >> 16)) or Z == fold16(X)
            why = None if ok else "%s splits into %s with carry %s, written %s carry %s" % (
                fmt(X), fmt(X & 0xFFFF), fmt(X >> 16), fmt(Z), fmt(c))
        else:
            ok = Z in (fold16(X), fold1(X))
            why = None if ok else "fold of %s is %s, written %s" % (fmt(X), fmt(fold16(X)), fmt(Z))
        rs, re_ = R.res_span()
        s = start if start is not None else L.s
        self.add_step(lineno, s, R.e, rs, re_, "fold", ok, why, {"operand": fmt(X)})
        self.prev = Z
        return Z

    def fold_split(self, lineno, L, R, Zt, X):
        """X -> Y + c = Z"""
        Z = Zt.value()
        ok1, why1 = check_eq(R.expr, Zt.expr, additive_fold=False)
        ok2 = Z in (fold16(X), fold1(X))
        ok = ok1 and ok2
        why = None
        if not ok1:
            why = why1
        elif not ok2:
            why = "fold of %s is %s, written %s" % (fmt(X), fmt(fold16(X)), fmt(Z))
        rs, re_ = Zt.res_span()
        self.add_step(lineno, L.s, Zt.e, rs, re_, "fold", ok, why, {"operand": fmt(X)})
        self.prev = Z
        return Z

    def arith(self, lineno, L, R, base_val):
        if L.lead and base_val is None:
            self.skip(lineno, L.s, R.e, "continues from a value not written before")
            self.prev = R.value()
            return R.value()
        rhs = R.expr
        if R.carry_apart:
            d, w = R.carry_apart
            fake = Tok("hex0x", "0x%x" % R.value(), d.s, w.e)
            rhs = Node("num", tok=fake, s=d.s, e=w.e)
        ok, why = check_eq(L.expr, rhs, base_val, L.lead)
        kind = self.kind_of(L)
        extra = {}
        if L.lead:
            extra["continues_from"] = fmt(base_val)
        if L.prefix == "fold" and self.prev is not None and base_val is None:
            # 'fold: FFFD + 2 = FFFF' folds the sum written just before
            P = self.prev
            kind = "fold"
            extra["operand"] = fmt(P)
            if ok and P > 0xFFFF and R.value() not in (fold16(P), fold1(P)):
                ok, why = False, "fold of the previous sum %s is %s, written %s" % (
                    fmt(P), fmt(fold16(P)), fmt(R.value()))
        rs, re_ = R.res_span()
        s0 = L.s
        if L.prefix == "comp" and L.expr is not None:
            s0 = L.expr.s
        self.add_step(lineno, s0, R.e, rs, re_, kind, ok, why, extra)
        self.prev = R.value()
        return R.value()

    def rewrite(self, lineno, L, R, base_val, terms, seps, k):
        """L = R where R is itself an expression."""
        ok, why = check_eq(L.expr, R.expr, base_val, L.lead) if not L.lead else (False, "")
        if ok:
            self.add_step(lineno, L.s, R.e, R.expr.s, R.expr.e, "rewrite", True, None)
            return None
        first = R.expr
        while first.t in ("sum", "mul", "series") and first.kids:
            first = first.kids[0]
        # restatement that drops zero terms or regroups: 0000 + a + b + c = a + b = ...
        lt = sorted(x.text.lower().lstrip("0x") for x, _ in node_tokens(L.expr, []))
        rt = sorted(x.text.lower().lstrip("0x") for x, _ in node_tokens(R.expr, []))
        if R.expr.t == "sum" and all(rt.count(v) <= lt.count(v) for v in rt) and not L.lead:
            self.skip(lineno, L.s, R.e, "restates part of the sum (terms regrouped), not an equality")
            return None
        if R.expr.t == "sum" and first.t == "num":
            # a + b = c + d = e : continuation, the result c then has d added
            ok, why = check_eq(L.expr, first, base_val, L.lead)
            s, e = tok_digits(first.tok)
            self.add_step(lineno, L.s, first.e, s, e, self.kind_of(L), ok, why)
            self.prev = tok_value(first.tok, "hex")
            return None
        ok, why = check_eq(L.expr, R.expr, base_val, L.lead)
        self.add_step(lineno, L.s, R.e, R.expr.s, R.expr.e, "rewrite", ok, why)
        return None

    def convert(self, lineno, L, R):
        a, b = L.expr.tok, R.expr.tok if not R.carry_apart else None
        ok = False
        va = [tok_value(a, "hex")] + ([int(a.text)] if is_plain(a) else [])
        if b is None:
            vb = [R.value()]
        else:
            vb = [tok_value(b, "hex")] + ([int(b.text)] if is_plain(b) else [])
        ok = bool(set(va) & set(vb))
        rs, re_ = R.res_span()
        self.add_step(lineno, L.s, R.e, rs, re_, "convert", ok,
                      None if ok else "%s is not %s in any base reading" % (a.text, self.text[rs:re_]))

    @staticmethod
    def kind_of(L):
        e = L.expr
        if L.lead:
            return "add" if L.lead == "+" else "sub"
        if e.t == "sum":
            return "sub" if "-" in e.signs and "+" not in e.signs[1:] else "add"
        if e.t in ("mul", "sq"):
            return "mul"
        if e.t == "series":
            return "series"
        if e.t == "not":
            return "complement"
        return "value"


def extract_steps(text, step_overrides=None):
    ex = Extractor(text)
    steps, skipped = ex.run(step_overrides)
    steps.sort(key=lambda st: (st["line"], st["text_offset"], st["result_offset"]))
    return steps, skipped


# ============================================================================= corpus labelling
# ----------------------------------------------------------------------------- overrides
# Decisions taken by reading the answer where a rule of this script is unsure or wrong.
# Keep short; every entry carries its reason.

REPLY_OVERRIDES = {
    # (helper, task): {"kind":..., "hex":..., "line":..., "reason": ...}
}


def _add(expr):
    """Evaluator for an override step: right when the written result equals expr (hex) or its
    one's complement fold."""
    v = eval(expr, {"__builtins__": {}})

    def fn(rv):
        ok = rv in (v, fold16(v))
        return ok, None if ok else "left side is 0x%X, written 0x%X" % (v, rv)
    return fn


def _fold(x):
    def fn(rv):
        ok = rv == fold16(x)
        return ok, None if ok else "fold of 0x%X is 0x%X, written 0x%X" % (x, fold16(x), rv)
    return fn


STEP_OVERRIDES = {
    # (helper, task): {line: {"reason":..., "steps": [(text, result, evaluator, kind)], "skipped": [(text, why)]}}
    ("batch2", "01"): {101: {
        "reason": "words sit between the sum and its result: 'dbd3 + 0800 for the type change 8 → 0 = e3d3'",
        "steps": [("dbd3 + 0800 for the type change 8 → 0 = e3d3", "e3d3", _add("0xdbd3+0x0800"), "add")]}},
    ("batch4", "11"): {4: {
        "reason": "'2dba + dst (ff02+0001) ff03 = 0x12cbd': an inner sum written as '(a+b) result' inside the outer sum",
        "steps": [("(ff02+0001) ff03", "ff03", _add("0xff02+0x0001"), "add"),
                  ("2dba + dst (ff02+0001) ff03 = 0x12cbd", "0x12cbd", _add("0x2dba+0xff03"), "add"),
                  ("0x12cbd -> 0x2cbe", "0x2cbe", _fold(0x12cbd), "fold"),
                  ("+ 0018 + 003a = 0x2d10", "0x2d10", _add("0x2cbe+0x0018+0x003a"), "add")]}},
}

CLAIM_OVERRIDES = {
    # (helper, task): {"add": [claim dicts], "drop": [(line, value)], "set": {(line, value): {...}}}
    ("batch1", "05"): {"add": [{"line": 35, "value": "1234", "subject": "request", "kind": "ip",
                            "reason": "'the field 0x1234 is simply wrong' names the received header checksum "
                                      "field without the word checksum"}]},
}

# ----------------------------------------------------------------------------- inputs


def load_inputs(corpus):
    reqs = OrderedDict()
    with open(os.path.join(corpus, "requests.tsv")) as f:
        for ln in f:
            ln = ln.rstrip("\n")
            if not ln.strip():
                continue
            n, name, hx = ln.split("\t")
            reqs[name] = hx.strip().lower()
    pmap = {}
    with open(os.path.join(corpus, "prompt-map.txt")) as f:
        for ln in f:
            if ln.strip():
                nn, name = ln.split()
                pmap[nn] = name
    rows = []
    with open(os.path.join(corpus, "assignment.tsv")) as f:
        for ln in f:
            ln = ln.rstrip("\n")
            if ln.strip():
                helper, task, family, nn = ln.split("\t")
                rows.append((helper, task, family, nn))
    return reqs, pmap, rows


# ----------------------------------------------------------------------------- reply extraction

HEXLINE_RE = re.compile(r"^[0-9a-fA-F]+(?:[ \t]+[0-9a-fA-F]+)*$")
LABEL_RE = re.compile(r"^\s*(?:[-*>]\s*)?(?:\*\*)?(?:[A-Za-z][A-Za-z ()\-]{0,30}:)?(?:\*\*)?\s*`?")


def hex_bytes(s):
    s = re.sub(r"[\s|]", "", s)
    if not s or len(s) % 2 or not re.fullmatch(r"[0-9a-fA-F]+", s):
        return None
    return bytes.fromhex(s)


def datagram_state(b):
    """'complete' when the length fields match the bytes, 'like' when it only looks like IP."""
    if b is None or len(b) < 20:
        return None
    v = b[0] >> 4
    if v == 4 and (b[0] & 0x0F) >= 5:
        return "complete" if int.from_bytes(b[2:4], "big") == len(b) else "like"
    if v == 6 and len(b) >= 40:
        return "complete" if 40 + int.from_bytes(b[4:6], "big") == len(b) else "like"
    return None


def fenced_blocks(lines):
    out = []
    i = 0
    while i < len(lines):
        m = re.match(r"^\s*(```|~~~)(\S*)", lines[i])
        if m:
            j = i + 1
            while j < len(lines) and not lines[j].strip().startswith(m.group(1)):
                j += 1
            out.append((i + 1, j, lines[i + 1:j], m.group(2)))  # first content line (1-based = i+2)
            i = j + 1
        else:
            i += 1
    return out


def fence_mask(lines):
    inside = [False] * len(lines)
    for start, end, _, _ in fenced_blocks(lines):
        for k in range(start - 1, min(end + 1, len(lines))):
            inside[k] = True
    return inside


NO_REPLY_RE = re.compile(r"^\W*no reply\W*$", re.I)


def extract_reply(text):
    lines = text.split("\n")
    # 1. JSON {"reply_hex": ...}
    ms = list(re.finditer(r'\{\s*"reply_hex"\s*:\s*(null|"([^"]*)")\s*\}', text))
    if ms:
        m = ms[-1]
        line = text[:m.start(1)].count("\n") + 1
        if m.group(1) == "null":
            return {"kind": "no_reply", "hex": None, "line": line}, "JSON reply_hex null"
        b = hex_bytes(m.group(2))
        if b is None:
            return {"kind": "unparseable", "hex": None, "line": line}, "JSON reply_hex is not hex"
        return {"kind": "packet", "hex": b.hex(), "line": line}, "JSON reply_hex"
    nonempty = [(i + 1, ln) for i, ln in enumerate(lines) if ln.strip()]
    if not nonempty:
        return {"kind": "unparseable", "hex": None, "line": None}, "empty answer"
    # 2. NO REPLY as the conclusion (last line)
    last_no, last_ln = nonempty[-1]
    if NO_REPLY_RE.match(last_ln.strip().strip("*`")):
        return {"kind": "no_reply", "hex": None, "line": last_no}, "last line says NO REPLY"
    # 3. last fenced block holding a complete datagram (then one that only looks like one)
    blocks = fenced_blocks(lines)
    for want in ("complete", "like"):
        for start, end, content, lang in reversed(blocks):
            b = hex_bytes("".join(content))
            if datagram_state(b) == want:
                first = start + 1
                for k, c in enumerate(content):
                    if c.strip():
                        first = start + 1 + k
                        break
                return {"kind": "packet", "hex": b.hex(), "line": first}, "last fenced block with a %s datagram" % want
    # 4. last line(s) of hex outside fences
    inside = fence_mask(lines)
    runs, cur = [], []
    for i, ln in enumerate(lines):
        s = ln.strip().strip("`")
        if not inside[i] and s and HEXLINE_RE.match(s) and len(s.replace(" ", "")) >= 16:
            cur.append((i + 1, s))
        else:
            if cur:
                runs.append(cur)
            cur = []
    if cur:
        runs.append(cur)
    for want in ("complete", "like"):
        for run in reversed(runs):
            for no, s in reversed(run):
                b = hex_bytes(s)
                if datagram_state(b) == want:
                    return {"kind": "packet", "hex": b.hex(), "line": no}, "last hex line with a %s datagram" % want
            b = hex_bytes("".join(s for _, s in run))
            if datagram_state(b) == want:
                return {"kind": "packet", "hex": b.hex(), "line": run[0][0]}, "last hex lines with a %s datagram" % want
    # 5. no packet anywhere: a NO REPLY / refusal statement
    for no, ln in reversed(nonempty):
        if re.search(r"\bNO REPLY\b", ln) or re.search(r"(?i)\b(no (echo )?reply is (sent|built)|will not (reply|answer)|must not be answered|silently (dropped|discarded))\b", ln):
            return {"kind": "no_reply", "hex": None, "line": no}, "no packet; says it will not reply"
    return {"kind": "unparseable", "hex": None, "line": None}, "no packet and no NO REPLY found"


# ----------------------------------------------------------------------------- verdict

def verdict_for(req, reply):
    if reply["kind"] == "unparseable":
        return "unparseable", [], [], []
    if req["reply_due"]:
        if reply["kind"] == "no_reply":
            return "no_reply", [], ["a reply was due: " + req["reason"]], []
        pkt = bytes.fromhex(reply["hex"])
        wrong, det, notes = judge_reply(req, pkt)
        return ("correct" if not wrong else "wrong"), wrong, det, notes
    if reply["kind"] == "no_reply":
        return "silent_ok", [], [], ["no reply due: " + req["reason"]]
    pkt = bytes.fromhex(reply["hex"])
    notes = ["no reply due: " + req["reason"]]
    if req["version"] in (4, 6):
        w, d, n = judge_reply(req, pkt)
        notes.append("judged as if a reply were due: %s" % ("well-formed" if not w else "; ".join(d)))
    return "unexpected_reply", [], [], notes


# ----------------------------------------------------------------------------- claims

HEXV = r"(?:0x[0-9a-fA-F]{1,4}|[0-9a-fA-F]{4})(?![0-9A-Za-z])"
CLAIM_KW = re.compile(r"(?i)\bchecksums?\b")
GAP_OK = re.compile(
    r"(?i)^(?:[\s:=|(`*]|\bis\b|\bwas\b|\bfield\b|\bvalue\b|\bstays\b|\bbecomes\b|\bbecame\b|"
    r"\bwould have been\b|\bshould be\b|\bshould have been\b|\bmust be\b|\bset to\b|\bunchanged\b,?|"
    r"\bby the swap\b,?|\bagain\b|\bnow\b|\bthen\b|\bequals\b|\bof\b|\bthe\b|\bto\b|\bremains\b|"
    r"\bgives\b|\bcomes out as\b|\bhere\b|\bin the reply\b|\bfor the reply\b|\bof the reply\b|\bas\b|"
    r"\bstill\b|\bcorrect\b|\bwritten\b|\bbecoming\b|\bcomputed\b|\bresult\b|\bnew\b|\bthus\b|\bso\b)*$")
ZERO_CTX = re.compile(r"(?i)(for (the )?(computation|calculation|comput|calc|the sum)|set to 0|zeroed|field zero|for computation)")
REQ_WORDS = re.compile(r"(?i)\b(old|received|incoming|request'?s?|verif(y|ies|ied)|as received|original|given)\b")
REP_WORDS = re.compile(r"(?i)\b(new|reply'?s?|recomputed|stays|unchanged|remains|becomes|now)\b")


def section_bounds(lines):
    """(reply_start, decision_start) 1-based line numbers (None when absent)."""
    rs = ds = None
    for i, ln in enumerate(lines):
        s = ln.strip()
        if ds is None and re.match(r"(?i)^#+\s*(\d+\.\s*)?decision", s):
            ds = i + 1
        if rs is None and (re.match(r"(?i)^#+\s*(\d+\.\s*)?(building|build)\b.*repl", s)
                           or re.match(r"(?i)^(echo )?reply\s*[:,]", s)
                           or re.search(r"(?i)\bchecksum for the reply\b", s)):
            rs = i + 1
    return rs, ds


def kind_context(lines):
    """Per line: 'ip' / 'icmp' / None, from the latest heading or label naming one."""
    out = []
    cur = None
    for ln in lines:
        s = ln.strip()
        low = s.lower()
        heading = s.startswith("#") or s.startswith("**") or re.match(r"^[A-Za-z ]{2,40}:", s) or \
            re.match(r"^(IP|ICMP)", s)
        if heading or "checksum" in low:
            if re.search(r"(?i)\bicmp(v6)?\b", s) and not re.search(r"(?i)\b(ip|ipv4) header checksum\b", s):
                cur = "icmp"
            elif re.search(r"(?i)\b(ip|ipv4|ipv6) header\b|\bheader checksum\b|\bip checksum\b|^#+.*\bip(v4)? header", s):
                cur = "ip"
        out.append(cur)
    return out


def claim_kind(near, ctx, before=""):
    """Kind from the words just before 'checksum'; else the nearest protocol word before it on
    the line ('protocol 1 (ICMP)' names the protocol field, not the message); else context."""
    if re.search(r"(?i)\bicmp(v6)?\b", near):
        return "icmp"
    if re.search(r"(?i)\b(header|ip|ipv4)\b", near):
        return "ip"
    b = re.sub(r"(?i)\bproto(col)?\s*1\s*\(icmp\)", "", before)
    best = None
    for m in re.finditer(r"(?i)\b(icmp(v6)?|ipv4|ihl|ttl|ip header|header)\b", b):
        best = "icmp" if m.group(1).lower().startswith("icmp") else "ip"
    return best or ctx


def near_words(ln, pos):
    """Text between the last , ( . ; : | and the keyword at pos."""
    cut = max(ln.rfind(ch, 0, pos) for ch in ",(.;:|")
    return ln[cut + 1:pos]


def chain_result(line_steps, abs_pos):
    """The last result of the chain of steps that starts at abs_pos."""
    cand = [st for st in line_steps if st["text_offset"] >= abs_pos - 1]
    if not cand or cand[0]["text_offset"] > abs_pos + 2:
        return None
    st = cand[0]
    for st2 in cand[1:]:
        if st2["text_offset"] <= st["result_offset"] + st["result_length"] + 4:
            st = st2
        else:
            break
    return st


CHANGE_RE = re.compile(
    r"(?i)\bchecksum (?:drops|rises|goes (?:up|down)|grows|changes|falls|increases|decreases|moves)"
    r"(?: by (?:0x)?[0-9a-f]+)?\s*[:,]?\s*(?:from )?\**(" + HEXV + r")\**\s*(->|→|to|\+|−|-)\s*")


def find_claims(text, steps, meta):
    lines = text.split("\n")
    inside = fence_mask(lines)
    rs, ds = section_bounds(lines)
    kctx = kind_context(lines)
    steps_by_line = {}
    for st in steps:
        steps_by_line.setdefault(st["line"], []).append(st)
    claims = []
    seen = set()

    def subject_of(no, clause):
        if re.search(r"(?i)\b(would have been|should have been|correct checksum would)\b", clause):
            return "request"
        if REQ_WORDS.search(clause) and not re.search(r"(?i)\bfor the reply\b|\breply'?s\b", clause):
            return "request"
        if REP_WORDS.search(clause):
            return "reply"
        if rs is not None and no >= rs:
            return "reply"
        if ds is not None and no >= ds:
            return "unknown"
        return "request"

    def add(no, col, val, clause, how, kind, subject=None):
        val = val.replace(" ", "")
        v = int(val[2:] if val.lower().startswith("0x") else val, 16)
        if v > 0xFFFF:
            return
        key = (no, v)
        if key in seen:
            return
        seen.add(key)
        claims.append({"line": no, "value": "%04x" % v, "subject": subject or subject_of(no, clause),
                       "kind": kind, "how": how, "col": col})

    for idx, ln in enumerate(lines):
        no = idx + 1
        base = meta["starts"][idx]
        in_code = inside[idx] and not ln.strip().startswith("|")
        line_steps = steps_by_line.get(no, [])
        if not in_code:
            # H: "the checksum drops from A to B" / "checksum rises by 0x0800: A + 0x0800 = B"
            for m in CHANGE_RE.finditer(ln):
                kind = claim_kind(near_words(ln, m.start()), kctx[idx], ln[:m.start()])
                a = m.group(1)
                add(no, m.start(1), a, "old", "change-from", kind, subject="request")
                rest = ln[m.end():]
                if m.group(2) in ("->", "→", "to"):
                    vm = re.match(r"\**(" + HEXV + ")", rest)
                    if vm:
                        add(no, m.end() + vm.start(1), vm.group(1), "new", "change-to", kind, subject="reply")
                else:
                    st = chain_result(line_steps, base + m.start(1))
                    if st:
                        add(no, st["result_offset"] - base, st["result"], "new", "change-to", kind, subject="reply")
            # A: "... checksum <gap> VALUE"
            for m in CLAIM_KW.finditer(ln):
                rest = ln[m.end():]
                vm = re.search(HEXV, rest)
                if not vm:
                    continue
                gap = rest[:vm.start()]
                if len(gap) > 40 or not GAP_OK.match(gap):
                    continue
                val = vm.group()
                col = m.end() + vm.start()
                near = near_words(ln, m.start())
                clause_start = max(0, ln.rfind(".", 0, m.start()) + 1, ln.rfind(";", 0, m.start()) + 1)
                clause = ln[clause_start:col + len(val)]
                kind = claim_kind(near, kctx[idx], ln[:m.start()])
                v = int(val[2:] if val.lower().startswith("0x") else val, 16)
                if v == 0 and (ZERO_CTX.search(ln[m.start():]) or not re.search(r"=|\bis\b|\bbecomes\b", gap)):
                    continue  # the field set to zero before computing is not a claim
                after = ln[col + len(val):]
                if re.match(r"\s*(\+|−|-\s|×)", after):
                    if re.search(r"(?i)\bold\b", near):
                        add(no, col, val, clause, "checksum-keyword", kind, subject="request")
                        continue
                    st = chain_result(line_steps, base + col)
                    if st:
                        add(no, st["result_offset"] - base, st["result"], clause, "checksum-expression", kind)
                    continue
                add(no, col, val, clause, "checksum-keyword", kind)
        # C: "- 0xebce: header checksum"
        m = re.match(r"^\s*[-*]\s*(?:\*\*)?(0x[0-9a-fA-F]{1,4})(?:\*\*)?:?(?:\*\*)?\s*((?:ip |ipv4 |icmp |icmpv6 |header )*checksum)", ln, re.I)
        if m:
            add(no, m.start(1), m.group(1), m.group(2), "bullet", claim_kind(m.group(2), kctx[idx]))
        # D: complement results written in prose (outside fenced code)
        if not in_code:
            for st in line_steps:
                is_comp = st["kind"] == "complement" or (
                    st["kind"] == "sub" and re.match(r"(?i)^(0x)?f{4}\s*[−-]", st["text"])
                    and re.search(r"(?i)complement", ln[:st["text_offset"] - base]))
                if is_comp:
                    col = st["result_offset"] - base
                    add(no, col, st["result"], ln[:col], "complement-result", kctx[idx])
        # E: "the received value 1234"
        for m in re.finditer(r"(?i)\breceived (?:value |checksum )?(" + HEXV + r")", ln):
            add(no, m.start(1), m.group(1), ln[:m.end()], "received-value", kctx[idx], subject="request")
    # G: "<kind> checksum: ... VALUE" label lines of the short answers
    for idx, ln in enumerate(lines):
        no = idx + 1
        if inside[idx]:
            continue
        m = re.match(r"(?i)^\s*((?:new |ip |ipv4 |icmp |icmpv6 |header )*checksum)\b([^:]{0,60}):", ln)
        if not m or re.search(r"(?i)\bcheck\b|verif", m.group(1) + m.group(2)):
            continue
        kind = claim_kind(m.group(1), kctx[idx])
        base = meta["starts"][idx]
        if ln.rstrip().endswith(":"):
            # the value comes in the lines below: the last result of that block
            block = []
            j = idx + 1
            while j < len(lines) and lines[j].strip() and not re.match(r"(?i)^\s*\(?check", lines[j]):
                block.append(j)
                j += 1
            if not block or any(c["line"] - 1 in block for c in claims):
                continue
            bl = [st for j in block for st in steps_by_line.get(j + 1, [])]
            if bl:
                st = bl[-1]
                add(st["line"], st["result_offset"] - meta["starts"][st["line"] - 1], st["result"],
                    lines[st["line"] - 1], "label-block-result", kind)
            continue
        if any(c["line"] == no for c in claims):
            continue
        line_steps = steps_by_line.get(no, [])
        tail = re.search(r"(?:->|→|stays|is|=)\s*\**(" + HEXV + r")\**\s*[.)]?\s*$", ln)
        if line_steps:
            st = line_steps[-1]
            add(no, st["result_offset"] - base, st["result"], ln, "label-line-result", kind)
        elif tail:
            add(no, tail.start(1), tail.group(1), ln, "label-line-value", kind)
    claims.sort(key=lambda c: (c["line"], c["col"]))
    return claims


def judge_claims(claims, req, reply):
    req_sets = {"ip": set(), "icmp": set()}
    if req.get("ip_csum_received") is not None:
        req_sets["ip"] |= {req["ip_csum_received"], req["ip_csum_correct"]}
    if req.get("icmp_csum_received") is not None:
        req_sets["icmp"] |= {req["icmp_csum_received"], req["icmp_csum_correct"]}
    rep_sets = {"ip": set(), "icmp": set()}
    cands = []
    if req["version"] in (4, 6):
        cands.append(build_reply(req, "echo"))
        if req["version"] == 4 and req["ihl"] > 20:
            cands.append(build_reply(req, "drop"))
    if reply["kind"] == "packet":
        cands.append(bytes.fromhex(reply["hex"]))
    for p in cands:
        a, b = reply_checksums(p)
        if a is not None:
            rep_sets["ip"].add(a)
        if b is not None:
            rep_sets["icmp"].add(b)
    for c in claims:
        v = int(c["value"], 16)
        if req["version"] == 6:
            c["kind"] = "icmp"  # IPv6 has no header checksum
        kinds = [c["kind"]] if c["kind"] in ("ip", "icmp") else ["ip", "icmp"]
        rq = set().union(*(req_sets[k] for k in kinds))
        rp = set().union(*(rep_sets[k] for k in kinds))
        if c["subject"] == "request":
            c["right"] = v in rq if rq else None
        elif c["subject"] == "reply":
            c["right"] = v in rp if rp else None
        else:
            c["right"] = (v in rq or v in rp) if (rq or rp) else None
        if c["right"] is False:
            exp = sorted(rq if c["subject"] == "request" else rp if c["subject"] == "reply" else rq | rp)
            c["why"] = "%s %s checksum is %s" % (c["subject"], "/".join(kinds),
                                                   " or ".join("%04x" % x for x in exp))
    return claims


def apply_claim_overrides(key, claims):
    ov = CLAIM_OVERRIDES.get(key)
    if not ov:
        return claims
    drop = set(ov.get("drop", []))
    out = [c for c in claims if (c["line"], c["value"]) not in drop]
    for (line, value), upd in ov.get("set", {}).items():
        for c in out:
            if c["line"] == line and c["value"] == value:
                c.update(upd)
                c["override"] = upd.get("reason")
    for c in ov.get("add", []):
        c = dict(c)
        c.setdefault("how", "override")
        c.setdefault("col", 0)
        out.append(c)
    out.sort(key=lambda c: (c["line"], c["col"]))
    return out


# ----------------------------------------------------------------------------- main

def label_one(helper, task, family, nn, reqs, pmap, answers_root):
    name = pmap[nn]
    req_hex = reqs[name]
    req = analyze_request(bytes.fromhex(req_hex))
    path = os.path.join(answers_root, helper, "answers", "task-%s.txt" % task)
    prompt_path = os.path.join(answers_root, helper, "task-%s.txt" % task)
    lab = OrderedDict()
    lab["helper"] = helper
    lab["task"] = task
    lab["family"] = family
    lab["prompt"] = nn
    lab["request"] = name
    lab["file"] = path
    try:
        ptxt = open(prompt_path, encoding="utf-8").read()
        lab["prompt_matches_request"] = req_hex in re.sub(r"\s", "", ptxt).lower()
    except OSError:
        lab["prompt_matches_request"] = None
    text = open(path, encoding="utf-8").read()
    reply, how = extract_reply(text)
    ov = REPLY_OVERRIDES.get((helper, task))
    if ov:
        reply = {"kind": ov["kind"], "hex": ov.get("hex"), "line": ov.get("line")}
        how = "override: " + ov["reason"]
    lab["reply"] = reply
    lab["reply_rule"] = how
    lab["expected"] = "reply" if req["reply_due"] else "no_reply"
    lab["request_status"] = req["reason"]
    verdict, wrong, det, notes = verdict_for(req, reply)
    lab["verdict"] = verdict
    lab["wrong_fields"] = wrong
    lab["details"] = det
    lab["notes"] = notes
    steps, skipped = extract_steps(text, STEP_OVERRIDES.get((helper, task)))
    lab["steps"] = steps
    lab["skipped"] = skipped
    lines = text.split("\n")
    starts = []
    p = 0
    for ln in lines:
        starts.append(p)
        p += len(ln) + 1
    claims = find_claims(text, steps, {"starts": starts})
    claims = apply_claim_overrides((helper, task), claims)
    claims = judge_claims(claims, req, reply)
    for c in claims:
        c.pop("col", None)
    lab["claims"] = claims
    # byte offsets for convenience (result_offset counts characters)
    for st in steps:
        st["result_byte_offset"] = len(text[:st["result_offset"]].encode("utf-8"))
    return lab


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpus", default=os.path.join(HERE, "corpus"))
    ap.add_argument("--answers", default=os.path.join(HERE, "corpus"))
    ap.add_argument("--out", default=HERE)
    args = ap.parse_args(argv)
    reqs, pmap, rows = load_inputs(args.corpus)
    labels, missing = [], []
    for helper, task, family, nn in sorted(rows, key=lambda r: (r[0], r[1])):
        path = os.path.join(args.answers, helper, "answers", "task-%s.txt" % task)
        if not os.path.exists(path):
            missing.append((helper, task, family, nn))
            continue
        labels.append(label_one(helper, task, family, nn, reqs, pmap, args.answers))
    with open(os.path.join(args.out, "labels.json"), "w") as f:
        json.dump(labels, f, indent=1, ensure_ascii=False)
        f.write("\n")
    write_summary(labels, missing, rows, os.path.join(args.out, "summary.md"))
    print("labelled %d answers, %d missing" % (len(labels), len(missing)))


def write_summary(labels, missing, rows, path):
    out = []
    w = out.append
    w("# Corpus check summary\n")
    w("Answers labelled: %d of %d assigned%s.\n" % (len(labels), len(rows),
      (" (missing: %s)" % ", ".join("%s/task-%s" % (h, t) for h, t, _, _ in missing)) if missing else ""))
    pm = sum(1 for l in labels if l.get("prompt_matches_request"))
    w("Prompt texts that contain their request's hex (sanity check of assignment/prompt-map): %d of %d.\n" % (pm, len(labels)))
    fam = Counter(l["family"] for l in labels)
    w("## Answers per family\n")
    w("| family | answers |\n|---|---|")
    for k in sorted(fam):
        w("| %s | %d |" % (k, fam[k]))
    w("")
    w("## Answers per prompt (request)\n")
    per = OrderedDict()
    for l in sorted(labels, key=lambda l: l["prompt"]):
        per.setdefault((l["prompt"], l["request"]), Counter())[l["family"]] += 1
    fams = sorted(fam)
    w("| NN | request | expected | " + " | ".join(fams) + " | total | verdicts |")
    w("|---|---|---|" + "---|" * len(fams) + "---|---|")
    for (nn, name), c in per.items():
        ls = [l for l in labels if l["prompt"] == nn]
        vs = Counter(l["verdict"] for l in ls)
        w("| %s | %s | %s | %s | %d | %s |" % (nn, name, ls[0]["expected"],
          " | ".join(str(c.get(f, 0)) for f in fams), sum(c.values()),
          ", ".join("%s %d" % kv for kv in sorted(vs.items()))))
    w("")
    w("## Verdicts\n")
    vc = Counter(l["verdict"] for l in labels)
    w("| verdict | count |\n|---|---|")
    for k in ("correct", "wrong", "no_reply", "silent_ok", "unexpected_reply", "unparseable"):
        w("| %s | %d |" % (k, vc.get(k, 0)))
    w("")
    w("Verdicts by family:\n")
    w("| family | " + " | ".join(("correct", "wrong", "no_reply", "silent_ok", "unexpected_reply", "unparseable")) + " |")
    w("|---|" + "---|" * 6)
    for f in fams:
        c = Counter(l["verdict"] for l in labels if l["family"] == f)
        w("| %s | %s |" % (f, " | ".join(str(c.get(k, 0)) for k in ("correct", "wrong", "no_reply", "silent_ok", "unexpected_reply", "unparseable"))))
    w("")
    nonok = [l for l in labels if l["verdict"] not in ("correct", "silent_ok")]
    if nonok:
        w("Answers not correct / not silent_ok:\n")
        for l in nonok:
            w("- %s/task-%s (%s, %s): **%s** %s %s" % (l["helper"], l["task"], l["request"], l["family"], l["verdict"],
              ", ".join(l["wrong_fields"]), "; ".join(l["details"] + l["notes"])))
        w("")
    st = [s for l in labels for s in l["steps"]]
    w("## Steps\n")
    w("Steps judged: %d, right %d, wrong %d; skipped (not judged): %d.\n" % (
        len(st), sum(1 for s in st if s["right"]), sum(1 for s in st if not s["right"]),
        sum(len(l["skipped"]) for l in labels)))
    kc = Counter(s["kind"] for s in st)
    w("By kind: " + ", ".join("%s %d" % kv for kv in sorted(kc.items())) + ".\n")
    w("| family | steps | right | wrong |\n|---|---|---|---|")
    for f in fams:
        s2 = [s for l in labels if l["family"] == f for s in l["steps"]]
        w("| %s | %d | %d | %d |" % (f, len(s2), sum(1 for s in s2 if s["right"]), sum(1 for s in s2 if not s["right"])))
    w("")
    w("### Every wrong step\n")
    any_w = False
    for l in labels:
        for s in l["steps"]:
            if not s["right"]:
                any_w = True
                w("- %s/answers/task-%s.txt:%d `%s` — %s" % (l["helper"], l["task"], s["line"], s["text"], s.get("why")))
    if not any_w:
        w("(none)")
    w("")
    cl = [c for l in labels for c in l["claims"]]
    w("## Checksum claims\n")
    w("Claims: %d; right %d, wrong %d, not judged %d. Subject: %s.\n" % (
        len(cl), sum(1 for c in cl if c["right"] is True), sum(1 for c in cl if c["right"] is False),
        sum(1 for c in cl if c["right"] is None),
        ", ".join("%s %d" % kv for kv in sorted(Counter(c["subject"] for c in cl).items()))))
    w("| family | claims | right | wrong | not judged | subject unknown |\n|---|---|---|---|---|---|")
    for f in fams:
        c2 = [c for l in labels if l["family"] == f for c in l["claims"]]
        w("| %s | %d | %d | %d | %d | %d |" % (f, len(c2), sum(1 for c in c2 if c["right"] is True),
          sum(1 for c in c2 if c["right"] is False), sum(1 for c in c2 if c["right"] is None),
          sum(1 for c in c2 if c["subject"] == "unknown")))
    w("")
    w("### Every wrong claim\n")
    any_w = False
    for l in labels:
        for c in l["claims"]:
            if c["right"] is False:
                any_w = True
                w("- %s/answers/task-%s.txt:%d value %s (%s, %s) — %s" % (l["helper"], l["task"], c["line"], c["value"],
                  c["subject"], c["kind"], c.get("why")))
    if not any_w:
        w("(none)")
    w("")
    unk = [(l, c) for l in labels for c in l["claims"] if c["subject"] == "unknown" or c["right"] is None]
    if unk:
        w("### Claims with unknown subject or not judged\n")
        for l, c in unk:
            w("- %s/answers/task-%s.txt:%d value %s subject %s right %s" % (l["helper"], l["task"], c["line"], c["value"], c["subject"], c["right"]))
        w("")
    w("## Overrides\n")
    n = 0
    for (h, t), ov in sorted(REPLY_OVERRIDES.items()):
        w("- reply %s/task-%s: %s" % (h, t, ov["reason"]))
        n += 1
    for (h, t), ov in sorted(STEP_OVERRIDES.items()):
        for line, o in sorted(ov.items()):
            w("- steps %s/task-%s line %d: %s" % (h, t, line, o["reason"]))
            n += 1
    for (h, t), ov in sorted(CLAIM_OVERRIDES.items()):
        for item in ov.get("add", []):
            w("- claim added %s/task-%s line %d value %s: %s" % (h, t, item["line"], item["value"], item.get("reason", "")))
            n += 1
        for item in ov.get("drop", []):
            w("- claim dropped %s/task-%s line %d value %s: %s" % (h, t, item[0], item[1], ov.get("drop_reason", {}).get(item, "")))
            n += 1
        for k, upd in ov.get("set", {}).items():
            w("- claim changed %s/task-%s line %d value %s: %s" % (h, t, k[0], k[1], upd.get("reason", "")))
            n += 1
    if not n:
        w("(none)")
    w("")
    sk = [(l, s) for l in labels for s in l["skipped"]]
    w("## Skipped (written but not judged as a step): %d\n" % len(sk))
    for l, s in sk:
        w("- %s/task-%s:%d `%s` — %s" % (l["helper"], l["task"], s["line"], s["text"], s["why"]))
    w("")
    with open(path, "w") as f:
        f.write("\n".join(out))


if __name__ == "__main__":
    main()
