# The common preamble of the cases: sourced by every NN-name.sh with the tool's path as $1.
set -u
B=$(readlink -f "${1:?usage: $0 /path/to/llmstack-replay}")
HERE=$(cd "$(dirname "$0")" && pwd); ROOT=$(cd "$HERE/../.." && pwd)
CAPS=$ROOT/captures; STANDIN=$ROOT/tests/standin/server.py
T=$(mktemp -d "${TMPDIR:-/tmp}/llr-case.XXXXXX")
PIDS=""
cleanup(){ for p in $PIDS; do kill "$p" 2>/dev/null; done; rm -rf "$T"; }
trap cleanup EXIT
fail(){ echo "FAIL $(basename "$0"): $*" >&2; exit 1; }
cd "$T" || exit 99
export HOME=$T/home XDG_CACHE_HOME=$T/xdgcache; mkdir -p "$HOME"
unset ANTHROPIC_API_KEY OPENAI_API_KEY ANTHROPIC_BASE_URL OPENAI_BASE_URL
EXP=$CAPS/experiment.pcap
EXP_REPLY=45000054812840004001615dac100002ac10000100005cf5000d0001a1fb006a0000000041c4000000000000101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637
SECRET=sk-ant-TOPSECRET-$$-q9z7x
waitport(){ for i in $(seq 100); do [ -s "$1" ] && break; sleep 0.1; done; PORT=$(cat "$1"); }
# stand-in server: standin [flags...]
standin(){ rm -f "$T/port"; python3 "$STANDIN" --port 0 --port-file "$T/port" --no-exit-with-parent --idle-exit 300 "$@" >"$T/standin.log" 2>&1 & PIDS="$PIDS $!"; waitport "$T/port"; }
stat_total(){ curl -s "http://127.0.0.1:$PORT/_stats" | python3 -c 'import json,sys;print(json.load(sys.stdin)["requests_total"])'; }
# hostile server: hserver FILE.py  (FILE defines handle(h, body) -> None; h is BaseHTTPRequestHandler)
hserver(){ cat > "$T/hs_main.py" <<'PY'
import sys, os, json, time, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
ns = {}
exec(open(sys.argv[1]).read(), ns)
COUNT = [0]
LOCK = threading.Lock()
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n)
    def send(self, status, obj, headers=(), raw=None):
        data = raw if raw is not None else json.dumps(obj).encode()
        self.send_response(status)
        for k, v in headers: self.send_header(k, v)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers(); self.wfile.write(data)
    def do_GET(self):
        if self.path == "/_count":
            return self.send(200, {"count": COUNT[0]})
        self.send(404, {})
    def do_POST(self):
        with LOCK: COUNT[0] += 1
        b = self.body()
        with open(os.environ["HS_LOG"], "ab") as f:
            f.write(json.dumps({"path": self.path, "headers": dict(self.headers)}).encode() + b"\n")
        ns["handle"](self, b)
def msg(text, inp=100, out=50):
    return {"id": "msg_1", "type": "message", "role": "assistant", "model": "m", "stop_reason": "end_turn",
            "content": [{"type": "text", "text": text}], "usage": {"input_tokens": inp, "output_tokens": out}}
ns["msg"] = msg
ns["H"] = H
s = ThreadingHTTPServer(("127.0.0.1", 0), H); s.daemon_threads = True
open(sys.argv[2] + ".tmp", "w").write(str(s.server_address[1])); os.replace(sys.argv[2] + ".tmp", sys.argv[2])
s.serve_forever()
PY
rm -f "$T/hport"; HS_LOG=$T/hs.log python3 "$T/hs_main.py" "$1" "$T/hport" >"$T/hs.out" 2>&1 & PIDS="$PIDS $!"; waitport "$T/hport"; }
hs_count(){ curl -s "http://127.0.0.1:$PORT/_count" | python3 -c 'import json,sys;print(json.load(sys.stdin)["count"])'; }
# run the tool: run [args...] ; sets RC, output in $T/o.txt $T/e.txt
run(){ timeout -k 5 "${TMO:-60}" "$B" "$@" >"$T/o.txt" 2>"$T/e.txt"; RC=$?; }
no_crash(){ [ "$RC" -lt 124 ] || { head -c 300 "$T/e.txt" >&2; fail "${1:-run} ended with status $RC (crash/signal/timeout)"; }; }
expect_rc(){ [ "$RC" = "$1" ] || { tail -c 300 "$T/e.txt" >&2; fail "${2:-run}: exit $RC, expected $1"; }; }
no_secret(){ # no_secret FILES_OR_DIRS...
  if grep -rlaF -- "$SECRET" "$@" "$T/o.txt" "$T/e.txt" 2>/dev/null | grep -q .; then fail "secret found in: $(grep -rlaF -- "$SECRET" "$@" "$T/o.txt" "$T/e.txt" 2>/dev/null | sed "s|$T/||" | tr '\n' ' ')"; fi; }
json_ok(){ python3 -c 'import json,sys;json.load(open(sys.argv[1]))' "$1" 2>/dev/null || fail "$1 is not valid JSON"; }
jsonl_ok(){ python3 - "$1" <<'PY' || fail "$1 has a line that is not valid UTF-8 JSON"
import json,sys
for l in open(sys.argv[1],'rb'):
    json.loads(l.decode('utf-8'))
PY
}
one_line_err(){ # one_line_err NAME : stderr non-empty, mentions NAME
  [ -s "$T/e.txt" ] || [ -s "$T/o.txt" ] || fail "no error message"
  grep -qF -- "$1" "$T/e.txt" "$T/o.txt" || fail "error does not name $1: $(head -c 200 "$T/e.txt")"; }
cat > "$T/pktgen.py" <<'PYGEN'
import struct, sys
def cks(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b)//2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
def ip(src, dst, payload, ident=1, frag=0, mf=0, proto=1, ttl=64):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20+len(payload), ident, (mf<<13)|frag, ttl, proto, 0, bytes(src), bytes(dst))
    return h[:10] + struct.pack("!H", cks(h)) + h[12:] + payload
def icmp(t, ident, seq, data):
    m = struct.pack("!BBHHH", t, 0, 0, ident, seq) + data
    return m[:2] + struct.pack("!H", cks(m)) + m[4:]
def pcap(path, pkts, snap=262144):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, snap, 101))
        for i, p in enumerate(pkts):
            f.write(struct.pack("<IIII", 1000 + i // 1000000, i % 1000000, len(p), len(p))); f.write(p)
A, Bh = [192,0,2,1], [192,0,2,2]
PYGEN
# ---- end preamble ----
