#!/usr/bin/env python3
"""Compares stored kernel recordings with the tool (no root; stdlib only).

For every seed-N.{veth,tun}.pcap in the folder: `grade --profile linux` pairs the kernel's own
replies with the requests; every request the kernel answered must grade `correct`, every one it
left unanswered (dropped, or answered only with an ICMP error) `silent_ok`, and none `wrong`,
`no_reply` or `unexpected_reply`. Then `--model reference --profile linux` must build the
kernel's bytes (apart from the IP ID, the IPv4 header checksum, Timestamp clock values and the
IPv6 flow label), except the documented differences (README "Where linux differs from the
kernel"). Disagreements are listed by class (what generate.py varied).

    python3 compare.py --tool build/llmstack-replay [--dir tests/differential] [--seed N]
Exit status: 0 when everything agrees, 1 otherwise.
"""

import argparse
import collections
import glob
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import generate  # noqa: E402


def run_tool(tool, args):
    return subprocess.run([tool] + args, capture_output=True, text=True)


def masked(reply_hex, request_hex):
    """The reply without what a host chooses itself (IP ID, header checksum, flow label,
    Timestamp clock values)."""
    b = bytearray(bytes.fromhex(reply_hex))
    if not b:
        return ""
    if b[0] >> 4 == 6:
        b[1] &= 0xF0
        b[2] = b[3] = 0
        return b.hex()
    b[4] = b[5] = b[10] = b[11] = 0
    ihl = (b[0] & 0x0F) * 4
    at = 20
    while at < ihl:
        t = b[at]
        if t in (0, 1):
            at += 1
            continue
        if at + 1 >= ihl or b[at + 1] < 2:
            break
        length = b[at + 1]
        if t == 68 and length >= 4:
            flag = b[at + 3] & 0x0F
            step, first = (4, 4) if flag == 0 else (8, 8)
            k = at + first
            while k + 4 <= at + length:
                b[k : k + 4] = bytes(4)
                k += step
        at += length
    return b.hex()


def request_key(p):
    return (4 if p["request"]["family"] == "ipv4" else 6, p["request"]["seq"])


def compare(tool, capture, count):
    seed = int(os.path.basename(capture).split("-")[1].split(".")[0])
    g = generate.Gen(seed)
    notes = {}
    for i in range(count):
        item = g.request(i)
        notes[(item["family"], g.seq & 0xFFFF)] = item["note"]
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        graded, replayed = os.path.join(tmp, "g.json"), os.path.join(tmp, "r.json")
        out = os.path.join(tmp, "out.pcap")
        r = run_tool(tool, ["grade", capture, "--profile", "linux", "-q", "-r", graded])
        if r.returncode not in (0, 1):
            return [("tool", "grade failed: " + r.stderr.strip())], 0
        r = run_tool(tool, [capture, "-o", out, "--model", "reference", "--profile", "linux",
                            "--include-negatives", "-q", "-r", replayed])
        if r.returncode not in (0, 1):
            return [("tool", "reference run failed: " + r.stderr.strip())], 0
        kernel = json.load(open(graded))["packets"]
        reference = {request_key(p): p for p in json.load(open(replayed))["packets"]}
    for p in kernel:
        key = request_key(p)
        note = notes.get(key, "?")
        where = "%s seq %d (%s)" % (os.path.basename(capture), key[1], note)
        verdict = p["verdict"]
        answered = p["reply"] is not None
        if verdict not in ("correct", "silent_ok"):
            fails = [f["name"] for f in p.get("fields", []) if f["grade"] == "fail"]
            why = p.get("why_silent") or ""
            problems.append((note, "%s: kernel %s, grade says %s %s%s" % (
                where, "answered" if answered else "silent", verdict, ",".join(fails),
                (" [" + why + "]") if why else "")))
            continue
        if not answered:
            ref = reference.get(key)
            if ref and ref.get("reply") and ref["reply"].get("hex"):
                problems.append((note, where + ": kernel silent, reference answers"))
            continue
        if p.get("why_silent"):
            continue  # a reply is optional: the reference never guesses, it stays silent
        ref = reference.get(key)
        if ref is None or not ref.get("reply") or not ref["reply"].get("hex"):
            problems.append((note, where + ": kernel answered, reference silent"))
            continue
        a = masked(p["reply"]["hex"], p["request"]["hex"])
        b = masked(ref["reply"]["hex"], p["request"]["hex"])
        if a != b and not documented_difference(p, a, b):
            problems.append((note, "%s: reference bytes differ\n  kernel    %s\n  reference %s"
                             % (where, a, b)))
    return problems, len(kernel)


def documented_difference(p, kernel_hex, reference_hex):
    """The README's list: the all-zero message gets 0xFFFF where the kernel sends 0x0000."""
    k, r = bytearray.fromhex(kernel_hex), bytearray.fromhex(reference_hex)
    if len(k) != len(r) or k[0] >> 4 != 4:
        return False
    h = (k[0] & 0x0F) * 4
    if k[h + 2 : h + 4] == b"\0\0" and r[h + 2 : h + 4] == b"\xff\xff":
        k[h + 2 : h + 4] = r[h + 2 : h + 4] = b"\0\0"
        return k == r and not any(k[h:])
    return False


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tool", required=True)
    ap.add_argument("--dir", default=HERE)
    ap.add_argument("--seed", type=int)
    ap.add_argument("--count", type=int, default=2200)
    ap.add_argument("-v", "--verbose", action="store_true", help="every disagreement")
    a = ap.parse_args()
    pattern = "seed-%s.*.pcap" % (a.seed if a.seed is not None else "*")
    captures = sorted(glob.glob(os.path.join(a.dir, pattern)))
    if not captures:
        sys.exit("no recordings match " + os.path.join(a.dir, pattern))
    all_problems, total = [], 0
    for capture in captures:
        problems, n = compare(a.tool, capture, a.count)
        all_problems += problems
        total += n
    by_class = collections.defaultdict(list)
    for note, text in all_problems:
        by_class[note].append(text)
    for note, texts in sorted(by_class.items(), key=lambda kv: -len(kv[1])):
        print("== %s: %d" % (note, len(texts)))
        for t in texts if a.verbose else texts[:5]:
            print("  " + t)
    print("%d requests compared, %d disagreements in %d classes" % (
        total, len(all_problems), len(by_class)))
    return 1 if all_problems or total == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
