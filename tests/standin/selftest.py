#!/usr/bin/env python3
"""Self-test of the stand-in server: starts it, talks to it with urllib, checks the answers.

Run: python3 tests/standin/selftest.py   (exit 0 when every check passes)
"""

import concurrent.futures
import http.client
import ipaddress
import json
import os
import re
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
KEY = "sk-standin-selftest-secret-0123"
FAILURES = []


def check(cond, what):
    print(("ok    " if cond else "FAIL  ") + what)
    if not cond:
        FAILURES.append(what)


# ---- independent packet helpers (not the server's code) ----

def csum(data):
    if len(data) % 2:
        data += b"\x00"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def echo4(src, dst, ident, seq, data, bad_icmp=False):
    icmp = bytearray(struct.pack("!BBHHH", 8, 0, 0, ident, seq) + data)
    icmp[2:4] = struct.pack("!H", csum(bytes(icmp)) ^ (1 if bad_icmp else 0))
    hdr = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), 0x1234, 0x4000, 57, 1, 0,
                                ipaddress.ip_address(src).packed, ipaddress.ip_address(dst).packed))
    hdr[10:12] = struct.pack("!H", csum(bytes(hdr)))
    return bytes(hdr + icmp)


def echo6(src, dst, ident, seq, data):
    s, d = ipaddress.ip_address(src).packed, ipaddress.ip_address(dst).packed
    icmp = bytearray(struct.pack("!BBHHH", 128, 0, 0, ident, seq) + data)
    icmp[2:4] = struct.pack("!H", csum(s + d + struct.pack("!I3xB", len(icmp), 58) + bytes(icmp)))
    return struct.pack("!IHBB", 0x60000000, len(icmp), 58, 64) + s + d + bytes(icmp)


def good_reply4(req, rep):
    """True when `rep` is a correct echo reply to IPv4 `req`."""
    return (len(rep) == len(req) and csum(rep[:20]) == 0 and csum(rep[20:]) == 0 and rep[8] == 64
            and rep[12:16] == req[16:20] and rep[16:20] == req[12:16] and rep[20] == 0
            and rep[24:] == req[24:])


def extract(text):
    """What a client extractor would do: last fenced block, else JSON, else all hex pairs."""
    fenced = re.findall(r"```(?:hex)?\n(.*?)```", text, re.S)
    if fenced:
        return bytes.fromhex(fenced[-1].strip())
    if text.lstrip().startswith("{"):
        return bytes.fromhex(json.loads(text)["reply_hex"])
    tail = text.split("Final reply packet:")[-1]
    return bytes.fromhex(re.sub(r"0x|[\s:]", "", tail))


# ---- HTTP helpers ----

class Client:
    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"

    def call(self, path, body=None, headers=None, key=KEY, timeout=10):
        """Returns (status, headers, parsed JSON or raw bytes)."""
        hdrs = {"content-type": "application/json", **(headers or {})}
        if path == "/v1/messages":
            hdrs.setdefault("anthropic-version", "2023-06-01")
            if key:
                hdrs["x-api-key"] = key
        elif path == "/v1/chat/completions" and key:
            hdrs["authorization"] = f"Bearer {key}"
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, headers=hdrs)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                status, h, raw = r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            status, h, raw = e.code, e.headers, e.read()
        try:
            return status, h, json.loads(raw)
        except ValueError:
            return status, h, raw

    def messages(self, packet, headers=None, **extra):
        body = {"model": "claude-haiku-4-5", "max_tokens": 4096,
                "messages": [{"role": "user", "content": f"Answer this ping. Request: {packet.hex()}"}]}
        body.update(extra)
        return self.call("/v1/messages", body, headers)

    def chat(self, packet, headers=None, **extra):
        body = {"model": "gpt-test", "messages": [
            {"role": "system", "content": "You are an IP stack."},
            {"role": "user", "content": f"Request datagram:\n{packet.hex()}\n"}]}
        body.update(extra)
        return self.call("/v1/chat/completions", body, headers)

    def control(self, **settings):
        return self.call("/_control", settings)[2]

    def stats(self):
        return self.call("/_stats")[2]


def text_of(msg):
    return "".join(b["text"] for b in msg["content"] if b["type"] == "text")


