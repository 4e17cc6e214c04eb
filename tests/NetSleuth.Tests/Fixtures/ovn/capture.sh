#!/bin/bash
# Captures OVN's view from a running `netsleuth lab up peer-pods-ovn --prefix P` (run as root).
# Usage: capture.sh P [SUFFIX]   (clients only: the lab's daemons answer on their unix sockets)
set -e
P=$1; S=${2:+_$2}; R=/run/netsleuth/$P
NB=unix:$R/ovn/nb.sock SB=unix:$R/ovn/sb.sock W=$R/ovs-worker
ovn-nbctl --db=$NB show > "ovn-nbctl_show$S.txt"
ovn-sbctl --db=$SB show > "ovn-sbctl_show$S.txt"
ovn-nbctl --db=$NB list Logical_Switch_Port > "ovn-nbctl_list_Logical_Switch_Port$S.txt"
ovs-vsctl --db=unix:$W/db.sock show > "ovs-vsctl_show$S.txt"
ovs-ofctl dump-flows unix:$W/br-int.mgmt > "ovs-ofctl_dump-flows_br-int$S.txt"
ovs-appctl -t $W/ovs-vswitchd.ctl ofproto/trace br-int \
  'in_port=ovn-k8s-mp0,arp,arp_op=1,dl_src=0a:58:c6:12:02:02,dl_dst=ff:ff:ff:ff:ff:ff,arp_spa=198.18.2.2,arp_tpa=198.18.2.46,arp_sha=0a:58:c6:12:02:02' \
  > "ovs-appctl_ofproto-trace_arp$S.txt"
{ ovn-nbctl --version | head -1; ovs-vswitchd --version | head -1; uname -r; } > versions.txt
