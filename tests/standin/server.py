#!/usr/bin/env python3
"""Local stand-in for the Anthropic Messages API and the OpenAI Chat Completions API (tests only).

It finds the ICMP echo request (hex) in the last user message, builds the correct echo reply
itself (RFC 792 / RFC 4443, checksums per RFC 1071) and answers in a chosen style, optionally with
deliberate mistakes, wire-format mistakes and injected HTTP faults. See README.md beside it for
flags, the control JSON, the per-request header and the /_stats format. Python 3 stdlib only.
"""

import argparse
import base64
import email.utils
import hashlib
import hmac
import ipaddress
import json
import math
import os
import random
import re
import signal
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STYLES = ("fenced", "bare", "json", "chatty", "colons", "0x")
FAULTS = ("rate_429", "rate_529", "rate_500", "rate_503", "rate_drop", "rate_slow_body",
          "rate_cut_body", "rate_malformed_json", "rate_error_200", "rate_huge_body",
          "rate_spend_limit", "rate_400", "rate_401", "rate_404")
CHECKSUM_MISTAKES = ("icmp_checksum_unchanged", "carry_dropped", "not_complemented", "byte_swapped")
REPLY_MISTAKES = CHECKSUM_MISTAKES + ("ip_checksum_unchanged", "ttl_zero", "type_unchanged",
                                      "no_swap", "data_changed", "truncated", "ident_wrong")
MISTAKES = REPLY_MISTAKES + ("unparseable", "no_reply", "reply_to_negative", "none")
PROTOCOL_MISTAKES = ("", "missing_content", "empty_choices", "wrong_content_type_header",
                     "text_block_missing", "null_content")

DEFAULTS = {
    "style": "fenced", "thinking": False, "latency_ms": 0.0, "jitter_ms": 0.0,
    **{name: 0.0 for name in FAULTS},
    "retry_after_s": 1.0, "retry_after_form": "seconds", "slow_s": 5.0, "huge_mb": 50.0,
    "drop_mode": "close", "fault_max_per_packet": 3, "seed": 1,
    "mistakes": [], "mistake_every": 1, "mistake_by_seq": False,
    "protocol_mistake": "", "status_override": 0, "x_should_retry": "",
    "no_usage": False, "models": [], "cache_min_tokens": 0, "honour_max_tokens": True,
    "rules": [],
}
CHOICES = {"style": STYLES, "protocol_mistake": PROTOCOL_MISTAKES, "drop_mode": ("close", "reset"),
           "retry_after_form": ("seconds", "date", "ms", "none"), "x_should_retry": ("", "true", "false")}
RULE_MATCH_KEYS = ("seq", "ident", "hex", "family", "order")

ANTHROPIC_ERRORS = {400: "invalid_request_error", 401: "authentication_error", 402: "billing_error",
                    403: "permission_error", 404: "not_found_error", 413: "request_too_large",
                    429: "rate_limit_error", 500: "api_error", 504: "timeout_error",
                    529: "overloaded_error"}
OPENAI_ERRORS = {400: ("invalid_request_error", None), 401: ("invalid_request_error", "invalid_api_key"),
                 403: ("permission_error", None), 404: ("invalid_request_error", "model_not_found"),
                 429: ("requests", "rate_limit_exceeded"), 500: ("server_error", None),
                 503: ("server_error", None), 529: ("server_error", "overloaded")}
REASONS = {529: "Overloaded"}


def coerce(key, value):
    """Returns `value` converted to the type of setting `key`; raises ValueError when invalid."""
    if key == "rules":
        return [coerce_rule(r) for r in (json.loads(value) if isinstance(value, str) else value)]
    if key not in DEFAULTS:
        raise ValueError(f"unknown setting {key!r}")
    default = DEFAULTS[key]
    if isinstance(default, bool):
        text = str(value).strip().lower()
        if value is True or text in ("1", "true", "yes", "on"):
            out = True
        elif value is False or text in ("0", "false", "no", "off", ""):
            out = False
        else:
            raise ValueError(f"{key}: not a boolean: {value!r}")
    elif isinstance(default, (int, float)):
        try:
            out = type(default)(value)
        except (TypeError, ValueError):
            raise ValueError(f"{key}: not a number: {value!r}") from None
        if key.startswith("rate_") and not 0.0 <= out <= 1.0:
            raise ValueError(f"{key}: a probability must be in [0, 1]")
        if out < 0:
            raise ValueError(f"{key}: must not be negative")
    elif isinstance(default, list):
        items = re.split(r"[,|+]", value) if isinstance(value, str) else list(value or [])
        out = [str(x).strip() for x in items if str(x).strip()]
        if key == "mistakes":
            for m in out:
                if m not in MISTAKES:
                    raise ValueError(f"unknown mistake {m!r} (known: {', '.join(MISTAKES)})")
    else:
        out = "" if value is None else str(value).strip().lower()
    if key in CHOICES and out not in CHOICES[key]:
        raise ValueError(f"{key}: {out!r} is not one of {', '.join(repr(c) for c in CHOICES[key])}")
    return out


def coerce_rule(rule):
    if not isinstance(rule, dict) or not isinstance(rule.get("set"), dict):
        raise ValueError('a rule is {"match": {...}, "set": {...}}')
    match = rule.get("match", {})
    for k in match:
        if k not in RULE_MATCH_KEYS:
            raise ValueError(f"rule match key {k!r} is not one of {', '.join(RULE_MATCH_KEYS)}")
    return {"match": match, "set": {k: coerce(k, v) for k, v in rule["set"].items() if k != "rules"}}


