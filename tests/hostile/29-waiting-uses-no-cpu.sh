#!/usr/bin/env bash
# While waiting on retry-after (429 with retry-after 2 s), user+sys CPU must stay far below wall time.
# usage: 29-waiting-uses-no-cpu.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
standin --rate-429 1 --retry-after-s 2 --fault-max-per-packet 3
export ANTHROPIC_API_KEY=$SECRET
/usr/bin/time -f '%e %U %S' -o tm "$B" "$CAPS/kernel-sizes.pcap" -o o.pcap -m anthropic:claude-haiku-4-5 --base-url http://127.0.0.1:$PORT --no-cache -q >o.txt 2>e.txt
read wall u s < tm
python3 -c "import sys; w,c=$wall,$u+$s; print(f'wall {w}s cpu {c:.2f}s', file=sys.stderr); sys.exit(0 if c < 0.1*w+0.3 else 1)" || fail "busy waiting: cpu $u+$s s over $wall s wall while waiting on retry-after"

exit 0
