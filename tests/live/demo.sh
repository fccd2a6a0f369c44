#!/usr/bin/env bash
# The README's two-terminal walkthrough of live mode, run in a throwaway network namespace so
# that nothing on the host's own network changes: starts `live` on a TUN device there, pings
# it, stops it with Ctrl-C (SIGINT) and prints what each terminal showed. Needs root.
#
#   sudo tests/live/demo.sh [--binary PATH] [--ping 'ARGS'] [--standin 'SERVER FLAGS'] [-- LIVE OPTIONS]
#
# Default: --model reference, `ping -c 3 10.99.0.2`. --standin runs the test suite's stand-in API
# server (tests/standin/server.py) in the namespace and points live at it as an Anthropic model,
# e.g. --standin '--mistakes icmp_checksum_unchanged' for a model that forgets the checksum.
# The record is left in ./live.pcapng.
set -euo pipefail

here="$(cd "$(dirname "$0")/../.." && pwd)"
binary="$here/build/llmstack-replay"
ping_args="-c 3 10.99.0.2"
standin=""
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) binary="$2"; shift 2 ;;
    --ping) ping_args="$2"; shift 2 ;;
    --standin) standin="$2"; shift 2 ;;
    --) shift; break ;;
    *) echo "usage: $0 [--binary PATH] [--ping 'ARGS'] [--standin 'FLAGS'] [-- LIVE OPTIONS]" >&2; exit 2 ;;
  esac
done
live_options=("$@")

ns="llr-demo-$$"
work="$(mktemp -d)"
live_pid=""
server_pid=""
cleanup() {
  if [ -n "$live_pid" ]; then kill "$live_pid" 2>/dev/null || true; fi
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
  for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

ip netns add "$ns"
ip netns exec "$ns" ip link set lo up
# ICMP sockets for ping, as unprivileged users get them on most distributions: the kernel then
# checks each reply's ICMP checksum before ping sees it.
ip netns exec "$ns" sysctl -qw net.ipv4.ping_group_range="0 2147483647"

if [ -n "$standin" ]; then
  # shellcheck disable=SC2086  # the flags are words
  ip netns exec "$ns" python3 "$here/tests/standin/server.py" --port 0 \
    --port-file "$work/port" $standin >"$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.05; done
  [ ${#live_options[@]} -gt 0 ] || live_options=(--model anthropic:claude-haiku-4-5)
  live_options+=(--base-url "http://127.0.0.1:$(cat "$work/port")" --no-cache)
  export ANTHROPIC_API_KEY=standin-key
fi
[ ${#live_options[@]} -gt 0 ] || live_options=(--model reference)

command=(llmstack-replay live --tun tun0 --addr 10.99.0.1/24 "${live_options[@]}" --record live.pcapng)
ip netns exec "$ns" "$binary" "${command[@]:1}" >"$work/live.out" 2>&1 &
live_pid=$!
for _ in $(seq 100); do grep -q "^host side" "$work/live.out" 2>/dev/null && break; sleep 0.05; done

# shellcheck disable=SC2086
ip netns exec "$ns" ping $ping_args >"$work/ping.out" 2>&1 || true
sleep 0.2
kill -INT "$live_pid" 2>/dev/null || true  # it may have stopped by itself (exit 3)
status=0
wait "$live_pid" || status=$?
live_pid=""

echo "=== terminal 1: sudo ${command[*]}"
cat "$work/live.out"
echo "(exit status $status)"
echo
echo "=== terminal 2: ping $ping_args"
cat "$work/ping.out"
