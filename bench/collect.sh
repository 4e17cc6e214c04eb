#!/usr/bin/env bash
# Benchmark of `netsleuth collect` (see docs/benchmarks.md, section "collect").
# Builds N pod-like namespaces (veth into a bridge in a "node" namespace, an address, routes, an
# ingress qdisc with one u32 mirred filter each), then times, in the same run:
#   netsleuth collect (whole machine, and only the lab's namespaces), the native binary if published
#   (in-process netlink, and with NETSLEUTH_COLLECT_WITH=tools: the ip/tc/nft processes per namespace),
#   `unshare -p -f --mount-proc plotnetcfg -f json`, and a plain shell loop of `ip -j` per namespace.
# Prints a table and deletes the lab (also on failure). Needs root.
# Usage: bench/collect.sh [N]      (N = 200 by default; 500 for the large run)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
n="${1:-200}"
[ "$(id -u)" = 0 ] || { echo "bench/collect.sh: needs root" >&2; exit 2; }
prefix="ncolb$$-"
node="${prefix}node"
cleanup() {
  for ns in $(ip netns list | awk '{print $1}' | grep "^${prefix}" || true); do ip netns del "$ns" 2>/dev/null || true; done
}
trap cleanup EXIT INT TERM

echo "building $n pod namespaces ($prefix*)..." >&2
ip netns add "$node"
{
  echo "link set lo up"
  echo "link add br0 type bridge"
  echo "link set br0 up"
  echo "address add 198.18.0.1/16 dev br0"
} | ip -n "$node" -batch -
for i in $(seq 1 "$n"); do
  pod="${prefix}p$i"
  ip netns add "$pod"
  ip -n "$node" link add "veth$i" type veth peer name eth0 netns "$pod"
  a=$(( i / 250 + 1 )); b=$(( i % 250 + 2 ))
  ip -n "$node" -batch - <<CMDS
link set veth$i master br0
link set veth$i up
CMDS
  ip -n "$pod" -batch - <<CMDS
link set lo up
address add 198.18.$a.$b/16 dev eth0
link set eth0 up
route add default via 198.18.0.1 dev eth0
route add 203.0.113.0/24 via 198.18.0.1 dev eth0 table 100
CMDS
  tc -n "$pod" qdisc add dev eth0 ingress
  tc -n "$pod" filter add dev eth0 parent ffff: protocol ip u32 match ip dst 203.0.113.0/24 action mirred egress mirror dev lo
done

./netsleuth --version >/dev/null   # build outside the timing
# prints "WALL CPU" (seconds; CPU = user + system of the command and its children)
t() {
  local f; f=$(mktemp)
  /usr/bin/time -f "%e %U %S" -o "$f" "$@" >/dev/null 2>&1 || true
  awk '{printf "%.2f %.2f", $1, $2 + $3}' "$f"; rm -f "$f"
}
ns_all=$(ip netns list | wc -l)
ns_proc=$( (ls -l /proc/[0-9]*/ns/net 2>/dev/null || true) | sed "s/.*net:/net:/" | sort -u | wc -l)

load=$(cut -d' ' -f1-3 /proc/loadavg)
results=()
results+=("netsleuth collect (whole machine)|$(t "$here/netsleuth" collect -o /tmp/${prefix}all.json)")
results+=("netsleuth collect --netns '${prefix}*'|$(t "$here/netsleuth" collect --netns "${prefix}*" -o /tmp/${prefix}lab.json)")
if [ -x "$here/artifacts/netsleuth/netsleuth" ]; then
  results+=("native netsleuth collect (whole machine)|$(t "$here/artifacts/netsleuth/netsleuth" collect -o /tmp/${prefix}native.json)")
  results+=("native, tool path (NETSLEUTH_COLLECT_WITH=tools)|$(NETSLEUTH_COLLECT_WITH=tools t "$here/artifacts/netsleuth/netsleuth" collect -o /tmp/${prefix}tools.json)")
  results+=("native netsleuth --version (startup only)|$(t "$here/artifacts/netsleuth/netsleuth" --version)")
fi
results+=("./netsleuth --version (startup only)|$(t "$here/netsleuth" --version)")
results+=("plotnetcfg -f json (whole machine)|$(t unshare -p -f --mount-proc plotnetcfg -f json)")
loop() {
  for ns in $(ip netns list | awk '{print $1}' | grep "^${prefix}"); do
    ip -n "$ns" -j -d link show; ip -n "$ns" -j addr show; ip -n "$ns" -j route show table all
    ip -n "$ns" -j rule show; ip -n "$ns" -j -6 rule show; ip -n "$ns" -j neigh show nud all
    bridge -n "$ns" -j fdb show; tc -n "$ns" -j qdisc show; tc -n "$ns" -j filter show dev eth0 ingress 2>/dev/null || true
  done
}
export -f loop; export prefix
results+=("shell loop of ip/tc/bridge -j over '${prefix}*'|$(t bash -c loop)")

printf '\n%s pod namespaces (+1 node); machine: %s named namespaces, %s distinct /proc namespaces; %s CPUs, %s\n\n' \
  "$n" "$ns_all" "$ns_proc" "$(nproc)" "$(uname -r)"
printf 'load average before: %s\n\n' "$load"
printf '| %-58s | %8s | %8s |\n' "command" "wall s" "CPU s"
printf '|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..60})" "----------" "----------"
for r in "${results[@]}"; do v="${r##*|}"; printf '| %-58s | %8s | %8s |\n' "${r%%|*}" "${v% *}" "${v#* }"; done
python3 - "/tmp/${prefix}lab.json" <<'PY' || true
import json, sys
s = json.load(open(sys.argv[1])); h = s["hosts"][0]
print(f"\nlab snapshot: {len(h['namespaces'])} namespaces, {sum(len(n.get('links', [])) for n in h['namespaces'])} links, "
      f"{sum(len(n.get('filters', [])) for n in h['namespaces'])} tc filters, {len(h.get('warnings', []))} warnings")
PY
rm -f /tmp/${prefix}*.json
