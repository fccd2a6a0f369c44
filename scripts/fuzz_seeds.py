#!/usr/bin/env python3
"""Writes the starting corpus of a fuzz target from the prepared captures and test data.

  scripts/fuzz_seeds.py TARGET DIR
"""
import glob
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "captures", "scripts"))
import pktlib  # noqa: E402

EXPERIMENT = bytes.fromhex(
    "45000054812840004001615dac100001ac100002080054f5000d0001a1fb006a0000000041c4000000000000"
    "101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637")
REPLY = bytes.fromhex(
    "45000054812840004001615dac100002ac10000100005cf5000d0001a1fb006a0000000041c4000000000000"
    "101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637")


def captures():
    return sorted(glob.glob(os.path.join(ROOT, "captures", "*.pcap*")) +
                  glob.glob(os.path.join(ROOT, "tests", "data", "broken", "*.pcap*")))


def datagrams():
    """IP datagrams from the captures (link headers stripped the simple way: by ethertype)."""
    out = [EXPERIMENT, REPLY]
    for path in captures():
        try:
            linktype, frames = pktlib.read_pcap(path)
        except Exception:
            continue
        for frame in frames[:40]:
            data = frame[1]
            for offset in (0, 14, 16, 18, 20, 4):
                if len(data) > offset and data[offset] >> 4 in (4, 6):
                    out.append(bytes(data[offset:]))
                    break
    return out


def main():
    target, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    seeds = []
    if target == "capture":
        seeds = [open(p, "rb").read() for p in captures()]
    elif target == "datagram":
        seeds = datagrams()
    elif target == "extract":
        h = REPLY.hex()
        seeds = [h.encode(), f"```hex\n{h}\n```".encode(), json.dumps({"reply_hex": h}).encode(),
                 " ".join(h[i:i + 2] for i in range(0, len(h), 2)).upper().encode(),
                 f"The request {EXPERIMENT.hex()} checks out. Sum 0x3ab07 -> 0xab0a.\n```\n{h}\n```".encode(),
                 b"NO REPLY", b'{"reply_hex": null}']
    elif target == "api_response":
        text = f"```hex\n{REPLY.hex()}\n```"
        seeds = [json.dumps({"type": "message", "content": [{"type": "thinking", "thinking": "sum"},
                                                            {"type": "text", "text": text}],
                             "usage": {"input_tokens": 10, "output_tokens": 5}}).encode(),
                 json.dumps({"choices": [{"message": {"content": text}, "finish_reason": "stop"}],
                             "usage": {"prompt_tokens": 10, "completion_tokens": 5,
                                       "prompt_tokens_details": {"cached_tokens": 2}}}).encode(),
                 json.dumps({"type": "error", "error": {"type": "rate_limit_error", "message": "slow down"}}).encode(),
                 b"Wed, 21 Oct 2015 07:28:00 GMT"]
    elif target == "journal":
        line = {"v": 1, "index": 0, "sample": 0, "request_hex": EXPERIMENT.hex(), "backend": "anthropic:x",
                "cache_key": "ab", "status": "ok", "text": REPLY.hex(), "reasoning": "", "usage": {},
                "latency_ms": 1.5, "attempts": [{"status": 429, "error": "x", "duration_ms": 1, "wait_s": 1}],
                "from_cache": False}
        seeds = [json.dumps(line).encode(), (json.dumps(line) + "\n" + json.dumps(line)[:40]).encode()]
    else:
        sys.exit(f"unknown target {target}")
    for i, s in enumerate(seeds):
        with open(os.path.join(out, f"seed-{i:04d}"), "wb") as f:
            f.write(s)
    print(f"{len(seeds)} seeds for {target}")


if __name__ == "__main__":
    main()
