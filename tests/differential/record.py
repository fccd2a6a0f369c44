#!/usr/bin/env python3
"""Records a real kernel's answers to the generated echo requests (root; stdlib only).

Creates three network namespaces: a sender, the host under test on a veth pair and the host
under test on a TUN device (both with the addresses of generate.py, their defaults untouched
otherwise), sends every request of the plan, records each host's link with tcpdump, and always
deletes the namespaces. Addresses come only from 192.0.2.0/24, 198.51.100.0/24 and
2001:db8::/32.

    sudo python3 record.py --seed 1 --count 2000 --out tests/differential/
writes seed-1.veth.pcap and seed-1.tun.pcap, and seed-1.plan.json (the plan, for reading; not
stored: generate.py rebuilds it from the seed).
"""

import argparse
import fcntl
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import generate  # noqa: E402

SENDER_MAC = "02:00:00:00:00:0a"
HOST_MAC = "02:00:00:00:00:0b"


def run(*args, check=True):
    return subprocess.run(list(args), check=check, capture_output=True, text=True)


def ns(name, *args, check=True):
    return run("ip", "netns", "exec", name, *args, check=check)


def mac(text):
    return bytes(int(x, 16) for x in text.split(":"))


def group_mac(datagram):
    if datagram[0] >> 4 == 4:
        return bytes([1, 0, 0x5E, datagram[17] & 0x7F, datagram[18], datagram[19]])
    return bytes([0x33, 0x33]) + datagram[36:40]


def frame_for(item, datagram):
    dst = {"host": mac(HOST_MAC), "broadcast": b"\xff" * 6,
           "multicast": bytes([1, 0, 0x5E, 0, 0, 1]) if item["family"] == 4 else
           bytes([0x33, 0x33, 0, 0, 0, 1]), "group": group_mac(datagram)}[item["eth_dst"]]
    ethertype = 0x0800 if item["family"] == 4 else 0x86DD
    return dst + mac(SENDER_MAC) + struct.pack("!H", ethertype) + datagram


def sender(plan_path, gap):
    """Runs inside the sender namespace: opens the TUN device, then sends on "go"."""
    plan = json.load(open(plan_path))
    tun = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(tun, 0x400454CA, struct.pack("16sH", b"dtun0", 0x0001 | 0x1000))  # TUN, NO_PI
    raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    raw.bind(("dva", 0))
    print("ready", flush=True)
    sys.stdin.readline()
    for item in plan["requests"]:
        for hex_datagram in item["packets"]:
            datagram = bytes.fromhex(hex_datagram)
            if item["link"] == "tun":
                os.write(tun, datagram)
            else:
                raw.send(frame_for(item, datagram))
        time.sleep(gap)
        try:
            while os.read(tun, 70000):  # the replies: drained so the queue never fills
                pass
        except BlockingIOError:
            pass
    time.sleep(1.0)
    print("done", flush=True)
    sys.stdin.readline()


def configure_host(name, dev, tun):
    ip = lambda *a: ns(name, "ip", *a)  # noqa: E731
    if not tun:
        ip("link", "set", dev, "address", HOST_MAC)
    ip("link", "set", "lo", "up")
    ip("link", "set", dev, "addrgenmode", "none")
    ip("link", "set", dev, "up")
    ip("addr", "add", generate.HOST4 + "/24", "brd", "+", "dev", dev)
    ip("-6", "addr", "add", generate.HOST6 + "/64", "dev", dev, "nodad")
    ip("-6", "addr", "add", generate.HOST_LL + "/64", "dev", dev, "nodad")
    if tun:
        ip("route", "add", "default", "dev", dev)
        ip("-6", "route", "add", "default", "dev", dev)
        return
    for peer in (generate.PEER4, generate.PEER6, generate.PEER_LL):
        ip("neigh", "replace", peer, "lladdr", SENDER_MAC, "nud", "permanent", "dev", dev)
    ip("route", "add", "default", "via", generate.PEER4)
    ip("-6", "route", "add", "default", "via", generate.PEER6)


def start_tcpdump(name, dev, path):
    p = subprocess.Popen(["ip", "netns", "exec", name, "tcpdump", "-i", dev, "-s", "0", "-U",
                          "-n", "-w", path], stderr=subprocess.PIPE, text=True)
    line = p.stderr.readline()
    if "listening" not in line:
        raise RuntimeError("tcpdump did not start: " + line)
    return p


def record(seed, count, out_dir, gap):
    tag = "%d-%d" % (os.getpid(), seed)
    sender_ns, veth_ns, tun_ns = "dsend-" + tag, "dveth-" + tag, "dtun-" + tag
    base = os.path.join(out_dir, "seed-%d" % seed)
    plan_path = base + ".plan.json"
    g = generate.Gen(seed)
    plan = {"seed": seed, "requests": [g.request(i) for i in range(count)]}
    with open(plan_path, "w") as f:
        json.dump(plan, f)
    made, dumps, child = [], [], None
    try:
        for name in (sender_ns, veth_ns, tun_ns):
            run("ip", "netns", "add", name)
            made.append(name)
        run("ip", "link", "add", "dva", "netns", sender_ns, "address", SENDER_MAC, "type",
            "veth", "peer", "name", "dvb", "netns", veth_ns)
        ns(sender_ns, "ip", "link", "set", "dva", "addrgenmode", "none")
        ns(sender_ns, "ip", "link", "set", "dva", "up")
        configure_host(veth_ns, "dvb", tun=False)
        child = subprocess.Popen(["ip", "netns", "exec", sender_ns, sys.executable,
                                  os.path.abspath(__file__), "--send", plan_path, "--gap",
                                  str(gap)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                 text=True)
        if child.stdout.readline().strip() != "ready":
            raise RuntimeError("the sender did not start")
        ns(sender_ns, "ip", "link", "set", "dtun0", "netns", tun_ns)
        configure_host(tun_ns, "dtun0", tun=True)
        sysctls = ns(veth_ns, "sysctl", "net.ipv4.icmp_echo_ignore_broadcasts",
                     "net.ipv4.conf.all.accept_source_route", "net.ipv4.conf.all.rp_filter",
                     "net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding",
                     "net.ipv6.conf.all.seg6_enabled", "net.ipv6.icmp.echo_ignore_multicast",
                     "net.ipv4.cipso_rbm_strictvalid", check=False).stdout
        time.sleep(0.5)
        dumps.append(start_tcpdump(veth_ns, "dvb", base + ".veth.pcap"))
        dumps.append(start_tcpdump(tun_ns, "dtun0", base + ".tun.pcap"))
        time.sleep(0.5)
        child.stdin.write("go\n")
        child.stdin.flush()
        if child.stdout.readline().strip() != "done":
            raise RuntimeError("the sender failed")
        print("kernel", os.uname().release, file=sys.stderr)
        print(sysctls, file=sys.stderr, end="")
    finally:
        for p in dumps:
            p.send_signal(signal.SIGINT)
            p.wait(timeout=10)
        if child is not None:
            try:
                child.stdin.write("bye\n")
                child.stdin.close()
            except (BrokenPipeError, ValueError):
                pass
            child.wait(timeout=10)
        for name in made:
            run("ip", "netns", "del", name, check=False)
    return base


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=2200)
    ap.add_argument("--out", default=HERE)
    ap.add_argument("--gap", type=float, default=0.002, help="seconds between requests")
    ap.add_argument("--send", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.send:
        sender(a.send, a.gap)
        return
    if os.geteuid() != 0:
        sys.exit("record.py needs root (network namespaces, tcpdump)")
    print(record(a.seed, a.count, a.out, a.gap))


if __name__ == "__main__":
    main()
