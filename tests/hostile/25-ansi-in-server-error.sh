#!/usr/bin/env bash
# A server error message with ANSI escapes / control chars: the terminal must not get raw ESC/BEL/CR bytes.
# usage: 25-ansi-in-server-error.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
cat > h.py <<'PY'
def handle(h, body):
    h.send(400, {"type": "error", "error": {"type": "invalid_request_error",
      "message": "\x1b[2J\x1b]0;pwned\x07\x1b[31mRED\rOVERWRITE\x08\x9b1m"}})
PY
hserver h.py
export ANTHROPIC_API_KEY=$SECRET
run "$EXP" -o o.pcapng -r r.html -m anthropic:claude-haiku-4-5 --base-url http://127.0.0.1:$PORT --no-cache --retries 0
no_crash
if LC_ALL=C grep -qaP '[\x1b\x07\x08]' o.txt e.txt; then fail "raw control characters from the server's error reached the terminal: $(LC_ALL=C grep -aoP '.{0,10}[\x1b\x07].{0,10}' e.txt o.txt | head -1 | od -c | head -2 | tr -s ' ' | tr '\n' ' ')"; fi

exit 0
