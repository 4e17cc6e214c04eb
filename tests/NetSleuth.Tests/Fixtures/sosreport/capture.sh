#!/bin/bash
# Runs INSIDE `unshare --mount --uts --propagation private`: builds a worker-like lab in private
# namespaces (only visible in this mount namespace) and runs sos report in it.
# usage: sos-lab.sh OUTDIR [SOS_CMD...]
set -u
OUT=$1; shift
SOS=("$@"); [ ${#SOS[@]} -eq 0 ] && SOS=(sos)
mount -t tmpfs nimb-netns /run/netns
mount -t sysfs nimb-sys /sys
ip link set lo up
hostname nimb-worker0
U=$$
POD=nimb_pod_$U; AUX=nimb-aux-$U
D=$(mktemp -d /tmp/nimb-sosovs.XXXXXX)
export OVS_RUNDIR=$D OVS_DBDIR=$D OVS_LOGDIR=$D OVS_SYSCONFDIR=$D OVS_PKGDATADIR=/usr/share/openvswitch
cleanup() {
  for p in ovs-vswitchd ovsdb-server; do [ -f $D/$p.pid ] && kill $(cat $D/$p.pid) 2>/dev/null; done
  sleep 1
  for p in ovs-vswitchd ovsdb-server; do [ -f $D/$p.pid ] && kill -9 $(cat $D/$p.pid) 2>/dev/null; done
  ip netns del $POD 2>/dev/null; ip netns del $AUX 2>/dev/null
  rm -rf $D
}
trap cleanup EXIT
ip netns add $POD; ip netns add $AUX
ip -n $POD link set lo up
w() { "$@"; }
ip link add aux0 type veth peer name aux1 netns $AUX
ip -n $AUX addr add 203.0.113.5/24 dev aux1; ip -n $AUX link set aux1 up
# underlay
ip link add ens3 type veth peer name ens3-peer
ip addr add 198.51.100.163/24 dev ens3; ip link set ens3 up; ip link set ens3-peer up
ip route add default via 198.51.100.1 dev ens3
# OVS br-int
ovsdb-tool create $D/conf.db /usr/share/openvswitch/vswitch.ovsschema
w ovsdb-server $D/conf.db --remote=punix:$D/db.sock --pidfile=$D/ovsdb-server.pid --detach --log-file=$D/ovsdb-server.log --unixctl=$D/ovsdb-server.ctl || exit 1
ovs-vsctl --no-wait init
w ovs-vswitchd unix:$D/db.sock --pidfile=$D/ovs-vswitchd.pid --detach --log-file=$D/ovs-vswitchd.log --unixctl=$D/ovs-vswitchd.ctl || exit 1
ovs-vsctl --timeout=10 add-br br-int -- set bridge br-int datapath_type=netdev fail-mode=standalone
ip link add 8b7266486ea2861 type veth peer name eth0 netns $POD
ip link set 8b7266486ea2861 up
ovs-vsctl --timeout=10 add-port br-int 8b7266486ea2861 -- set interface 8b7266486ea2861 \
  external_ids:iface-id=default_pod-a external_ids:attached-mac=0a:58:0a:84:02:2e
ovs-vsctl --timeout=10 add-port br-int ovn-k8s-mp0 -- set interface ovn-k8s-mp0 type=internal external_ids:iface-id=k8s-nimb-worker0
ovs-vsctl --timeout=10 add-port br-int vxlan-tun -- set interface vxlan-tun type=vxlan options:remote_ip=198.51.100.201 options:key=555005
sleep 1
ip link set br-int up; ip link set ovn-k8s-mp0 up
ip addr add 198.18.2.2/23 dev ovn-k8s-mp0
ip neigh replace 198.18.2.46 lladdr 0a:58:0a:84:02:2e dev ovn-k8s-mp0 nud permanent
w sysctl -qw net.ipv4.ip_forward=1
w sysctl -qw net.ipv4.conf.ovn-k8s-mp0.rp_filter=2
w iptables -N cali-INPUT
w iptables -A INPUT -j cali-INPUT
w iptables -A cali-INPUT -p udp -m udp --dport 4789 -m comment --comment "cali:vxlan drop" -j DROP
# pod namespace
p() { ip netns exec $POD "$@"; }
ip -n $POD link set eth0 address 0a:58:0a:84:02:2e
ip -n $POD addr add 198.18.2.46/23 dev eth0; ip -n $POD link set eth0 up
ip -n $POD route add default via 198.18.2.1 dev eth0
ip link add vxlan1 type vxlan id 555005 remote 198.51.100.201 dstport 4789 nolearning
ip link set vxlan1 netns $POD; ip -n $POD link set vxlan1 up
p tc qdisc add dev eth0 ingress
p tc filter add dev eth0 parent ffff: protocol all u32 match u32 0 0 action mirred egress redirect dev vxlan1
w ping -c1 -W1 198.18.2.46 >/dev/null
ip netns exec $AUX iptables -N cali-INPUT
ip netns exec $AUX iptables -A INPUT -j cali-INPUT
ip netns exec $AUX iptables -A cali-INPUT -p udp -m udp --dport 4789 -m comment --comment "cali:vxlan drop" -j DROP
ip netns exec $AUX sysctl -qw net.ipv4.conf.aux1.rp_filter=1
mkdir -p $OUT
echo "POD=$POD AUX=$AUX" > $OUT/lab-names.txt
w "${SOS[@]}" report --batch --quiet -o networking,openvswitch,kernel,host --build --tmp-dir $OUT --label nimb >$OUT/sos-stdout.txt 2>&1
echo "sos exit $?" >> $OUT/sos-stdout.txt
# The per-namespace commands of sos >= 4.3 (networking.py, subdir namespaces/<ns>/), run the same
# way sos runs them, stored under sos's mangled names (sos >= 4.3 cannot be installed here).
N43=$OUT/ns43; mkdir -p $N43
for ns in $POD $AUX; do
  mkdir -p $N43/$ns
  for c in "ip -d address show" "ip route show table all" "ip -s -s neigh show" "ip -4 rule list" "ip -6 rule list" "sysctl -a" "iptables-save" "ip6tables-save"; do
    f=$(python3 -c 'import re,sys;m=re.sub(r"[^\w\-\.\/]+","_",sys.argv[1]);print(re.sub(r"/",".",m).strip(" ._-")[:255])' "ip netns exec $ns $c")
    LC_ALL=C ip netns exec $ns $c > $N43/$ns/$f 2>/dev/null
  done
done
