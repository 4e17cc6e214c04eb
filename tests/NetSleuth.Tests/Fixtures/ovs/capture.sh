#!/bin/bash
# Captures real OVS output from a private OVS in a lab namespace; cleans up on exit.
set -u
OUT=$1
NS=nimb-ovs-$$-$RANDOM
D=$(mktemp -d /tmp/nimb-ovsrun.XXXXXX)
export OVS_RUNDIR=$D OVS_DBDIR=$D OVS_LOGDIR=$D OVS_SYSCONFDIR=$D OVS_PKGDATADIR=/usr/share/openvswitch
DB=unix:$D/db.sock
cleanup() {
  for p in ovs-vswitchd ovsdb-server; do
    [ -f $D/$p.pid ] && kill $(cat $D/$p.pid) 2>/dev/null
  done
  sleep 1
  for p in ovs-vswitchd ovsdb-server; do
    [ -f $D/$p.pid ] && kill -9 $(cat $D/$p.pid) 2>/dev/null
  done
  ip netns del $NS 2>/dev/null
  rm -rf $D
}
trap cleanup EXIT
ip netns add $NS
ip -n $NS link set lo up
ovsdb-tool create $D/conf.db /usr/share/openvswitch/vswitch.ovsschema
ip netns exec $NS ovsdb-server $D/conf.db --remote=punix:$D/db.sock --pidfile=$D/ovsdb-server.pid --detach --log-file=$D/ovsdb-server.log --unixctl=$D/ovsdb-server.ctl || exit 1
V="ovs-vsctl --db=$DB"
$V --no-wait init
ip netns exec $NS ovs-vswitchd $DB --pidfile=$D/ovs-vswitchd.pid --detach --log-file=$D/ovs-vswitchd.log --unixctl=$D/ovs-vswitchd.ctl || exit 1
$V --timeout=10 add-br br-int -- set bridge br-int datapath_type=netdev fail-mode=secure \
   external_ids:ovn-bridge-mappings=physnet:br-ex
$V --timeout=10 add-br br-ex -- set bridge br-ex datapath_type=netdev
# veth into a "pod" namespace
ip -n $NS link add 8b7266486ea2861 type veth peer name eth0p
ip -n $NS link set 8b7266486ea2861 up
$V --timeout=10 add-port br-int 8b7266486ea2861 -- set interface 8b7266486ea2861 \
  external_ids:iface-id=default_pod-a external_ids:attached-mac=0a:58:0a:84:02:2e \
  external_ids:ip_addresses=198.18.2.46/23 external_ids:sandbox=8b7266486ea2861abcd
# management port, internal
$V --timeout=10 add-port br-int ovn-k8s-mp0 -- set interface ovn-k8s-mp0 type=internal \
  external_ids:iface-id=k8s-worker0 mac=\"0a:58:c6:12:02:02\"
# tagged veth port
ip -n $NS link add veth-tag type veth peer name veth-tagp
ip -n $NS link set veth-tag up
$V --timeout=10 add-port br-int veth-tag tag=100
# vxlan tunnel
$V --timeout=10 add-port br-int vxlan1 -- set interface vxlan1 type=vxlan options:remote_ip=198.51.100.201 options:key=555005 options:dst_port=4789
# patch ports
$V --timeout=10 add-port br-int patch-br-int-to-br-ex -- set interface patch-br-int-to-br-ex type=patch options:peer=patch-br-ex-to-br-int
$V --timeout=10 add-port br-ex patch-br-ex-to-br-int -- set interface patch-br-ex-to-br-int type=patch options:peer=patch-br-int-to-br-ex
# trunk port on br-ex with an uplink veth
ip -n $NS link add ens3 type veth peer name ens3p
ip -n $NS link set ens3 up
$V --timeout=10 add-port br-ex ens3 trunks=10,20
# a port whose device does not exist (error column)
$V --timeout=10 add-port br-ex missing0
ip -n $NS link set br-int up; ip -n $NS link set ovn-k8s-mp0 up
ip -n $NS addr add 198.18.2.2/23 dev ovn-k8s-mp0
sleep 2
mkdir -p $OUT
$V show > $OUT/ovs-vsctl_show.txt
$V list-br > $OUT/ovs-vsctl_list-br.txt
for t in bridge port interface open_vswitch; do
  $V list $t > $OUT/ovs-vsctl_list_$t.txt
  $V --format=json list $t > $OUT/ovs-vsctl_--format=json_list_$t.txt
done
$V -f json list interface > $OUT/ovs-vsctl_-f_json_list_interface.txt
$V --columns=name,ofport,type,external_ids list interface > "$OUT/ovs-vsctl_--columns=name,ofport,type,external_ids_list_interface.txt"
for b in br-int br-ex; do
  ovs-ofctl dump-ports $b > $OUT/ovs-ofctl_dump-ports_$b.txt
  ovs-ofctl --names dump-ports $b > $OUT/ovs-ofctl_--names_dump-ports_$b.txt
  ovs-ofctl --no-names dump-ports $b > $OUT/ovs-ofctl_--no-names_dump-ports_$b.txt
  ovs-ofctl -O OpenFlow13 dump-ports $b > $OUT/ovs-ofctl_-O_OpenFlow13_dump-ports_$b.txt
  ovs-ofctl -O OpenFlow15 dump-ports $b > $OUT/ovs-ofctl_-O_OpenFlow15_dump-ports_$b.txt
  ovs-ofctl show $b > $OUT/ovs-ofctl_show_$b.txt
  ovs-ofctl -O OpenFlow13 show $b > $OUT/ovs-ofctl_-O_OpenFlow13_show_$b.txt
  ovs-ofctl dump-ports-desc $b > $OUT/ovs-ofctl_dump-ports-desc_$b.txt
done
ovs-ofctl dump-ports br-int 1 > $OUT/ovs-ofctl_dump-ports_br-int_1.txt
ip -n $NS -d link show > $OUT/ip_-d_link_show.txt
$V --version > $OUT/versions.txt
if [ -n "${HOLD:-}" ]; then echo "holding in $NS with $D"; eval "$HOLD"; fi
