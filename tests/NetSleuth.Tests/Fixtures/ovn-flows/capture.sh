#!/bin/bash
# Captures br-int's OpenFlow tables and Open vSwitch's / OVN's own traces from `netsleuth lab up peer-pods-ovn
# --prefix P [--fault F]` into DIR (run as root; clients only, through the lab's unix sockets).
# Usage: capture.sh P DIR
set -e
P=$1; D=$2; R=/run/netsleuth/$P; mkdir -p "$D"
NB=unix:$R/ovn/nb.sock SB=unix:$R/ovn/sb.sock W=$R/ovs-worker N=$R/ovs-node2
POD=$(ovn-nbctl --db=$NB lsp-get-addresses default_peerpod | awk '{print $1}')
POD=${POD:-0a:58:0a:84:02:2e}
ovs-ofctl dump-flows unix:$W/br-int.mgmt > "$D/worker_ovs-ofctl_dump-flows_br-int.txt"
ovs-ofctl show unix:$W/br-int.mgmt > "$D/worker_ovs-ofctl_show_br-int.txt"
ovs-ofctl dump-flows unix:$N/br-int.mgmt > "$D/node2_ovs-ofctl_dump-flows_br-int.txt"
ovs-ofctl show unix:$N/br-int.mgmt > "$D/node2_ovs-ofctl_show_br-int.txt"
ovn-nbctl --db=$NB list Logical_Switch_Port > "$D/ovn-nbctl_list_Logical_Switch_Port.txt"
T() { ovs-appctl -t $W/ovs-vswitchd.ctl ofproto/trace br-int "$2" > "$D/worker_ovs-appctl_ofproto-trace_$1.txt"; }
T icmp-pod "in_port=ovn-k8s-mp0,icmp,dl_src=0a:58:c6:12:02:02,dl_dst=$POD,nw_src=198.18.2.2,nw_dst=198.18.2.46,nw_ttl=64,icmp_type=8"
T arp-pod "in_port=ovn-k8s-mp0,arp,arp_op=1,dl_src=0a:58:c6:12:02:02,dl_dst=ff:ff:ff:ff:ff:ff,arp_spa=198.18.2.2,arp_tpa=198.18.2.46,arp_sha=0a:58:c6:12:02:02"
T icmp-remote "in_port=ovn-k8s-mp0,icmp,dl_src=0a:58:c6:12:02:02,dl_dst=0a:58:c6:12:02:01,nw_src=198.18.2.2,nw_dst=198.18.4.10,nw_ttl=64,icmp_type=8"
T icmp-from-pod "in_port=8b7266486ea2861,icmp,dl_src=$POD,dl_dst=0a:58:c6:12:02:02,nw_src=198.18.2.46,nw_dst=198.18.2.2,nw_ttl=64,icmp_type=0"
ovn-trace --db=$SB worker "inport == \"k8s-worker\" && eth.src == 0a:58:c6:12:02:02 && eth.dst == $POD && ip4.src == 198.18.2.2 && ip4.dst == 198.18.2.46 && ip.ttl == 64 && icmp4.type == 8" \
  > "$D/ovn-trace_icmp-pod.txt"
{ ovs-vsctl --version | head -1; ovs-ofctl --version | head -1; ovn-nbctl --version | head -1; ovn-trace --version | head -1; uname -r; date -u +%F; } > "$D/versions.txt"
