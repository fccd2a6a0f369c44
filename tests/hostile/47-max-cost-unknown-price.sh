#!/usr/bin/env bash
# --max-cost with a model that has no price: usage error (exit 2), nothing asked.
# usage: 47-max-cost-unknown-price.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
standin
export ANTHROPIC_API_KEY=$SECRET
run "$EXP" -o o.pcap -m anthropic:no-such-model-xyz --base-url http://127.0.0.1:$PORT --no-cache --max-cost 1
no_crash; expect_rc 2 "--max-cost with unpriced model"
[ "$(stat_total)" = 0 ] || fail "request sent"

exit 0
