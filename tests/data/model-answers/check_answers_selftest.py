#!/usr/bin/env python3
"""Mutation self-test: change one digit of every judged step's result and check that the
step is then judged wrong (and that nothing else about the step list shifts).
Also checks the RFC 1071 checksum on the corpus requests and a few reference replies."""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import check_answers as check  # noqa: E402
from check_answers import extract_steps  # noqa: E402

HEXD = "0123456789abcdef"


def mutate(ch, plain):
    if ch.isdigit() and plain:
        return "1" if ch != "1" else "2"
    lo = ch.lower()
    if lo not in HEXD:
        return None
    n = HEXD[(HEXD.index(lo) + 1) % 16]
    if plain and not n.isdigit():
        n = "0" if lo != "0" else "1"
    return n.upper() if ch.isupper() else n


REQ = "4500001c3a11400040017cccc0000201c00002020800dbd31c2b0001"
REP = "4500001c3a11400040017cccc0000202c00002010000e3d31c2b0001"
REPLY_CASES = [
    ('{"reply_hex": "%s"}' % REP, ("packet", REP, 1)),
    ('{"reply_hex": null}', ("no_reply", None, 1)),
    ("```json\n{\"reply_hex\": \"%s\"}\n```" % REP, ("packet", REP, 2)),
    ("I will not say NO REPLY here: the request is fine.\n\n```hex\n%s\n```\n" % REP, ("packet", REP, 4)),
    ("```\n%s\n```\nwork...\n```hex\n%s\n```" % (REQ, REP), ("packet", REP, 6)),
    ("Parsing...\n```\n%s\n```\nBad checksum.\n\nNO REPLY" % REQ, ("no_reply", None, 7)),
    ("Reply:\n%s\n\n(as one line:)\n%s" % (" ".join(REP[i:i + 8] for i in range(0, len(REP), 8)), REP),
     ("packet", REP, 5)),
    ("45 00 00 1c 3a 11 40 00 40 01 7c cc c0 00 02 02\nc0 00 02 01 00 00 e3 d3 1c 2b 00 01", ("packet", REP, 1)),
    ("The checksum is bad, so this datagram is silently discarded.", ("no_reply", None, 1)),
    ("I am not sure.", ("unparseable", None, None)),
    ("**NO REPLY**", ("no_reply", None, 1)),
]


def reply_tests():
    bad = 0
    for text, want in REPLY_CASES:
        got, how = check.extract_reply(text)
        g = (got["kind"], got["hex"], got["line"])
        if g != want:
            bad += 1
            print("REPLY RULE FAIL %r: got %r (%s), want %r" % (text[:60], g, how, want))
    print("reply-rule cases: %d, failed: %d" % (len(REPLY_CASES), bad))
    return bad


def verdict_tests():
    """Reference replies judge correct; single-byte damage in each field is caught; allowed
    variations (options dropped, ID/TOS/DF/flow label changed) stay correct."""
    reqs, pmap, rows = check.load_inputs(os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus"))
    bad = n = 0
    for name, hx in reqs.items():
        req = check.analyze_request(bytes.fromhex(hx))
        if not req["reply_due"]:
            continue
        good = check.build_reply(req)
        variants = [good]
        if req["version"] == 4:
            if req["ihl"] > 20:
                variants.append(check.build_reply(req, "drop"))
            b = bytearray(good)
            b[4] ^= 0x55; b[1] ^= 0x04; b[6] ^= 0x40  # ID, TOS, DF
            b[10:12] = b"\x00\x00"
            b[10:12] = check.checksum(bytes(b[:(b[0] & 15) * 4])).to_bytes(2, "big")
            variants.append(bytes(b))
        else:
            b = bytearray(good)
            b[1] ^= 0x0F; b[3] ^= 0x01  # traffic class / flow label bits
            variants.append(bytes(b))
        for v in variants:
            n += 1
            w, d, _ = check.judge_reply(req, v)
            if w:
                bad += 1
                print("VERDICT FAIL %s allowed variant judged wrong: %s" % (name, d))
        fields = [(8, "ttl"), (10, "ip_checksum"), (13, "src"), (17, "dst")] if req["version"] == 4 else \
            [(7, "hop_limit"), (9, "src"), (30, "dst")]
        icmp0 = len(good) - len(req["icmp"])
        fields += [(icmp0, "icmp_type"), (icmp0 + 2, "icmp_checksum"), (icmp0 + 4, "identifier"),
                   (icmp0 + 6, "sequence")]
        if len(req["icmp"]) > 8:
            fields.append((len(good) - 1, "data"))
        for off, field in fields:
            b = bytearray(good)
            b[off] ^= 0x01
            n += 1
            w, d, _ = check.judge_reply(req, bytes(b))
            if field not in w:
                bad += 1
                print("VERDICT FAIL %s: damage at byte %d not reported as %s (got %s)" % (name, off, field, w))
    print("verdict cases: %d, failed: %d" % (n, bad))
    return bad


def main():
    rbad = reply_tests() + verdict_tests()
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        check.main(["--out", tmp])
        labels = json.load(open(os.path.join(tmp, "labels.json")))
    fails = total = 0
    for lab in labels:
        text = open(lab["file"], encoding="utf-8").read()
        ov = check.STEP_OVERRIDES.get((lab["helper"], lab["task"]))
        base_steps, _ = extract_steps(text, ov)
        for st in base_steps:
            if not st["right"]:
                continue
            res = text[st["result_offset"]:st["result_offset"] + st["result_length"]]
            plain = all(c.isdigit() or c == " " for c in res)
            # change the last digit of the result
            pos = None
            for k in range(len(res) - 1, -1, -1):
                if res[k].lower() in HEXD:
                    pos = k
                    break
            if pos is None:
                continue
            new = mutate(res[pos], plain)
            off = st["result_offset"] + pos
            mtext = text[:off] + new + text[off + 1:]
            msteps, _ = extract_steps(mtext, ov)
            total += 1
            same = [m for m in msteps if m["result_offset"] == st["result_offset"] and m["line"] == st["line"]]
            if not same or any(m["right"] for m in same):
                fails += 1
                print("NOT CAUGHT %s/task-%s:%d %r -> %r %s" % (lab["helper"], lab["task"], st["line"], st["text"],
                      res[:pos] + new + res[pos + 1:], "missing" if not same else ""))
    print("mutations: %d, not caught: %d" % (total, fails))
    return 1 if fails or rbad else 0


if __name__ == "__main__":
    sys.exit(main())