def main():
    env = dict(os.environ, STANDIN_KEY=KEY)
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, "server.py"), "--port", "0",
                             "--api-key-env", "STANDIN_KEY", "--verbose"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    try:
        line = proc.stdout.readline()
        check(line.startswith("PORT "), f"server prints its port ({line.strip()})")
        run(Client(int(line.split()[1])))
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=10)
    check(KEY not in out + err and KEY not in line, "the API key never appears on stdout/stderr")
    print(f"\n{len(FAILURES)} failure(s)" if FAILURES else "\nall checks passed")
    return 1 if FAILURES else 0


def run(c):
    p1 = echo4("172.16.0.1", "172.16.0.2", 0x000D, 1, bytes(range(0x10, 0x48)))
    p2 = echo4("10.0.0.1", "10.0.0.2", 7, 2, b"abcdefghijklmnopq")   # odd length payload
    p6 = echo6("fd00::1", "fd00::2", 99, 3, b"hello ipv6")

    # Anthropic, default fenced style
    s, h, m = c.messages(p1)
    check(s == 200 and m["type"] == "message" and h["request-id"], "anthropic: 200 message with request-id")
    check(good_reply4(p1, extract(text_of(m))), "anthropic: fenced reply is a correct echo reply")
    u = m["usage"]
    check(u["input_tokens"] > 0 and u["output_tokens"] > 0 and u["cache_read_input_tokens"] == 0,
          "anthropic: usage fields present")

    # OpenAI
    s, h, m = c.chat(p2)
    check(s == 200 and m["object"] == "chat.completion" and h["x-request-id"], "openai: 200 chat.completion")
    check(good_reply4(p2, extract(m["choices"][0]["message"]["content"])), "openai: reply correct (odd payload)")
    u = m["usage"]
    check(u["total_tokens"] == u["prompt_tokens"] + u["completion_tokens"]
          and "cached_tokens" in u["prompt_tokens_details"]
          and "reasoning_tokens" in u["completion_tokens_details"], "openai: usage fields present")
    s, _, m = c.chat(p2)
    check(m["usage"]["prompt_tokens_details"]["cached_tokens"] > 0, "openai: second call reports cached tokens")

    # IPv6
    s, _, m = c.messages(p6, headers={"x-standin-behaviour": "style=bare"})
    rep = bytes.fromhex(text_of(m).strip())
    pseudo = rep[8:40] + struct.pack("!I3xB", len(rep) - 40, 58)
    check(rep[40] == 129 and rep[7] == 64 and rep[8:24] == p6[24:40] and csum(pseudo + rep[40:]) == 0,
          "ipv6: echo reply with a verifying ICMPv6 checksum")

    # every style carries the same reply
    for style in ("bare", "json", "chatty", "colons", "0x"):
        s, _, m = c.messages(p1, headers={"x-standin-behaviour": f"style={style}"})
        check(good_reply4(p1, extract(text_of(m))), f"style {style}: reply extractable and correct")

    # authentication and headers
    s, _, m = c.call(
        "/v1/messages", {"model": "m", "max_tokens": 10, "messages": [{"role": "user", "content": "x"}]},
        key=None)
    check(s == 401 and m["error"]["type"] == "authentication_error" and KEY not in json.dumps(m),
          "anthropic: 401 authentication_error without key")
    s, _, m = c.call("/v1/chat/completions", {"model": "m", "messages": [{"role": "user", "content": "x"}]},
                     key="wrong-key")
    check(s == 401 and set(m["error"]) == {"message", "type", "param", "code"} and "wrong-key" not in
          json.dumps(m), "openai: 401 with OpenAI error body, key not echoed")
    s, _, m = c.call("/v1/messages", {"model": "m", "max_tokens": 10, "messages": [
        {"role": "user", "content": "x"}]}, headers={"anthropic-version": ""})
    check(s == 400 and m["error"]["type"] == "invalid_request_error", "anthropic: 400 without anthropic-version")

    # negatives
    bad = echo4("10.0.0.1", "10.0.0.2", 1, 9, b"xyz", bad_icmp=True)
    s, _, m = c.messages(bad)
    check("NO REPLY" in text_of(m), "bad ICMP checksum: NO REPLY")
    s, _, m = c.messages(echo4("10.0.0.1", "255.255.255.255", 1, 1, b""))
    check("NO REPLY" in text_of(m), "broadcast destination: NO REPLY")
    s, _, m = c.messages(bad, headers={"x-standin-behaviour": "mistakes=reply_to_negative"})
    check("```hex" in text_of(m), "mistake reply_to_negative answers a bad-checksum request")

    # faults: a 429 three times for one packet, then a proper answer
    p3 = echo4("10.0.0.1", "10.0.0.2", 3, 3, b"fault")
    hdr = {"x-standin-behaviour": "rate_429=1,retry_after_s=0.1"}
    statuses = []
    for _ in range(4):
        s, h, m = c.messages(p3, headers=hdr)
        statuses.append(s)
    check(statuses == [429, 429, 429, 200], f"rate_429 stops after fault_max_per_packet ({statuses})")
    s, h, m = c.messages(echo4("10.0.0.1", "10.0.0.2", 3, 4, b"x"), headers=hdr)
    check(s == 429 and h["retry-after"] == "0.1" and m["error"]["type"] == "rate_limit_error",
          "429 body and retry-after: 0.1")
    s, h, m = c.messages(p3, headers={"x-standin-behaviour": "rate_429=1,fault_max_per_packet=9,"
                                                             "retry_after_form=date"})
    check(s == 429 and h["retry-after"].endswith("GMT"), "retry-after as HTTP-date")
    s, h, m = c.messages(p3, headers={"x-standin-behaviour": "rate_spend_limit=1,fault_max_per_packet=9"})
    check(s == 429 and "retry-after" not in h and
          m["error"]["details"]["error_code"] == "enforced_spend_limit_reached", "spend-limit 429")
    s, h, m = c.chat(p3, headers={"x-standin-behaviour": "rate_529=1,fault_max_per_packet=9"})
    check(s == 529 and m["error"]["type"] == "server_error", "529 with the OpenAI error body")
    p4 = echo4("10.0.0.1", "10.0.0.2", 4, 4, b"drop")
    for name, expect in (("rate_drop", http.client.RemoteDisconnected),
                         ("rate_cut_body", http.client.IncompleteRead)):
        try:
            c.messages(p4, headers={"x-standin-behaviour": f"{name}=1,fault_max_per_packet=99"})
            got = None
        except Exception as e:   # urllib wraps some transport errors in URLError
            got = e.reason if isinstance(e, urllib.error.URLError) else e
        check(isinstance(got, expect), f"{name}: client sees {expect.__name__} ({type(got).__name__})")
    s, _, m = c.messages(p4, headers={"x-standin-behaviour": "rate_malformed_json=1,fault_max_per_packet=9"})
    check(s == 200 and isinstance(m, bytes), "rate_malformed_json: 200 with invalid JSON")
    s, _, m = c.messages(p4, headers={"x-standin-behaviour": "rate_error_200=1,fault_max_per_packet=9"})
    check(s == 200 and m["type"] == "error", "rate_error_200: 200 with an error body")
    t = time.monotonic()
    s, _, m = c.messages(p4, headers={"x-standin-behaviour": "rate_slow_body=1,slow_s=0.5,fault_max_per_packet=9"})
    check(s == 200 and time.monotonic() - t >= 0.5 and m["type"] == "message", "rate_slow_body stalls mid-body")
    s, h, m = c.messages(p4, headers={"x-standin-behaviour": "rate_huge_body=1,huge_mb=3,fault_max_per_packet=9"})
    check(s == 200 and int(h["content-length"]) > 3 << 20 and m["type"] == "message", "rate_huge_body")
    s, _, m = c.messages(p4, headers={"x-standin-behaviour": "status_override=403"})
    check(s == 403 and m["error"]["type"] == "permission_error", "status_override 403")

    # mistakes by sequence number, recorded in the stats
    c.control(mistakes=["carry_dropped", "type_unchanged"], mistake_by_seq=True, style="bare")
    p5 = echo4("192.0.2.1", "192.0.2.2", 0x4242, 2, b"\xff" * 40)   # seq 2 -> type_unchanged
    rep = bytes.fromhex(text_of(c.messages(p5)[2]).strip())
    check(rep[20] == 8 and csum(rep[20:]) == 0, "mistake_by_seq: seq 2 gets type_unchanged")
    p7 = echo4("192.0.2.1", "192.0.2.2", 0x4242, 1, b"\xff" * 40)   # seq 1 -> carry_dropped
    rep = bytes.fromhex(text_of(c.messages(p7)[2]).strip())
    check(rep[20] == 0 and csum(rep[20:]) != 0, "mistake_by_seq: seq 1 gets carry_dropped")
    c.control(reset_config=True)

    # rules target one packet; mistake_every counts distinct packets in arrival order
    c.call("/_reset", {})
    c.control(rules=[{"match": {"seq": 2}, "set": {"status_override": 503}}],
              mistakes=["no_reply"], mistake_every=2)
    got = [c.messages(echo4("192.0.2.7", "192.0.2.8", 1, seq, b"r"))[0:3:2] for seq in (1, 2, 3, 4)]
    check([s for s, _ in got] == [200, 503, 200, 200], "rules: seq 2 answered 503")
    check("NO REPLY" not in text_of(got[0][1]) and "NO REPLY" in text_of(got[3][1]),
          "mistake_every=2: the 4th distinct packet gets no_reply")
    st = c.stats()
    check(st["mistakes"] == {"no_reply": 1} and st["by_status"] == {"200": 3, "503": 1}
          and [r["outcome"] for r in st["requests"]] == ["answer", "status_override:503", "answer",
                                                           "answer:no_reply"], "stats after rules")
    c.control(reset_config=True)

    # protocol mistakes
    s, _, m = c.messages(p1, headers={"x-standin-behaviour": "protocol_mistake=missing_content"})
    check(s == 200 and "content" not in m, "protocol_mistake missing_content")
    s, _, m = c.chat(p1, headers={"x-standin-behaviour": "protocol_mistake=empty_choices"})
    check(m["choices"] == [], "protocol_mistake empty_choices")
    s, _, m = c.messages(p1, thinking={"type": "enabled", "budget_tokens": 2048})
    check([b["type"] for b in m["content"]] == ["thinking", "text"] and m["content"][0]["signature"],
          "thinking requested: thinking block with signature before the text")

    # prompt caching
    body = {"model": "claude-haiku-4-5", "max_tokens": 4096,
            "system": [{"type": "text", "text": "You are an IP stack. " * 50, "cache_control": {"type": "ephemeral"}}],
            "messages": [{"role": "user", "content": p1.hex()}]}
    u1 = c.call("/v1/messages", body)[2]["usage"]
    u2 = c.call("/v1/messages", body)[2]["usage"]
    check(u1["cache_creation_input_tokens"] > 0 and u1["cache_read_input_tokens"] == 0
          and u2["cache_read_input_tokens"] == u1["cache_creation_input_tokens"]
          and u2["cache_creation_input_tokens"] == 0, "prompt caching: creation then read")

    # keep-alive: several requests on one connection
    conn = http.client.HTTPConnection("127.0.0.1", int(c.base.rsplit(":", 1)[1]), timeout=10)
    socks = set()
    for _ in range(3):
        conn.request("POST", "/v1/chat/completions", json.dumps({"model": "m", "messages": [
            {"role": "user", "content": p1.hex()}]}), {"Authorization": f"Bearer {KEY}"})
        r = conn.getresponse()
        r.read()
        socks.add(id(conn.sock))
    check(len(socks) == 1 and r.status == 200, "keep-alive: three requests on one connection")
    conn.close()

    # concurrency and stats
    c.call("/_reset", {})
    c.control(latency_ms=300)
    packets = [echo4("198.51.100.1", "198.51.100.2", 5, i, b"load") for i in range(1, 65)]
    t = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(64) as pool:
        results = list(pool.map(c.messages, packets))
    elapsed = time.monotonic() - t
    st = c.stats()
    check(all(r[0] == 200 for r in results) and elapsed < 2.5,
          f"64 concurrent requests at 300 ms latency in {elapsed:.2f} s")
    check(st["max_in_flight"] >= 48 and st["requests_total"] == 64 and st["by_status"] == {"200": 64},
          f"stats: max_in_flight {st['max_in_flight']}, by_status {st['by_status']}")
    rec = st["packets"][packets[0].hex()]
    check(rec["answers_200"] == 1 and rec["seq"] == 1 and rec["expect_reply"] and rec["mistake"] is None
          and st["requests"][0]["answered_s"] >= st["requests"][0]["arrived_s"] + 0.29, "stats: per-packet record")
    check(KEY not in json.dumps(st), "stats never contain the API key")


if __name__ == "__main__":
    sys.exit(main())
