#!/usr/bin/env bash
# exec: answer with invalid UTF-8, NUL bytes and lone surrogates: journal/report stay valid UTF-8 JSON.
# usage: 43-exec-invalid-utf8-nul.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
run "$EXP" -o o.pcapng --journal j.jsonl -r r.json -r r.html -r r.xml -m "exec:cat >/dev/null; printf 'bad \\377\\376 \\000 nul \\355\\240\\200 \\300\\200\\n'; echo $EXP_REPLY"
no_crash
jsonl_ok j.jsonl; json_ok r.json
python3 -c 'import xml.dom.minidom;xml.dom.minidom.parse("r.xml")' 2>/dev/null || fail "JUnit XML not well-formed"
python3 -c 'open("r.html","rb").read().decode("utf-8")' 2>/dev/null || fail "HTML report not valid UTF-8"
expect_rc 0 "reply after garbage"

exit 0
