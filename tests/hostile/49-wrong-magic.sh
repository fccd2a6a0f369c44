#!/usr/bin/env bash
# Wrong magic (random, ELF, text, journal JSON): exit 2, one line naming the file.
# usage: 49-wrong-magic.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
for f in "$B" /etc/passwd; do
  run "$f" -o o.pcap -m reference; no_crash; expect_rc 2 "magic of $f"; one_line_err "$(basename $f)"
done
printf '\xde\xad\xbe\xef' > m.pcap; head -c 100 /dev/urandom >> m.pcap
run m.pcap -o o.pcap -m reference; no_crash; expect_rc 2 "bad magic"; one_line_err m.pcap
[ $(grep -c . e.txt) -le 1 ] || fail "error is not one line"

exit 0
