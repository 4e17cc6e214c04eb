#!/usr/bin/env bash
# Rebuilds the capture lab (namespaces nimp-cap-*) and re-captures every fixture in this folder.
# Run as root from this folder. Deletes its namespaces on exit, also on failure.
set -euo pipefail
P=${P:-nimp-cap}
WK=$P-wk; POD=$P-pod; VM=$P-vm; VMPOD=$P-vmpod; X=$P-x
cleanup() { for n in $WK $POD $VM $VMPOD $X; do ip netns del $n 2>/dev/null || true; done; }
trap cleanup EXIT; [ -n "${KEEP:-}" ] && trap - EXIT
for n in $WK $POD $VM $VMPOD $X; do ip netns add $n; ip -n $n link set lo up; done
# --- the peer-pods lab (docs/lab-recipe.md) ---
ip link add ens3 netns $WK type veth peer name ens2 netns $VM
ip -n $WK addr add 198.51.100.163/24 dev ens3; ip -n $WK link set ens3 up
ip -n $VM addr add 198.51.100.201/24 dev ens2; ip -n $VM link set ens2 up
ip -n $WK link add br-int type bridge; ip -n $WK link set br-int up
ip -n $WK link add ovn-k8s-mp0 type veth peer name mp0-br
ip -n $WK link set mp0-br master br-int; ip -n $WK link set mp0-br up
ip -n $WK addr add 198.18.2.2/23 dev ovn-k8s-mp0; ip -n $WK link set ovn-k8s-mp0 up
ip -n $WK link add 8b7266486ea2861 type veth peer name eth0 netns $POD
ip -n $WK link set 8b7266486ea2861 master br-int; ip -n $WK link set 8b7266486ea2861 up
ip -n $POD link set eth0 address 0a:58:0a:84:02:2e
ip -n $POD addr add 198.18.2.46/23 dev eth0; ip -n $POD link set eth0 up
ip -n $WK link add vxlan1 type vxlan id 555005 remote 198.51.100.201 dstport 4789 nolearning
ip -n $WK link set vxlan1 netns $POD; ip -n $POD link set vxlan1 up
ip netns exec $POD tc qdisc add dev eth0 ingress
ip netns exec $POD tc filter add dev eth0 parent ffff: protocol all u32 match u32 0 0 action mirred egress redirect dev vxlan1
ip netns exec $POD tc qdisc add dev vxlan1 ingress
ip netns exec $POD tc filter add dev vxlan1 parent ffff: protocol all u32 match u32 0 0 action mirred egress redirect dev eth0
ip -n $VM link add vxlan0 type vxlan id 555005 remote 198.51.100.163 dstport 4789 nolearning
ip -n $VM link set vxlan0 netns $VMPOD
ip -n $VMPOD link set vxlan0 address 7e:e5:f7:e6:f5:1a mtu 1400
ip -n $VMPOD addr add 198.18.2.46/23 dev vxlan0; ip -n $VMPOD link set vxlan0 up
ip -n $VMPOD route add default via 198.18.2.1 dev vxlan0
ip -n $WK neigh replace 198.18.2.46 lladdr 0a:58:0a:84:02:2e dev ovn-k8s-mp0 nud permanent
ip netns exec $WK ping -c1 -W1 198.51.100.201 >/dev/null || true
# --- extra kinds and tables in $X ---
# (this kernel has no dummy, vlan, bond or vrf modules: veth stands in, those kinds come from public samples)
ip -n $X link add dum0 type veth peer name dum0p; ip -n $X link set dum0 up; ip -n $X link set dum0p up
ip -n $X link property add dev dum0 altname dummy-uplink
ip -n $X addr add 203.0.113.10/24 dev dum0
ip -n $X addr add 203.0.113.11/24 dev dum0
ip -n $X addr add 2001:db8:1::10/64 dev dum0 nodad
ip -n $X link add link dum0 name mv0 type macvlan mode bridge; ip -n $X link set mv0 up
ip -n $X link add ifb0 type ifb; ip -n $X link set ifb0 up
ip -n $X tuntap add dev tap0 mode tap; ip -n $X tuntap add dev tun0 mode tun
ip -n $X link set tap0 up; ip -n $X link set tun0 up; ip -n $X addr add 198.18.80.1 peer 198.18.80.2/32 dev tun0
ip -n $X link add br0 type bridge stp_state 0; ip -n $X link set br0 up
ip -n $X link add vx9 type vxlan id 9 local 203.0.113.10 dstport 4789 dev dum0 learning
ip -n $X link set vx9 master br0; ip -n $X link set vx9 up
ip -n $X link add vethA type veth peer name vethB; ip -n $X link set vethA master br0; ip -n $X link set vethA up; ip -n $X link set vethB up
ip -n $X addr add 198.18.50.1/24 dev vethB
bridge -n $X fdb append 00:00:00:00:00:00 dev vx9 dst 203.0.113.20
bridge -n $X fdb add 02:11:22:33:44:55 dev vx9 dst 203.0.113.21 vni 9 self permanent
ip -n $X route add 198.18.60.0/24 via 203.0.113.1 dev dum0 metric 100 proto static
ip -n $X route add 198.18.61.0/24 nexthop via 203.0.113.1 dev dum0 weight 1 nexthop via 198.18.50.2 dev vethB weight 2
ip -n $X route add blackhole 198.18.62.0/24
ip -n $X route add unreachable 198.18.63.0/24
ip -n $X route add prohibit 198.18.64.0/24
ip -n $X route add throw 198.18.65.0/24 table 100
ip -n $X route add 198.18.66.0/24 via 198.18.99.1 dev dum0 onlink
ip -n $X route add default via 203.0.113.1 dev dum0 table 100 mtu 1400
ip -n $X route add 198.18.67.0/24 dev tap0 scope link src 203.0.113.10
ip -n $X -6 route add 2001:db8:2::/64 via 2001:db8:1::1 dev dum0 metric 50
ip -n $X -6 route add blackhole 2001:db8:3::/64
ip -n $X rule add from 198.18.50.0/24 table 100 priority 100
ip -n $X rule add to 198.18.70.0/24 iif dum0 lookup main priority 200
ip -n $X rule add fwmark 0x10/0xff table 100 priority 300
ip -n $X rule add not from 198.18.0.0/15 prohibit priority 400
ip -n $X -6 rule add from 2001:db8:1::/64 table 100 priority 100
ip -n $X neigh add 203.0.113.1 lladdr 02:00:00:00:00:01 dev dum0 nud permanent
ip -n $X neigh add 203.0.113.2 lladdr 02:00:00:00:00:02 dev dum0 nud stale
ip -n $X neigh add 203.0.113.3 lladdr 02:00:00:00:00:03 dev dum0 nud reachable router
ip netns exec $X ping -c1 -W1 203.0.113.4 >/dev/null 2>&1 || true   # leaves an INCOMPLETE/FAILED entry
ip -n $X neigh add 2001:db8:1::1 lladdr 02:00:00:00:00:11 dev dum0 router nud permanent
ip -n $X neigh add proxy 203.0.113.99 dev dum0
ip -n $X neigh add 203.0.113.5 lladdr 02:00:00:00:00:05 dev dum0 nud noarp
# (this kernel has u32 and mirred only: no flower, matchall, gact, htb — those come from public samples)
tc -n $X qdisc add dev vethA clsact
tc -n $X filter add dev vethA ingress pref 10 protocol ip u32 match ip dst 198.18.50.0/24 match ip protocol 1 0xff action mirred ingress redirect dev vethB
tc -n $X filter add dev vethA egress pref 20 protocol all u32 match u32 0 0 action mirred egress mirror dev dum0
tc -n $X qdisc add dev dum0 root handle 1: ingress 2>/dev/null || tc -n $X qdisc add dev dum0 ingress
tc -n $X filter add dev dum0 parent ffff: protocol ip u32 match ip dst 198.18.60.0/24 action mirred egress redirect dev vethB
# --- captures: one command's output per file, named after the command ---
cap() { # cap DIR NS FILE CMD...
  local dir=$1 ns=$2 file=$3; shift 3
  mkdir -p "$dir"; ip netns exec "$ns" "$@" > "$dir/$file" 2>&1 || true
}
for pair in worker:$WK pod:$POD vm:$VM vmpod:$VMPOD kinds:$X; do
  d=${pair%%:*}; n=${pair#*:}
  cap $d $n ip_addr.txt ip addr
  cap $d $n ip_-d_addr.txt ip -d addr
  cap $d $n ip_-o_addr.txt ip -o addr
  cap $d $n ip_-br_addr.txt ip -br addr
  cap $d $n ip_-br_link.txt ip -br link
  cap $d $n ip_link.txt ip link
  cap $d $n ip_-d_link_show.txt ip -d link show
  cap $d $n ip_-s_link.txt ip -s link
  cap $d $n ip_-s_-d_link.txt ip -s -d link
  cap $d $n ip_-o_link.txt ip -o link
  cap $d $n ip_route_show_table_all.txt ip route show table all
  cap $d $n ip_-6_route_show_table_all.txt ip -6 route show table all
  cap $d $n ip_route.txt ip route
  cap $d $n ip_rule.txt ip rule
  cap $d $n ip_-6_rule.txt ip -6 rule
  cap $d $n ip_neigh.txt ip neigh
  cap $d $n ip_netns_list-id.txt ip netns list-id
  cap $d $n bridge_fdb_show.txt bridge fdb show
  cap $d $n tc_qdisc_show.txt tc qdisc show
  cap $d $n arp_-n.txt arp -n
  cap $d $n arp_-a.txt arp -a
done
cap pod $POD tc_filter_show_dev_eth0_ingress.txt tc filter show dev eth0 ingress
cap pod $POD tc_filter_show_dev_vxlan1_ingress.txt tc filter show dev vxlan1 ingress
cap pod $POD tc_filter_show_dev_eth0_parent_ffff.txt tc filter show dev eth0 parent ffff:
cap pod $POD tc_filter_show_dev_eth0_root.txt tc filter show dev eth0 root
cap pod $POD ip_-d_link_show_vxlan1.txt ip -d link show vxlan1
cap kinds $X tc_filter_show_dev_vethA_ingress.txt tc filter show dev vethA ingress
cap kinds $X tc_filter_show_dev_vethA_egress.txt tc filter show dev vethA egress
cap kinds $X tc_filter_show_dev_dum0.txt tc filter show dev dum0
cap kinds $X tc_filter_show_dev_vethA.txt tc filter show dev vethA
cap kinds $X ip_-6_neigh.txt ip -6 neigh
cap kinds $X ip_neigh_show_proxy.txt ip neigh show proxy
cap worker $WK ip_route_get_198.18.2.46.txt ip route get 198.18.2.46
cap kinds $X ip_route_get_198.18.61.5.txt ip route get 198.18.61.5
cap kinds $X ip_-6_route_get.txt ip -6 route get 2001:db8:2::5
mkdir -p host; ip netns | grep "^$P" > host/ip_netns.txt