def parse_behaviour_header(text):
    """`name=value,name=value`; list values separated by `|` or `+`."""
    out = {}
    for pair in filter(None, (p.strip() for p in re.split(r"[,;]", text))):
        name, eq, value = pair.partition("=")
        out[name.strip()] = coerce(name.strip(), value if eq else "true")
    return out


# --------------------------------------------------------------------------------------------
# Packets: RFC 1071 checksums, echo request parsing, reply building
# --------------------------------------------------------------------------------------------

def word_sum(data):
    """Plain sum of the big-endian 16-bit words (odd length padded with a zero byte), no folding."""
    if len(data) % 2:
        data = bytes(data) + b"\x00"
    return sum(w for (w,) in struct.iter_unpack("!H", data))


def fold(total):
    while total > 0xFFFF:
        total = (total & 0xFFFF) + (total >> 16)
    return total


def checksum(data, mistake=None):
    """RFC 1071 internet checksum over `data` (checksum field already zero), or a named wrong one."""
    total = word_sum(data)
    if mistake == "carry_dropped":
        return ~total & 0xFFFF
    if mistake == "not_complemented":
        return fold(total)
    value = ~fold(total) & 0xFFFF
    if mistake == "byte_swapped":
        return ((value & 0xFF) << 8) | (value >> 8)
    return value


def verifies(data):
    return fold(word_sum(data)) == 0xFFFF


def pseudo6(src, dst, length):
    """RFC 8200 section 8.1 upper-layer pseudo-header for ICMPv6 (next header 58)."""
    return src + dst + struct.pack("!I3xB", length, 58)


class EchoRequest:
    """An IPv4 or IPv6 datagram carrying an ICMP(v6) echo request, cut to its IP length."""

    def __init__(self, family, raw, hdr_len, icmp_off):
        self.family, self.raw, self.hdr_len, self.icmp_off = family, bytes(raw), hdr_len, icmp_off
        self.icmp = self.raw[icmp_off:]
        self.ident, self.seq = struct.unpack("!HH", self.icmp[4:8])
        self.hex = self.raw.hex()
        if family == "ipv4":
            self.src, self.dst = self.raw[12:16], self.raw[16:20]
            ok_ip, ok_icmp = verifies(self.raw[:hdr_len]), verifies(self.icmp)
            broadcast = self.dst == b"\xff\xff\xff\xff"
            multicast = 224 <= self.dst[0] <= 239
        else:
            self.src, self.dst = self.raw[8:24], self.raw[24:40]
            ok_ip, ok_icmp = True, verifies(pseudo6(self.src, self.dst, len(self.icmp)) + self.icmp)
            broadcast, multicast = False, self.dst[0] == 0xFF
        self.why_silent = (None if ok_ip and ok_icmp and not broadcast and not multicast else
                           "bad IP header checksum" if not ok_ip else
                           "bad ICMP checksum" if not ok_icmp else
                           "broadcast destination" if broadcast else "multicast destination")
        self.expect_reply = self.why_silent is None

    def addr(self, b):
        return str(ipaddress.ip_address(bytes(b)))


def parse_echo_request(b):
    """Returns an EchoRequest when `b` starts with a whole, unfragmented echo request, else None."""
    if len(b) < 28:
        return None
    if b[0] >> 4 == 4:
        ihl, total = (b[0] & 0x0F) * 4, struct.unpack("!H", b[2:4])[0]
        frag = struct.unpack("!H", b[6:8])[0] & 0x3FFF
        if ihl < 20 or total < ihl + 8 or total > len(b) or b[9] != 1 or frag or b[ihl] != 8:
            return None
        return EchoRequest("ipv4", b[:total], ihl, ihl)
    if b[0] >> 4 == 6 and len(b) >= 48:
        end = 40 + struct.unpack("!H", b[4:6])[0]
        nxt, off = b[6], 40
        if end > len(b):
            return None
        while nxt in (0, 43, 60) and off + 8 <= end:   # hop-by-hop, routing, destination options
            nxt, off = b[off], off + (b[off + 1] + 1) * 8
        if nxt != 58 or off + 8 > end or b[off] != 128:
            return None
        return EchoRequest("ipv6", b[:end], 40, off)
    return None


TOKEN_RE = re.compile(r"(?<![0-9A-Za-z_])(?:0[xX])?[0-9A-Fa-f]+(?![0-9A-Za-z_])")
SEPARATOR_RE = re.compile(r"[ \t\r\n:,\-]+")


