#!/bin/bash
# Captures OpenFlow tables and ofproto/trace from running labs (run as root, in this directory):
#   capture.sh OVSPREFIX OVNPREFIX
# OVSPREFIX: `netsleuth lab up peer-pods-ovs --prefix OVSPREFIX`; OVNPREFIX: `lab up peer-pods-ovn --prefix OVNPREFIX`.
# Clients only: the labs' daemons answer on their unix sockets (OVS_RUNDIR = the lab's run dir).
set -eu
A=$1; B=$2
mkdir -p normal; WK=$A-wk; POD=0a:58:0a:84:02:2e; MP=0e:8b:77:81:da:7e
export OVS_RUNDIR=/run/netsleuth/$A/ovs
X="ip netns exec $WK"
T="ovs-appctl -t $OVS_RUNDIR/ovs-vswitchd.ctl ofproto/trace br-int"
ICMP="in_port=ovn-k8s-mp0,icmp,dl_src=$(ip -n $WK -br link show ovn-k8s-mp0 | awk '{print $3}'),dl_dst=$POD,nw_src=198.18.2.2,nw_dst=198.18.2.46,icmp_type=8"
# 1. the healthy lab: one flow, priority=0 actions=NORMAL
$X ovs-ofctl dump-flows br-int > normal/ovs-ofctl_dump-flows_br-int.txt
$X ovs-ofctl show br-int > ovs-ofctl_show_br-int.txt
$X $T "$ICMP" > ovs-appctl_ofproto-trace_normal_delivered.txt
# 2. a small pipeline (tables 0, 10, 20; registers, a cookie, masks) plus the drop flow of the ovs-flow-drop fault
$X ovs-ofctl del-flows br-int
$X ovs-ofctl add-flows br-int - <<FLOWS
table=0,priority=100,in_port=ovn-k8s-mp0,actions=load:0x1->NXM_NX_REG0[],resubmit(,10)
table=0,priority=100,in_port=8b7266486ea2861,actions=load:0x2->NXM_NX_REG0[],resubmit(,10)
table=0,priority=0,actions=drop
table=10,priority=50,arp,actions=NORMAL
table=10,cookie=0x16,priority=100,ip,reg0=0x1,nw_dst=198.18.2.0/23,actions=resubmit(,20)
table=10,priority=100,ip,reg0=0x2/0xff,actions=output:ovn-k8s-mp0
table=20,cookie=0x20,priority=100,ip,dl_dst=$POD,nw_dst=198.18.2.46,actions=set_field:0x5->reg1,output:8b7266486ea2861
table=20,priority=110,tcp,nw_dst=198.18.2.46,tp_dst=22,actions=drop
table=20,priority=0,actions=CONTROLLER:65535
FLOWS
$X $T "$ICMP" > ovs-appctl_ofproto-trace_pipeline_delivered.txt
$X ovs-ofctl add-flow br-int "table=0,priority=200,dl_dst=$POD,actions=drop"
ip netns exec $WK ping -n -c 2 -i 0.2 -W 1 198.18.2.46 > ping_ovs-flow-drop.txt 2>&1 || true
$X ovs-ofctl dump-flows br-int > ovs-ofctl_dump-flows_br-int.txt
$X ovs-ofctl --names dump-flows br-int > ovs-ofctl_--names_dump-flows_br-int.txt
$X ovs-ofctl -O OpenFlow13 dump-flows br-int > ovs-ofctl_-O_OpenFlow13_dump-flows_br-int.txt
$X ovs-ofctl -O OpenFlow13 --names dump-flows br-int > ovs-ofctl_-O_OpenFlow13_--names_dump-flows_br-int.txt
$X ovs-ofctl --no-stats dump-flows br-int > ovs-ofctl_--no-stats_dump-flows_br-int.txt
$X ovs-ofctl -O OpenFlow13 show br-int > ovs-ofctl_-O_OpenFlow13_show_br-int.txt
$X $T "$ICMP" > ovs-appctl_ofproto-trace_dropped.txt
# back to the lab's own table
$X ovs-ofctl del-flows br-int
$X ovs-ofctl add-flow br-int "priority=0,actions=NORMAL"
# 3. OVN: br-int of the worker as ovn-controller programs it, an ofproto/trace through it, ovn-trace from the SB
R=/run/netsleuth/$B; W=$R/ovs-worker
ovs-ofctl dump-flows unix:$W/br-int.mgmt > ovn_ovs-ofctl_dump-flows_br-int.txt
ovs-ofctl -O OpenFlow13 --names dump-flows unix:$W/br-int.mgmt > ovn_ovs-ofctl_-O_OpenFlow13_--names_dump-flows_br-int.txt
ovs-ofctl show unix:$W/br-int.mgmt > ovn_ovs-ofctl_show_br-int.txt
ovs-appctl -t $W/ovs-vswitchd.ctl ofproto/trace br-int \
  "in_port=ovn-k8s-mp0,icmp,dl_src=0a:58:c6:12:02:02,dl_dst=$POD,nw_src=198.18.2.2,nw_dst=198.18.2.46,nw_ttl=64,icmp_type=8" \
  > ovn_ovs-appctl_ofproto-trace_icmp.txt
ovn-trace --db=unix:$R/ovn/sb.sock worker \
  "inport == \"k8s-worker\" && eth.src == 0a:58:c6:12:02:02 && eth.dst == $POD && ip4.src == 198.18.2.2 && ip4.dst == 198.18.2.46 && ip.ttl == 64 && icmp4.type == 8" \
  > ovn-trace_icmp.txt
ovn-trace --db=unix:$R/ovn/sb.sock worker \
  "inport == \"default_peerpod\" && eth.src == 7e:e5:f7:e6:f5:1a && eth.dst == 0a:58:c6:12:02:02 && ip4.src == 198.18.2.46 && ip4.dst == 198.18.2.2 && ip.ttl == 64" \
  > ovn-trace_port-security-drop.txt
{ ovs-ofctl --version | head -1; ovn-trace --version | head -1; uname -r; date -u +%F; } > versions.txt
