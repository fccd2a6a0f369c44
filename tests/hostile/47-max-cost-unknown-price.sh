#!/usr/bin/env bash
# --max-cost with a model the price table does not know: a usage error (exit 2) before anything
# is sent, except on a server of this host, which costs nothing (DESIGN section 4).
# usage: 47-max-cost-unknown-price.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
standin
export ANTHROPIC_API_KEY=$SECRET
# The vendor's own address: refused before any request. Should the check ever fail, the request
# goes to a proxy on this host that is not there, never out of the machine.
export https_proxy=http://127.0.0.1:1 HTTPS_PROXY=http://127.0.0.1:1 ALL_PROXY=http://127.0.0.1:1
run "$EXP" -o o.pcap -m anthropic:no-such-model-xyz --no-cache --max-cost 1 --retries 0
no_crash; expect_rc 2 "--max-cost with an unpriced model of the vendor's API"
grep -q 'no-such-model-xyz' e.txt || fail "the error does not name the model: $(cat e.txt)"
# A server of this host: no price needed, it costs 0, the budget holds.
unset https_proxy HTTPS_PROXY ALL_PROXY
rm -f o.pcap
run "$EXP" -o o.pcap -m anthropic:no-such-model-xyz --base-url http://127.0.0.1:$PORT --no-cache --max-cost 1
no_crash; expect_rc 0 "--max-cost with a local server"
[ "$(stat_total)" -ge 1 ] || fail "nothing was sent to the local server"
exit 0