def find_request(text):
    """The longest echo request written in hex in `text` (plain, grouped, `:`-, `0x`-separated);
    on a tie the later one. Tokens separated only by blanks, colons, commas or dashes form a run;
    a datagram may start at any token of a run."""
    runs, current, last_end = [], [], None
    for m in TOKEN_RE.finditer(text):
        if current and not SEPARATOR_RE.fullmatch(text[last_end:m.start()]):
            runs.append(current)
            current = []
        tok = m.group()
        current.append(tok[2:] if tok[:2] in ("0x", "0X") else tok)
        last_end = m.end()
    if current:
        runs.append(current)
    best = None
    for tokens in runs:
        joined, starts = "", []
        for tok in tokens:
            starts.append(len(joined))
            joined += tok
        for off in starts:
            if joined[off] not in "46" or (len(joined) - off) < 56:
                continue
            h = joined[off:]
            req = parse_echo_request(bytes.fromhex(h[:len(h) // 2 * 2]))
            if req and (best is None or len(req.raw) >= len(best.raw)):
                best = req
    return best


def build_reply(req, mistake=None):
    """The echo reply a correct stack sends (the request's IP header with TTL 64, addresses swapped,
    MF/offset cleared; type 0/129, code 0), or the reply with one named mistake."""
    icmp = bytearray(req.icmp)
    icmp[0] = (8 if req.family == "ipv4" else 128) if mistake == "type_unchanged" else (
        0 if req.family == "ipv4" else 129)
    icmp[1] = 0
    if mistake == "ident_wrong":
        icmp[4:6] = struct.pack("!H", (req.ident + 1) & 0xFFFF)
    if mistake == "data_changed" and len(icmp) > 8:
        i = 8 + (len(icmp) - 8) // 2
        icmp[i] = (icmp[i] + 1) & 0xFF
    src, dst = (req.src, req.dst) if mistake == "no_swap" else (req.dst, req.src)
    ttl = 0 if mistake == "ttl_zero" else 64
    icmp[2:4] = b"\x00\x00"
    if req.family == "ipv4":
        hdr = bytearray(req.raw[:req.hdr_len])
        hdr[6:8] = struct.pack("!H", struct.unpack("!H", hdr[6:8])[0] & 0x4000)
        hdr[8], hdr[12:16], hdr[16:20] = ttl, src, dst
        summed = bytes(icmp)
    else:
        hdr = bytearray(req.raw[:8]) + src + dst
        hdr[4:6], hdr[6], hdr[7] = struct.pack("!H", len(icmp)), 58, ttl
        summed = pseudo6(src, dst, len(icmp)) + bytes(icmp)
    ck_mistake = mistake if mistake in CHECKSUM_MISTAKES else None
    value = req.icmp[2:4] if mistake == "icmp_checksum_unchanged" else struct.pack(
        "!H", checksum(summed, ck_mistake))
    icmp[2:4] = value
    if req.family == "ipv4":
        hdr[10:12] = b"\x00\x00"
        hdr[10:12] = (req.raw[10:12] if mistake == "ip_checksum_unchanged" else
                      struct.pack("!H", checksum(hdr)))
    out = bytes(hdr) + bytes(icmp)
    return out[:12 if req.family == "ipv4" else 20] if mistake == "truncated" else out


# --------------------------------------------------------------------------------------------
# Answer text in the configured style
# --------------------------------------------------------------------------------------------

def format_hex(b, style):
    h = b.hex()
    pairs = [h[i:i + 2] for i in range(0, len(h), 2)]
    if style == "colons":
        return ":".join(pairs)
    if style == "0x":
        return " ".join("0x" + p for p in pairs)
    if style == "chatty":
        return "\n".join(" ".join(pairs[i:i + 16]).upper() for i in range(0, len(pairs), 16))
    return h


def describe(req):
    lines = []
    if req.family == "ipv4":
        lines.append(f"IPv4, header {req.hdr_len} bytes, total length {len(req.raw)}, TTL {req.raw[8]}, "
                     f"ID 0x{req.raw[4]:02x}{req.raw[5]:02x}, protocol 1 (ICMP), "
                     f"from {req.addr(req.src)} to {req.addr(req.dst)}.")
    else:
        lines.append(f"IPv6, payload length {len(req.raw) - 40}, hop limit {req.raw[7]}, "
                     f"from {req.addr(req.src)} to {req.addr(req.dst)}.")
    lines.append(f"ICMP echo request: type {req.icmp[0]}, code {req.icmp[1]}, checksum "
                 f"0x{req.icmp[2]:02x}{req.icmp[3]:02x}, identifier 0x{req.ident:04x}, "
                 f"sequence {req.seq}, {len(req.icmp) - 8} data bytes.")
    return lines


def partial_sums(data):
    """Running one's-complement arithmetic as a person writes it down (decoy numbers included)."""
    total, steps = 0, []
    for i, (w,) in enumerate(struct.iter_unpack("!H", data[:len(data) // 2 * 2])):
        total += w
        if i % 3 == 2:
            steps.append(f"0x{total:x}")
    folded = fold(total)
    return (f"running sum {' -> '.join(steps[:8])}{' -> ...' if len(steps) > 8 else ''}; total 0x{total:x}, "
            f"folded 0x{folded:04x}, complemented 0x{~folded & 0xFFFF:04x}")


def render(style, req, kind, reply):
    """Returns (answer text, reasoning text). kind: reply | no_reply | unparseable | no_packet."""
    if kind == "no_packet":
        text = "I could not find an ICMP echo request in your message, so there is nothing to answer."
        return text, text
    if kind == "unparseable":
        text = ("I went through the header fields one by one, but I am not confident in my checksum "
                "arithmetic, so I will not give you a packet this time.")
        return text, text
    # The request's own hex is a decoy that parses as a datagram; a silent answer quotes it only
    # in the chatty style, so that the other styles stay easy to read for an extractor.
    quoted = [] if kind == "no_reply" and style != "chatty" else [f"The request is {req.hex}"]
    steps = ["Let me parse the request."] + quoted + describe(req)
    if kind == "no_reply":
        steps.append(f"The datagram must not be answered: {req.why_silent or 'I would rather not'}.")
        answer = {"json": json.dumps({"reply_hex": None, "no_reply": True, "note": "NO REPLY"})}.get(
            style, "NO REPLY")
    else:
        steps.append("For the reply I swap source and destination, set the TTL to 64, change the "
                     "type to echo reply and recompute both checksums.")
        if len(reply) >= 24 and req.family == "ipv4":
            steps.append(f"IP header checksum 0x{reply[10]:02x}{reply[11]:02x}, ICMP checksum "
                         f"0x{reply[req.hdr_len + 2]:02x}{reply[req.hdr_len + 3]:02x}.")
        answer = {"fenced": f"```hex\n{reply.hex()}\n```", "bare": reply.hex(),
                  "json": json.dumps({"reply_hex": reply.hex()})}.get(style, format_hex(reply, style))
    reasoning = "\n".join(steps)
    if style == "chatty" and kind == "reply":
        zeroed, h = bytearray(reply), req.hdr_len
        if len(zeroed) >= h + 4:
            zeroed[h + 2:h + 4] = b"\x00\x00"
            icmp_sums = partial_sums(bytes(zeroed[h:]))
        else:
            icmp_sums = "(the message is shorter than an ICMP header)"
        if req.family == "ipv4" and len(zeroed) >= h:
            zeroed[10:12] = b"\x00\x00"
            ip_sums = partial_sums(bytes(zeroed[:h]))
        else:
            ip_sums = "none needed" if req.family == "ipv6" else "(the header is cut short)"
        reasoning = "\n\n".join([
            "Okay, let me work through this carefully, byte by byte, like a real IP stack would.",
            "\n".join(steps[:-1]),
            "First draft of the reply, with both checksum fields still zero:\n" + zeroed.hex(),
            f"IP header checksum: {ip_sums}.",
            f"ICMP checksum (over the whole ICMP message): {icmp_sums}.",
            "Let me double-check the carries... yes, the end-around carry is added back in.",
            steps[-1]])
        return reasoning + "\n\nFinal reply packet:\n\n" + answer + "\n", reasoning
    if style in ("fenced", "chatty"):
        return reasoning + "\n\n" + answer, reasoning
    return answer, reasoning


# --------------------------------------------------------------------------------------------
# Shared state and statistics
# --------------------------------------------------------------------------------------------

class State:
    def __init__(self, config, api_key):
        self.lock = threading.Lock()
        self.initial, self.config, self.api_key = dict(config), dict(config), api_key
        self.t0, self.started = time.monotonic(), time.time()
        self.last_activity = time.monotonic()
        self.reset()

    def reset(self):   # requests in flight keep counting: in_flight survives a reset
        self.in_flight = getattr(self, "in_flight", 0)
        self.max_in_flight = self.in_flight
        self.requests_total = self.admin_requests = 0
        self.by_status, self.by_endpoint, self.faults, self.mistakes = {}, {}, {}, {}
        self.packets, self.log, self.prompt_cache = {}, [], set()
        self.no_packet = {"requests": 0, "fault_count": 0, "answers_200": 0}

    def now(self):
        return round(time.monotonic() - self.t0, 4)

    def packet(self, req):
        """The stats record of `req` (created on first arrival). Caller holds the lock."""
        rec = self.packets.get(req.hex)
        if rec is None:
            rec = self.packets[req.hex] = {
                "order": len(self.packets) + 1, "family": req.family, "ident": req.ident,
                "seq": req.seq, "expect_reply": req.expect_reply, "why_silent": req.why_silent,
                "requests": 0, "answers_200": 0, "fault_count": 0, "faults": {},
                "mistake": None, "mistake_effective": None, "protocol_mistake": None,
                "last_answer": None, "reply_hex": None, "history": []}
        return rec

    def stats(self):
        cfg = dict(self.config)
        return {"uptime_s": self.now(), "requests_total": self.requests_total,
                "admin_requests": self.admin_requests, "by_status": self.by_status,
                "by_endpoint": self.by_endpoint, "faults": self.faults, "mistakes": self.mistakes,
                "in_flight": self.in_flight, "max_in_flight": self.max_in_flight,
                "packets": self.packets, "no_packet": self.no_packet, "requests": self.log,
                "config": cfg, "api_key_required": self.api_key is not None}


STATE = None
VERBOSE = False


def request_text(msg):
    content = msg.get("content") if isinstance(msg, dict) else None
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(b.get("text", "") for b in content
                         if isinstance(b, dict) and isinstance(b.get("text"), str))
    return ""


def all_blocks(body):
    """(text, cache_control or None) for each block in render order: system, then messages."""
    blocks = []
    system = body.get("system")
    if isinstance(system, str):
        blocks.append((system, None))
    elif isinstance(system, list):
        blocks += [(b.get("text", "") or "", b.get("cache_control")) for b in system if isinstance(b, dict)]
    for msg in body.get("messages") or []:
        content = msg.get("content") if isinstance(msg, dict) else None
        if isinstance(content, list):
            blocks += [(json.dumps(b, sort_keys=True) if b.get("type") != "text" else b.get("text") or "",
                        b.get("cache_control")) for b in content if isinstance(b, dict)]
        else:
            blocks.append((content if isinstance(content, str) else "", None))
    if body.get("cache_control") and blocks:
        blocks[-1] = (blocks[-1][0], body["cache_control"])
    return blocks


def prompt_usage(vendor, body, model, cfg):
    """(input tokens, cache-creation tokens, cache-read tokens, ttl) with tokens = chars // 4."""
    blocks = all_blocks(body)
    total = sum(len(t) for t, _ in blocks) // 4
    if vendor == "anthropic":
        marks = [i for i, (_, cc) in enumerate(blocks) if cc]
        if not marks:
            return total, 0, 0, None
        prefix = blocks[:marks[-1] + 1]
        mark = prefix[-1][1]
        ttl = mark.get("ttl", "5m") if isinstance(mark, dict) else "5m"
    else:   # OpenAI caches automatically: every message before the last one
        prefix = blocks[:-1]
        ttl = None
    prefix_tokens = sum(len(t) for t, _ in prefix) // 4
    if prefix_tokens == 0 or prefix_tokens < cfg["cache_min_tokens"]:
        return total, 0, 0, ttl
    key = hashlib.sha256(json.dumps([vendor, model, [t for t, _ in prefix]]).encode()).hexdigest()
    with STATE.lock:
        hit = key in STATE.prompt_cache
        STATE.prompt_cache.add(key)
    return total - prefix_tokens, (0 if hit else prefix_tokens), (prefix_tokens if hit else 0), ttl


def choose_mistake(cfg, req, order):
    ms = cfg["mistakes"]
    if not ms or req is None:
        return None
    if cfg["mistake_by_seq"]:
        m = None if req.seq == 0 else ms[(req.seq - 1) % len(ms)]
    else:
        every = max(1, cfg["mistake_every"])
        m = None if order % every else ms[(order // every - 1) % len(ms)]
    return None if m == "none" else m


def model_behaviour(model, packet_hex):
    """Settings a model name chooses, so that one server can play several models in one run:
    a name holding `flawless` makes no mistakes; one holding `stale-NN` leaves the ICMP
    checksum of the request unchanged in NN% of its replies, the same packets every time (the
    choice is a hash of model name and packet), and is right otherwise."""
    import hashlib
    import re as _re
    if "flawless" in model:
        return {"mistakes": []}
    m = _re.search(r"stale-(\d+)", model)
    if m:
        share = int(m.group(1)) / 100.0
        h = int(hashlib.sha256(f"{model}|{packet_hex}".encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
        stale = h < share
        return {"mistakes": ["icmp_checksum_unchanged"] if stale else [], "mistake_every": 1,
                "mistake_by_seq": False}
    return {}


def choose_fault(cfg, key, attempt, fault_count):
    if fault_count >= cfg["fault_max_per_packet"]:
        return None
    u = random.Random(f"{cfg['seed']}|{key}|{attempt}").random()
    acc = 0.0
    for name in FAULTS:
        acc += cfg[name]
        if u < acc:
            return name
    return None


ERROR_FAULTS = {   # fault -> (status, message, kind)
    "rate_429": (429, "Number of request tokens has exceeded your rate limit (injected).", None),
    "rate_529": (529, "Overloaded (injected)", None),
    "rate_500": (500, "Internal server error (injected)", None),
    "rate_503": (503, "Service unavailable (injected)", None),
    "rate_spend_limit": (429, "You have reached your specified API usage limits (injected).", "spend"),
    "rate_400": (400, "invalid request (injected)", None),
    "rate_401": (401, "invalid x-api-key (injected)", None),
    "rate_404": (404, "model: {model} (injected)", None),
}


def decide_answer(cfg, req, order):
    """(kind, mistake, effective, reply bytes or None) for one 200 answer; kind is reply |
    no_reply | unparseable | no_packet; `effective` says whether the mistake changed anything."""
    mistake = choose_mistake(cfg, req, order)
    if req is None:
        return "no_packet", None, False, None
    if mistake == "unparseable":
        return "unparseable", mistake, True, None
    if req.expect_reply:
        if mistake == "no_reply":
            return "no_reply", mistake, True, None
        reply = build_reply(req, mistake if mistake in REPLY_MISTAKES else None)
        return "reply", mistake, mistake in REPLY_MISTAKES and reply != build_reply(req), reply
    if mistake == "reply_to_negative":
        return "reply", mistake, True, build_reply(req)
    return "no_reply", mistake, False, None


# --------------------------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------------------------

class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "llmstack-standin/1"
    timeout = 300
    disable_nagle_algorithm = True   # headers and body go out in separate writes

    def log_message(self, fmt, *args):   # the default log goes to stderr for every request
        pass

    # ---- plumbing ----
    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            parts = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline().strip():
                        pass
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def write(self, status, body, headers=(), mode=None, pause_s=0.0, pad=0):
        """Sends a response. mode: None, "slow" (half, pause, rest), "cut" (half, then close)."""
        self.send_response(status, REASONS.get(status))
        for k, v in headers:
            self.send_header(k, v)
        if not any(k.lower() == "content-type" for k, _ in headers):
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body) + pad))
        if mode == "cut":
            self.close_connection = True
        self.send_header("Connection", "close" if self.close_connection else "keep-alive")
        self.end_headers()
        try:
            if pad:   # JSON whitespace after the opening brace: a valid, very large body
                self.wfile.write(body[:1])
                chunk = b" " * (1 << 20)
                for left in range(pad, 0, -len(chunk)):
                    self.wfile.write(chunk[:left])
                self.wfile.write(body[1:])
            elif mode in ("slow", "cut"):
                self.wfile.write(body[:len(body) // 2])
                if mode == "cut":
                    return
                time.sleep(pause_s)
                self.wfile.write(body[len(body) // 2:])
            else:
                self.wfile.write(body)
        except OSError:
            self.close_connection = True

    def drop(self, mode):
        self.close_connection = True
        if mode == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()

    def send_plain_json(self, status, obj):
        self.write(status, json.dumps(obj, indent=1).encode())

    # ---- routing ----
    def do_GET(self):
        with STATE.lock:
            STATE.admin_requests += 1
            if self.path == "/_stats":   # serialised under the lock: handlers update it meanwhile
                status, body = 200, json.dumps(STATE.stats(), indent=1)
            elif self.path == "/v1/models":
                status, body = 200, json.dumps({"object": "list", "data": [
                    {"id": m, "object": "model"} for m in STATE.config["models"]]})
            else:
                status, body = 404, json.dumps({"error": "no such path"})
        self.write(status, body.encode())

    def do_POST(self):
        path = self.path.split("?")[0]
        if path in ("/v1/messages", "/v1/chat/completions"):
            return self.api("anthropic" if path == "/v1/messages" else "openai")
        with STATE.lock:
            STATE.admin_requests += 1
        self.control(path)

    def control(self, path):
        body = self.read_body()
        try:
            data = json.loads(body or b"{}")
            if not isinstance(data, dict):
                raise ValueError("expected a JSON object")
            if path == "/_reset":
                with STATE.lock:
                    STATE.reset()
                    if data.get("config"):
                        STATE.config = dict(STATE.initial)
                return self.send_plain_json(200, {"ok": True})
            if path != "/_control":
                return self.send_plain_json(404, {"error": "no such path"})
            base = dict(STATE.initial) if data.pop("reset_config", False) else dict(STATE.config)
            changes = {k: coerce(k, v) for k, v in data.items()}
        except ValueError as e:   # json.JSONDecodeError is a ValueError
            return self.send_plain_json(400, {"error": str(e)})
        with STATE.lock:
            STATE.config = {**base, **changes}
            cfg = dict(STATE.config)
        self.send_plain_json(200, {"ok": True, "config": cfg})

    # ---- the API endpoints ----
    def api(self, vendor):
        raw = self.read_body()
        with STATE.lock:
            STATE.requests_total += 1
            n = STATE.requests_total
            STATE.in_flight += 1
            STATE.max_in_flight = max(STATE.max_in_flight, STATE.in_flight)
            STATE.by_endpoint[self.path] = STATE.by_endpoint.get(self.path, 0) + 1
            STATE.last_activity = time.monotonic()
            entry = {"n": n, "path": self.path, "packet": None, "seq": None,
                     "arrived_s": STATE.now(), "in_flight_at_arrival": STATE.in_flight,
                     "answered_s": None, "status": None, "outcome": None}
            STATE.log.append(entry)
        self.rid, self.rec = f"req_standin_{n:06d}", None
        status, outcome = "dropped", "dropped"
        try:
            status, outcome = self.answer(vendor, raw, n, entry)
        except Exception as e:   # a bug here must not look like an injected fault
            print(f"stand-in: request #{n}: {type(e).__name__}: {e}", file=sys.stderr, flush=True)
            status, outcome = self.error(vendor, 500, "stand-in internal error"), "internal_error"
        finally:
            with STATE.lock:
                STATE.in_flight -= 1
                entry.update(answered_s=STATE.now(), status=status, outcome=outcome)
                STATE.by_status[str(status)] = STATE.by_status.get(str(status), 0) + 1
                if self.rec is not None:
                    self.rec["history"].append(outcome)
            if VERBOSE:
                print(f"#{n} {self.path} {status} {outcome} seq={entry['seq']}", file=sys.stderr, flush=True)

    def error(self, vendor, status, message, kind=None, cfg=None):
        """Sends `status` with the vendor's error body; returns the status."""
        if vendor == "anthropic":
            err = {"type": ANTHROPIC_ERRORS.get(status, "api_error" if status >= 500 else "invalid_request_error"),
                   "message": message}
            if kind == "spend":
                err["details"] = {"error_code": "enforced_spend_limit_reached"}
            obj = {"type": "error", "error": err, "request_id": self.rid}
        else:
            etype, code = ("insufficient_quota", "insufficient_quota") if kind == "spend" else OPENAI_ERRORS.get(
                status, ("server_error" if status >= 500 else "invalid_request_error", None))
            obj = {"error": {"message": message, "type": etype, "param": None, "code": code}}
        headers = [("request-id" if vendor == "anthropic" else "x-request-id", self.rid)]
        if cfg and cfg["x_should_retry"]:
            headers.append(("x-should-retry", cfg["x_should_retry"]))
        if cfg and status == 429 and kind != "spend" and cfg["retry_after_form"] != "none":
            wait = cfg["retry_after_s"]
            headers.append({"seconds": ("retry-after", f"{wait:g}"),
                            "ms": ("retry-after-ms", f"{wait * 1000:g}"),
                            "date": ("retry-after", email.utils.formatdate(
                                time.time() + math.ceil(wait), usegmt=True))}[cfg["retry_after_form"]])
        self.write(status, json.dumps(obj).encode(), headers)
        return status

    def parse_api_request(self, vendor, raw, api_key):
        """The request body when it is authorised and well formed; raises Refused otherwise."""
        if api_key is not None:   # never echo or log the key that was sent
            sent = (self.headers.get("x-api-key") if vendor == "anthropic" else
                    (self.headers.get("Authorization") or "").removeprefix("Bearer "))
            if not sent or not hmac.compare_digest(sent.encode(), api_key.encode()):
                raise Refused(401, "invalid x-api-key" if vendor == "anthropic" else
                              "Incorrect API key provided.", "auth")
        if vendor == "anthropic" and self.headers.get("anthropic-version") != "2023-06-01":
            raise Refused(400, "anthropic-version: header is required (2023-06-01)")
        try:
            body = json.loads(raw)
        except ValueError:
            raise Refused(400, "the body is not valid JSON") from None
        if not isinstance(body, dict):
            raise Refused(400, "the body must be a JSON object")
        if not isinstance(body.get("model"), str) or not body["model"]:
            raise Refused(400, "model: field required")
        if not isinstance(body.get("messages"), list) or not body["messages"]:
            raise Refused(400, "messages: field required")
        if vendor == "anthropic" and not isinstance(body.get("max_tokens"), int):
            raise Refused(400, "max_tokens: field required")
        return body

    def answer(self, vendor, raw, n, entry):
        """Decides and sends the answer; returns (status or "dropped", outcome)."""
        with STATE.lock:
            cfg, api_key = dict(STATE.config), STATE.api_key
        try:
            header = self.headers.get("x-standin-behaviour") or self.headers.get("x-standin-behavior")
            try:
                cfg.update(parse_behaviour_header(header or ""))
            except ValueError as e:
                raise Refused(400, f"x-standin-behaviour: {e}", "bad_behaviour_header") from None
            body = self.parse_api_request(vendor, raw, api_key)
        except Refused as r:
            return self.error(vendor, r.status, r.message), r.outcome
        model = body["model"]
        users = [m for m in body["messages"] if isinstance(m, dict) and m.get("role") == "user"]
        req = find_request(request_text(users[-1])) if users else None
        with STATE.lock:
            rec = STATE.no_packet if req is None else STATE.packet(req)
            attempt, order = rec["requests"], rec.get("order", 0)
            rec["requests"] += 1
            if req is not None:
                self.rec = rec
                entry.update(packet=req.hex, seq=req.seq)
        for rule in cfg["rules"] if req else []:
            facts = {"seq": req.seq, "ident": req.ident, "hex": req.hex, "family": req.family, "order": order}
            if all(str(facts[k]).lower() == str(v).lower() for k, v in rule["match"].items()):
                cfg.update(rule["set"])

        if cfg["models"] and model not in cfg["models"]:
            return self.error(vendor, 404, f"model: {model}", cfg=cfg), "unknown_model"
        if req is not None:
            cfg.update(model_behaviour(model, req.hex))
        sent_key = (self.headers.get("x-api-key") if vendor == "anthropic" else
                    (self.headers.get("Authorization") or "").removeprefix("Bearer ")) or ""
        if "echo-key" in model:   # a hostile server: the key and terminal controls in an error
            return self.error(vendor, 400, f"invalid request (key {sent_key})"
                              "\x1b[2J\x1b[H\r\nall correct\x07", cfg=cfg), "echo_key"
        if cfg["status_override"]:
            status = cfg["status_override"]
            return self.error(vendor, status, f"status {status} (status_override)", cfg=cfg), f"status_override:{status}"
        fault = choose_fault(cfg, req.hex if req else "-", attempt, rec["fault_count"])
        if fault:
            with STATE.lock:
                rec["fault_count"] += 1
                if "faults" in rec:
                    rec["faults"][fault] = rec["faults"].get(fault, 0) + 1
                STATE.faults[fault] = STATE.faults.get(fault, 0) + 1
            if fault in ERROR_FAULTS:
                status, message, kind = ERROR_FAULTS[fault]
                return self.error(vendor, status, message.format(model=model), kind, cfg), fault
            if fault == "rate_drop":
                self.drop(cfg["drop_mode"])
                return "dropped", fault

        delay = cfg["latency_ms"] + random.Random(f"{cfg['seed']}|jitter|{n}").uniform(0, cfg["jitter_ms"])
        time.sleep(max(0.0, delay) / 1000.0)
        kind, mistake, effective, reply = decide_answer(cfg, req, order)
        text, reasoning = render(cfg["style"], req, kind, reply)
        thinking = cfg["thinking"] or (
            (body.get("thinking") or {}).get("type") in ("enabled", "adaptive") if vendor == "anthropic"
            else body.get("reasoning_effort") not in (None, "none"))
        hostile = "hostile-text" in model
        if hostile:   # the key, terminal controls and a byte that is not UTF-8 in the answer
            text += f"\nkey {sent_key}\n\x1b[2J\x1b[Hall correct\x07 NOT-UTF8\n"
        resp, headers = self.build_response(vendor, body, cfg, text, reasoning, thinking, n)
        if "usage-negative" in model and "usage" in resp:
            resp["usage"] = {k: -10**9 if isinstance(v, int) else v for k, v in resp["usage"].items()}
        if hostile and "usage" in resp:   # absurd counts: negative, and past any integer type
            for k in ("input_tokens", "prompt_tokens"):
                if k in resp["usage"]:
                    resp["usage"][k] = -5000000
            for k in ("output_tokens", "completion_tokens"):
                if k in resp["usage"]:
                    resp["usage"][k] = 10**25
        payload = json.dumps(resp).encode()
        if hostile:
            payload = payload.replace(b"NOT-UTF8", b"\xff\xfe\xc3")
        if fault == "rate_malformed_json":
            payload = payload[:max(1, len(payload) * 2 // 3)]
        elif fault == "rate_error_200":
            payload = json.dumps({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
                                 if vendor == "anthropic" else
                                 {"error": {"message": "The server had an error", "type": "server_error",
                                            "param": None, "code": None}}).encode()
        elif not fault:   # faulty 200s (cut, slow, malformed, ...) are not answers
            with STATE.lock:
                rec["answers_200"] += 1
                if req is not None:
                    rec.update(mistake=mistake, mistake_effective=effective if mistake else None,
                               protocol_mistake=cfg["protocol_mistake"] or None, last_answer=kind,
                               reply_hex=reply.hex() if reply is not None else None)
                if mistake:
                    STATE.mistakes[mistake] = STATE.mistakes.get(mistake, 0) + 1
        self.write(200, payload, headers, mode={"rate_slow_body": "slow", "rate_cut_body": "cut"}.get(fault),
                   pause_s=cfg["slow_s"], pad=int(cfg["huge_mb"] * (1 << 20)) if fault == "rate_huge_body" else 0)
        return 200, fault or ("answer" + (f":{mistake}" if mistake else "") +
                              (f"+{cfg['protocol_mistake']}" if cfg["protocol_mistake"] else ""))

    def build_response(self, vendor, body, cfg, text, reasoning, thinking, n):
        """(response object, headers) in the vendor's shape, with max_tokens, usage and the
        configured protocol mistake applied."""
        model, pm = body["model"], cfg["protocol_mistake"]
        think_tokens = len(reasoning) // 4 if thinking else 0
        limit = body.get("max_tokens") if vendor == "anthropic" else (
            body.get("max_completion_tokens") or body.get("max_tokens"))
        truncated = (cfg["honour_max_tokens"] and isinstance(limit, int)
                     and think_tokens + len(text) // 4 > limit)
        if truncated:
            text = text[:max(0, limit - think_tokens) * 4]
        out_tokens = max(limit, 0) if truncated else max(1, think_tokens + len(text) // 4)
        uncached, created, read, ttl = prompt_usage(vendor, body, model, cfg)
        ctype = "text/html; charset=utf-8" if pm == "wrong_content_type_header" else "application/json"
        if vendor == "anthropic":
            signature = base64.b64encode(hashlib.sha256(reasoning.encode()).digest() * 2).decode()
            blocks = [{"type": "thinking", "thinking": reasoning, "signature": signature}] if (
                thinking or pm == "text_block_missing") else []
            if pm == "null_content":
                blocks.append({"type": "text", "text": None})
            elif pm != "text_block_missing" and not (truncated and limit == 0):
                blocks.append({"type": "text", "text": text})
            resp = {"id": f"msg_standin_{n:06d}", "type": "message", "role": "assistant", "model": model,
                    "content": [] if pm == "empty_choices" else blocks,
                    "stop_reason": "max_tokens" if truncated else "end_turn", "stop_sequence": None,
                    "usage": {"input_tokens": uncached, "output_tokens": out_tokens,
                              "cache_creation_input_tokens": created, "cache_read_input_tokens": read,
                              "cache_creation": {"ephemeral_5m_input_tokens": created if ttl != "1h" else 0,
                                                 "ephemeral_1h_input_tokens": created if ttl == "1h" else 0},
                              "service_tier": "standard"}}
            if pm == "missing_content":
                del resp["content"]
            headers = [("request-id", self.rid), ("Content-Type", ctype)]
        else:
            message = {"role": "assistant", "content": None if pm == "null_content" else text, "refusal": None}
            if thinking or pm == "text_block_missing":
                message["reasoning_content"] = reasoning   # as llama-server and vLLM name it
            if pm in ("missing_content", "text_block_missing"):
                del message["content"]
            resp = {"id": f"chatcmpl-standin{n:06d}", "object": "chat.completion", "created": int(time.time()),
                    "model": model, "system_fingerprint": "fp_standin",
                    "choices": [] if pm == "empty_choices" else [
                        {"index": 0, "message": message, "logprobs": None,
                         "finish_reason": "length" if truncated else "stop"}],
                    "usage": {"prompt_tokens": uncached + read, "completion_tokens": out_tokens,
                              "total_tokens": uncached + read + out_tokens,
                              "prompt_tokens_details": {"cached_tokens": read},
                              "completion_tokens_details": {"reasoning_tokens": think_tokens}}}
            headers = [("x-request-id", self.rid), ("Content-Type", ctype), ("openai-processing-ms", "1")]
        if cfg["no_usage"]:
            del resp["usage"]
        return resp, headers


class Refused(Exception):
    def __init__(self, status, message, outcome="bad_request"):
        super().__init__(message)
        self.status, self.message, self.outcome = status, message, outcome


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024
    allow_reuse_address = True


def main(argv=None):
    global STATE, VERBOSE
    ap = argparse.ArgumentParser(description="Stand-in LLM API server for llmstack-replay tests.")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--api-key", help="require this key (prefer --api-key-env: argv is visible to ps)")
    ap.add_argument("--api-key-env", metavar="VAR", help="require the key held in environment VAR")
    ap.add_argument("--idle-exit", type=float, default=0.0, metavar="S",
                    help="exit after S seconds without API requests (0: never)")
    ap.add_argument("--verbose", action="store_true", help="one line per API request on stderr")
    ap.add_argument("--exit-with-parent", action=argparse.BooleanOptionalAction, default=True,
                    help="exit when the process that started it goes away (default: on)")
    for key, default in DEFAULTS.items():
        flag = "--" + key.replace("_", "-")
        if isinstance(default, bool):
            ap.add_argument(flag, dest=key, nargs="?", const="true", default=None, metavar="BOOL")
        else:
            ap.add_argument(flag, dest=key, default=None, metavar="V")
    args = ap.parse_args(argv)
    config = dict(DEFAULTS)
    try:
        for key in DEFAULTS:
            if getattr(args, key) is not None:
                config[key] = coerce(key, getattr(args, key))
    except ValueError as e:
        ap.error(str(e))
    api_key = args.api_key or (os.environ.get(args.api_key_env) if args.api_key_env else None)
    if args.api_key_env and not api_key:
        ap.error(f"--api-key-env: environment variable {args.api_key_env} is not set")
    VERBOSE = args.verbose
    STATE = State(config, api_key)
    server = Server(("127.0.0.1", args.port), Handler)
    port = server.server_address[1]
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(f"{port}\n")
        os.replace(tmp, args.port_file)
    print(f"PORT {port}", flush=True)

    def stop(*_):
        raise SystemExit(0)
    signal.signal(signal.SIGTERM, stop)
    parent = os.getppid()

    def watch():   # a test that dies, or a launcher such as a pyenv shim killed in its place
        while not (args.exit_with_parent and os.getppid() != parent) and not (
                args.idle_exit > 0 and time.monotonic() - STATE.last_activity > args.idle_exit):
            time.sleep(0.25)
        os.kill(os.getpid(), signal.SIGTERM)
    if args.exit_with_parent or args.idle_exit > 0:
        threading.Thread(target=watch, daemon=True).start()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
