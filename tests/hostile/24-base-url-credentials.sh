#!/usr/bin/env bash
# --base-url with userinfo or a key in the query: refused with exit 2; the credential never printed.
# usage: 24-base-url-credentials.sh /path/to/llmstack-replay
source "$(dirname "$0")/lib.bash"
standin
run "$EXP" -o o.pcap -m openai:gpt-4o --base-url "http://u:$SECRET@127.0.0.1:$PORT/v1" --no-cache
no_crash; expect_rc 2 "userinfo in --base-url"
no_secret .
run "$EXP" -o o.pcap -m openai:gpt-4o --base-url "http://127.0.0.1:$PORT/v1?api_key=$SECRET" --no-cache
no_crash; expect_rc 2 "key in --base-url query"
no_secret .
[ "$(stat_total)" = 0 ] || fail "requests were sent with a credentialed base URL"

exit 0
