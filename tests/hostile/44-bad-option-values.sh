#!/usr/bin/env bash
# Option values out of range: --timeout 0/nan/-1/inf, -j 0/-1, --samples 0/-1, --max-cost -1/nan, --retries -1, --max-wait -1: exit 2.
# usage: 44-bad-option-values.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
standin
export ANTHROPIC_API_KEY=$SECRET
bad=0; msgs=""
for args in "--timeout 0" "--timeout nan" "--timeout -1" "--timeout inf" "-j 0" "-j -1" "--samples 0" "--samples -1" \
            "--max-cost -1" "--max-cost nan" "--retries -1" "--max-wait -1" "--max-wait nan" "--max-tokens 0" "--max-tokens -5" "--temperature nan" "--thinking -1"; do
  rm -f o.pcap
  TMO=20 run "$EXP" -o o.pcap -m anthropic:claude-haiku-4-5 --base-url http://127.0.0.1:$PORT --no-cache $args
  [ "$RC" = 2 ] || { bad=$((bad+1)); msgs="$msgs [$args -> $RC]"; }
done
[ $bad = 0 ] || fail "not a usage error (exit 2):$msgs"

exit 0
