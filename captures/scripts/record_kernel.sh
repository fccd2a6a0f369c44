#!/bin/bash
# Record what a real Linux kernel answers to ICMP echo requests.
#
#   sudo captures/scripts/record_kernel.sh [OUTDIR]      (default OUTDIR: captures/)
#
# Two private network namespaces, llr-a (the pinger, where tcpdump records) and llr-b (the
# kernel that answers), joined by a veth pair:
#
#   llr-a: llr-va 00:00:5e:00:53:01  192.0.2.1/24  2001:db8::1/64
#   llr-b: llr-vb 00:00:5e:00:53:02  192.0.2.2/24  2001:db8::2/64
#
# Addresses and MACs are documentation values (RFC 5737, RFC 3849, RFC 7042). Neighbour
# entries are static and no IPv6 link-local address is made, so the recordings hold no ARP,
# neighbour discovery, router solicitation or MLD noise. Nothing outside the two namespaces
# is touched, and both are deleted on exit, whatever happens.
#
# Writes kernel-*.pcap and kernel.pcapng, then opens each with tshark and prints a summary.
# Needs: root, iproute2, iputils-ping, tcpdump, dumpcap and tshark (wireshark-common,
# tshark), python3.

set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(cd "${1:-$HERE/..}" && pwd)
NSA=llr-a
NSB=llr-b
VA=llr-va
VB=llr-vb
MAC_A=00:00:5e:00:53:01
MAC_B=00:00:5e:00:53:02
A4=192.0.2.1
B4=192.0.2.2
A6=2001:db8::1
B6=2001:db8::2
# ICMP (every IPv4 fragment included) and IPv6 except packets that start with a Hop-by-Hop
# header (MLD reports).
FILTER='icmp or (ip6 and ip6[6] != 0)'

if [[ $(id -u) -ne 0 ]]; then
  echo "record_kernel.sh: must run as root (network namespaces, tcpdump)" >&2
  exit 2
fi
for tool in ip ping tcpdump dumpcap tshark capinfos python3; do
  command -v "$tool" >/dev/null || { echo "record_kernel.sh: $tool not found" >&2; exit 2; }
done

WORK=$(mktemp -d)
CAP_PID=""

