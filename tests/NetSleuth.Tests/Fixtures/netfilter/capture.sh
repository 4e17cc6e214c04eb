#!/bin/bash
# Captures iptables (nft and legacy back ends), nft and sysctl output from lab namespaces.
set -u
OUT=$1; mkdir -p $OUT
NSS=()
trap 'for n in "${NSS[@]}"; do ip netns del $n 2>/dev/null; done' EXIT
capture() {
  local v=$1 NS=nimb-fw-$1-$$-$RANDOM
  NSS+=($NS)
  ip netns add $NS
  ip -n $NS link set lo up
  ip -n $NS link add eth0 type veth peer name cali1234abcd
  ip -n $NS addr add 198.18.2.2/23 dev eth0
  ip -n $NS link set eth0 up; ip -n $NS link set cali1234abcd up
  x() { ip netns exec $NS "$@"; }
  local I=iptables-$v I6=ip6tables-$v
  x $I -N cali-INPUT
  x $I -N cali-FORWARD
  x $I -N cali-wl-to-host
  x $I -A INPUT -m comment --comment "cali:Cz_u1IQiXIMmKD4c" -j cali-INPUT
  x $I -A FORWARD -m comment --comment "cali:wUHhoiAYhphO9Mso" -j cali-FORWARD
  x $I -A cali-INPUT -p udp -m comment --comment "cali:w7ud0UgQSEi_zKuQ" -m udp --dport 4789 -j DROP
  x $I -A cali-INPUT -i cali+ -m comment --comment "cali:hzgzCv6pT8Uz9KSf drop workload to host" -g cali-wl-to-host
  x $I -A cali-wl-to-host -j RETURN
  x $I -A cali-FORWARD -m mark --mark 0x10000/0x10000 -j ACCEPT
  x $I -A cali-FORWARD -s 198.18.2.0/23 -d 198.51.100.0/24 -p tcp -m multiport --dports 80,443 -j REJECT --reject-with icmp-port-unreachable
  x $I -A cali-FORWARD -m conntrack --ctstate INVALID -j DROP
  x $I -A cali-FORWARD -o eth0 -j LOG --log-prefix "cali drop: "
  x $I -A cali-FORWARD -i eth0
  x $I -P FORWARD DROP
  x $I -t nat -N cali-POSTROUTING
  x $I -t nat -A POSTROUTING -j cali-POSTROUTING
  x $I -t nat -A cali-POSTROUTING -s 198.18.2.0/23 ! -d 198.18.0.0/15 -o eth0 -j MASQUERADE
  x $I -t nat -A PREROUTING -d 203.0.113.10/32 -p tcp --dport 8080 -j DNAT --to-destination 198.18.2.46:80
  x $I -t mangle -A PREROUTING -i eth0 -j MARK --set-xmark 0x10000/0x10000
  x $I -t raw -A PREROUTING -p udp --dport 4789 -j NOTRACK
  x $I6 -A INPUT -p ipv6-icmp -j ACCEPT
  x $I6 -A INPUT -s fd00:198:18::/64 -p udp --dport 4789 -j DROP
  x $I6 -P INPUT DROP
  x ping -c2 -i0.2 -W1 198.18.2.2 >/dev/null
  x ping -c1 -W1 198.18.3.9 >/dev/null
  local O=$OUT/iptables-$v; mkdir -p $O
  x $I -S > $O/iptables_-S.txt
  x $I -t nat -S > $O/iptables_-t_nat_-S.txt
  x $I -S -v > $O/iptables_-S_-v.txt
  x $I6 -S > $O/ip6tables_-S.txt
  x $I-save > $O/iptables-save.txt
  x $I-save -c > $O/iptables-save_-c.txt
  x $I6-save > $O/ip6tables-save.txt
  x $I -nvL > $O/iptables_-nvL.txt
  x $I -t nat -nvL > $O/iptables_-t_nat_-nvL.txt
  x $I -L -n --line-numbers > $O/iptables_-L_-n_--line-numbers.txt
  x $I -vnxL > $O/iptables_-vnxL.txt
  x $I6 -nvL > $O/ip6tables_-nvL.txt
  if [ $v = nft ]; then
    local N=$OUT/nft; mkdir -p $N
    x nft add table inet calico
    x nft add chain inet calico input '{ type filter hook input priority filter; policy accept; }'
    x nft add chain inet calico cali-wl
    x nft add rule inet calico input udp dport 4789 counter drop comment '"cali:vxlan drop"'
    x nft add rule inet calico input iifname "cali*" jump cali-wl
    x nft add rule inet calico cali-wl ip saddr 198.18.2.0/23 ip daddr 198.51.100.0/24 tcp dport '{ 80, 443 }' reject
    x nft add table netdev ing
    x nft add chain netdev ing eth0in '{ type filter hook ingress device eth0 priority -500; policy accept; }'
    x nft add rule netdev ing eth0in ip daddr 203.0.113.99 drop
    x nft list ruleset > $N/nft_list_ruleset.txt
    x nft -a list ruleset > $N/nft_-a_list_ruleset.txt
    x nft -j list ruleset > $N/nft_-j_list_ruleset.txt
    local S=$OUT/sysctl; mkdir -p $S
    x sysctl -w net.ipv4.ip_forward=1 >/dev/null
    x sysctl -w net.ipv4.conf.eth0.rp_filter=1 >/dev/null
    x sysctl -w net.ipv4.conf.eth0.proxy_arp=1 >/dev/null
    x sysctl -a > $S/sysctl_-a.txt 2>/dev/null
    x sysctl net.ipv4.ip_forward > $S/sysctl_net.ipv4.ip_forward.txt
    x sysctl net.ipv4.conf.all.rp_filter net.ipv4.conf.eth0.rp_filter > $S/sysctl_rp_filter.txt
    x cat /proc/sys/net/ipv4/ip_forward > $S/cat_proc_sys_net_ipv4_ip_forward.txt
  fi
}
capture nft
capture legacy
iptables-nft --version > $OUT/versions.txt; iptables-legacy --version >> $OUT/versions.txt; nft --version >> $OUT/versions.txt; sysctl --version >> $OUT/versions.txt
