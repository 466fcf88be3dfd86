#!/usr/bin/env bash
# Hosts as Linux network namespaces for the cross-host benchmarks (root only). The one piece that builds the network:
# swap it for the test-network fixture when that exists. Nothing is added to the machine's own namespace: the bridge
# lives in a namespace of its own, each host is a namespace with one veth (eth0) on it and one address.
#
#   netns-hosts.sh up PREFIX N [SUBNET]   makes PREFIX-br (the bridge) and hosts PREFIX-h0 .. PREFIX-h(N-1),
#                                          host i at SUBNET.(10+i)/24 (SUBNET default 10.78.0); prints "name=address" per host
#   netns-hosts.sh delay PREFIX MS        netem delay of MS ms on every host's eth0 (egress; 0 removes it)
#   netns-hosts.sh down PREFIX            removes every namespace named PREFIX-*
set -euo pipefail
cmd=${1:?usage: netns-hosts.sh up PREFIX N [SUBNET] | delay PREFIX MS | down PREFIX}
prefix=${2:?PREFIX}
hosts() { ip netns list | awk '{print $1}' | grep -E "^${prefix}-h[0-9]+$" | sort -t h -k2 -n || true; }
case $cmd in
  up)
    n=${3:?N}; subnet=${4:-10.78.0}
    [ "$(id -u)" = 0 ] || { echo "netns-hosts.sh: needs root (ip netns add)" >&2; exit 2; }
    ip netns add "$prefix-br"
    ip -n "$prefix-br" link set lo up
    ip -n "$prefix-br" link add br0 type bridge
    ip -n "$prefix-br" link set br0 up
    for ((i = 0; i < n; i++)); do
      h="$prefix-h$i"
      ip netns add "$h"
      ip -n "$prefix-br" link add "v$i" type veth peer name eth0 netns "$h"
      ip -n "$prefix-br" link set "v$i" master br0 up
      ip -n "$h" link set lo up
      ip -n "$h" addr add "$subnet.$((10 + i))/24" dev eth0
      ip -n "$h" link set eth0 up
      echo "$h=$subnet.$((10 + i))"
    done
    ;;
  delay)
    ms=${3:?MS}
    for h in $(hosts); do
      if [ "$ms" = 0 ]; then
        ip -n "$h" link show eth0 >/dev/null && { ip netns exec "$h" tc qdisc del dev eth0 root 2>/dev/null || true; }
      else
        ip netns exec "$h" tc qdisc replace dev eth0 root netem delay "${ms}ms" limit 100000 2>/dev/null \
          || { echo "tc netem is not available here (the kernel needs CONFIG_NET_SCH_NETEM / the sch_netem module)" >&2; exit 3; }
      fi
    done
    ;;
  down)
    for ns in $(ip netns list | awk '{print $1}' | grep -E "^${prefix}-(br|h[0-9]+)$" || true); do
      ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null || true
      ip netns del "$ns"
    done
    ;;
  *) echo "unknown command $cmd" >&2; exit 2 ;;
esac