cleanup() {
  local rc=$?
  if [[ -n $CAP_PID ]]; then
    kill -INT "$CAP_PID" 2>/dev/null || true
    wait "$CAP_PID" 2>/dev/null || true
  fi
  ip netns del "$NSA" 2>/dev/null || true
  ip netns del "$NSB" 2>/dev/null || true
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pa() { ip netns exec "$NSA" "$@"; }
pb() { ip netns exec "$NSB" "$@"; }

setup() {
  # Leftovers of an earlier run that was killed hard.
  ip netns del "$NSA" 2>/dev/null || true
  ip netns del "$NSB" 2>/dev/null || true
  ip netns add "$NSA"
  ip netns add "$NSB"
  ip -n "$NSA" link add "$VA" address "$MAC_A" type veth \
    peer name "$VB" address "$MAC_B" netns "$NSB"
  local ns dev
  for ns in "$NSA" "$NSB"; do
    [[ $ns == "$NSA" ]] && dev=$VA || dev=$VB
    ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$dev.addr_gen_mode=1" \
      "net.ipv6.conf.$dev.accept_ra=0" "net.ipv6.conf.$dev.accept_dad=0"
    ip -n "$ns" link set lo up
  done
  ip -n "$NSA" addr add "$A4/24" brd + dev "$VA"
  ip -n "$NSB" addr add "$B4/24" brd + dev "$VB"
  ip -n "$NSA" addr add "$A6/64" dev "$VA" nodad
  ip -n "$NSB" addr add "$B6/64" dev "$VB" nodad
  ip -n "$NSA" neigh add "$B4" lladdr "$MAC_B" dev "$VA" nud permanent
  ip -n "$NSB" neigh add "$A4" lladdr "$MAC_A" dev "$VB" nud permanent
  ip -n "$NSA" neigh add "$B6" lladdr "$MAC_B" dev "$VA" nud permanent
  ip -n "$NSB" neigh add "$A6" lladdr "$MAC_A" dev "$VB" nud permanent
  ip -n "$NSA" link set "$VA" up
  ip -n "$NSB" link set "$VB" up
  # Let the links come up and any join-time MLD reports go by before recording.
  sleep 2
}

# wait_for FILE TEXT: poll until the capture tool says it is listening.
wait_for() {
  local i
  for i in $(seq 1 50); do
    grep -q "$2" "$1" 2>/dev/null && { sleep 0.3; return 0; }
    kill -0 "$CAP_PID" 2>/dev/null || { cat "$1" >&2; return 1; }
    sleep 0.1
  done
  echo "record_kernel.sh: capture did not start" >&2
  cat "$1" >&2
  return 1
}

# start_tcpdump FILE [tcpdump options...]: record on llr-va (or what -i says) in llr-a.
start_tcpdump() {
  local file=$1
  shift
  local iface=(-i "$VA")
  [[ " $* " == *" -i "* ]] && iface=()
  # A simple command, not the pa function: $! must be tcpdump itself (ip netns exec execs
  # it), not a subshell that would not pass SIGINT on.
  ip netns exec "$NSA" tcpdump "${iface[@]}" -n -s 0 -U -Z root "$@" -w "$WORK/$file" \
    "$FILTER" 2>"$WORK/cap.err" &
  CAP_PID=$!
  wait_for "$WORK/cap.err" "listening on"
}

start_dumpcap() {
  local file=$1
  ip netns exec "$NSA" dumpcap -i "$VA" -q -f "$FILTER" -w "$WORK/$file" 2>"$WORK/cap.err" &
  CAP_PID=$!
  wait_for "$WORK/cap.err" "Capturing on"
}

# stop_capture FILE: give the last replies time to arrive and the file time to flush.
stop_capture() {
  sleep 0.7
  kill -INT "$CAP_PID"
  wait "$CAP_PID" || true
  CAP_PID=""
  mv "$WORK/$1" "$OUT/$1"
  chmod 0644 "$OUT/$1"
  echo "  wrote $1 ($(stat -c %s "$OUT/$1") bytes)"
}

# ping4/ping6 ARGS...: one request (unless -c says otherwise); a lost reply is not an error.
ping4() { pa ping -n -q -c 1 -W 1 "$@" "$B4" >/dev/null 2>&1 || echo "  (no reply: ping -4 $*)"; }
ping6() { pa ping -6 -n -q -c 1 -W 1 "$@" "$B6" >/dev/null 2>&1 || echo "  (no reply: ping -6 $*)"; }

record_sizes() {
  start_tcpdump kernel-sizes.pcap
  local s
  for s in 0 1 2 3 7 8 9 55 56 57 100 1000 1471 1472; do ping4 -s "$s"; done
  stop_capture kernel-sizes.pcap
}

record_tos_patterns() {
  start_tcpdump kernel-tos-patterns.pcap
  ping4 -Q 0xb8
  ping4 -Q 0x03
  ping4 -p ff
  ping4 -p 00
  ping4 -p deadbeef
  ping4 -t 7
  ping4 -M do
  ping4 -M dont
  stop_capture kernel-tos-patterns.pcap
}

record_options() {
  start_tcpdump kernel-options.pcap
  ping4 -R
  ping4 -T tsonly
  ping4 -T tsandaddr
  stop_capture kernel-options.pcap
}

record_fragments() {
  start_tcpdump kernel-fragments.pcap
  ping4 -s 3000
  ping4 -s 1473
  stop_capture kernel-fragments.pcap
}

record_icmpv6() {
  start_tcpdump kernel-icmpv6.pcap
  local s
  for s in 0 1 56 1452; do ping6 -s "$s"; done
  ping6 -Q 0xb8
  ping6 -F 0x12345
  ping6 -t 9
  ping6 -s 3000
  stop_capture kernel-icmpv6.pcap
}

record_crafted() {
  start_tcpdump kernel-crafted.pcap
  pa python3 "$HERE/inject.py" --iface "$VA" --src-mac "$MAC_A" | sed 's/^/  /'
  stop_capture kernel-crafted.pcap
}

# A couple of IPv4 and IPv6 pings, for the link-type and file-format variants.
few_pings() {
  pa ping -n -q -c 2 -i 0.2 -W 1 "$B4" >/dev/null
  pa ping -6 -n -q -c 2 -i 0.2 -W 1 "$B6" >/dev/null
}

record_variants() {
  start_tcpdump kernel-any-sll2.pcap -i any
  few_pings
  stop_capture kernel-any-sll2.pcap

  start_tcpdump kernel-any-sll.pcap -i any -y LINUX_SLL
  few_pings
  stop_capture kernel-any-sll.pcap

  start_tcpdump kernel-nano.pcap --time-stamp-precision=nano
  few_pings
  stop_capture kernel-nano.pcap

  start_dumpcap kernel.pcapng
  few_pings
  stop_capture kernel.pcapng

  start_tcpdump kernel-snaplen.pcap -s 60
  ping4 -s 56
  ping4 -s 100
  ping6 -s 56
  stop_capture kernel-snaplen.pcap
}

# summary FILE: must open in tshark with IPv4 checksum validation on; count what is inside.
summary() {
  local f=$OUT/$1
  if ! tshark -r "$f" -o ip.check_checksum:TRUE -q >/dev/null 2>"$WORK/tshark.err"; then
    echo "record_kernel.sh: tshark cannot read $1:" >&2
    cat "$WORK/tshark.err" >&2
    return 1
  fi
  local encap
  encap=$(capinfos -T -E "$f" 2>/dev/null | tail -1 | cut -f2)
  tshark -r "$f" -o ip.check_checksum:TRUE -T fields -E separator=, \
    -e icmp.type -e icmpv6.type -e icmp.checksum.status -e icmpv6.checksum.status \
    -e ip.checksum.status -e ip.flags.mf -e ip.frag_offset -e ipv6.fraghdr.offset \
    2>/dev/null |
    awk -F, -v name="$1" -v encap="$encap" '
      { n++ }
      $1 == 8 || $2 == 128 { req++ }
      $1 == 0 || $2 == 129 { rep++ }
      $3 == "0" || $4 == "0" { badicmp++ }
      $5 ~ /(^|;)0/ { badip++ }
      $6 ~ /1/ || ($7 != "" && $7 !~ /^0(;|$)/) || $8 != "" { frag++ }
      END { printf "  %-24s %-28s frames %3d  echo requests %2d  replies %2d  fragments %2d  bad ICMP cksum %d  bad IP cksum %d\n",
                   name, encap, n, req + 0, rep + 0, frag + 0, badicmp + 0, badip + 0 }'
}

main() {
  echo "kernel $(uname -r); ping: $(ping -V | head -1); $(tcpdump --version 2>&1 | head -1)"
  setup
  echo "namespace defaults in $NSB: $(pb sysctl -n net.ipv4.ip_default_ttl) (ttl)," \
    "icmp_echo_ignore_broadcasts=$(pb sysctl -n net.ipv4.icmp_echo_ignore_broadcasts)," \
    "accept_source_route=$(pb sysctl -n net.ipv4.conf.all.accept_source_route)," \
    "ipv6 echo_ignore_multicast=$(pb sysctl -n net.ipv6.icmp.echo_ignore_multicast)," \
    "flowlabel_reflect=$(pb sysctl -n net.ipv6.flowlabel_reflect)"
  record_sizes
  record_tos_patterns
  record_options
  record_fragments
  record_icmpv6
  record_crafted
  record_variants
  echo "summary (tshark -o ip.check_checksum:TRUE):"
  local f
  for f in kernel-sizes.pcap kernel-tos-patterns.pcap kernel-options.pcap \
    kernel-fragments.pcap kernel-icmpv6.pcap kernel-crafted.pcap kernel-any-sll2.pcap \
    kernel-any-sll.pcap kernel-nano.pcap kernel.pcapng kernel-snaplen.pcap; do
    summary "$f"
  done
}

main
