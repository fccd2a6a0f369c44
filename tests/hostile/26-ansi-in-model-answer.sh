#!/usr/bin/env bash
# Model text with ANSI escapes and HTML: HTML report escaped, terminal free of raw ESC.
# usage: 26-ansi-in-model-answer.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
cat > h.py <<'PY'
def handle(h, body):
    h.send(200, msg("\x1b[2J\x1b]0;pwned\x07<script>alert(1)</script><img src=x onerror=alert(2)> NO hex here"))
PY
hserver h.py
export ANTHROPIC_API_KEY=$SECRET
run "$EXP" -o o.pcapng -r r.html -r r.md -r r.xml -m anthropic:claude-haiku-4-5 --base-url http://127.0.0.1:$PORT --no-cache
no_crash
grep -qF '<script>alert(1)' r.html && fail "model text written unescaped into the HTML report"
grep -qF '<img src=x' r.html && fail "model <img> written unescaped into the HTML report"
LC_ALL=C grep -qaP '[\x1b\x07]' o.txt e.txt && fail "raw ESC/BEL from model text on the terminal"
python3 -c 'import xml.dom.minidom,sys;xml.dom.minidom.parse("r.xml")' 2>/dev/null || fail "JUnit XML not well-formed with control characters in model text"
exit 0

exit 0
