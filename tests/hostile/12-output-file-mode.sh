#!/usr/bin/env bash
# Outputs renamed from mkstemp must get the normal mode (0644 with umask 022), not 0600.
# usage: 12-output-file-mode.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
umask 022
run "$EXP" -o out.pcapng -r r.json -r r.html --journal j.jsonl -m 'exec:cat >/dev/null; echo '"$EXP_REPLY" --no-cache
no_crash; expect_rc 0 "exec run"
for f in out.pcapng r.json r.html j.jsonl; do
  [ -e "$f" ] || fail "$f not written"
  m=$(stat -c %a "$f"); [ "$m" = 644 ] || fail "$f has mode $m, expected 644"
done

exit 0
