#!/usr/bin/env bash
# Benchmark of `netsleuth collect --ssh` (see docs/benchmarks.md, section "collect --ssh").
# Builds N "hosts" (default 20): network namespaces on one bridge in an admin namespace, each running a
# real sshd (Debian's openssh-server) in its own PID, mount and UTS namespaces, with its own /tmp and
# hostname, like tests/NetSleuth.LabTests/Collect/Ssh/SshHosts.cs. Then times, from the admin namespace,
# with the native binary (scripts/publish-native):
#   one `collect --ssh` of all N hosts with -j N (parallel), the same with -j 1 (one after the other),
#   and N separate `collect --ssh` runs of one host each (what a user does by hand, scripted).
# Each host gets a small netns of its own to collect (a veth pair, an address, a route).
# Prints a table (hyperfine) and removes everything (also on failure or Ctrl-C). Needs root.
# Usage: bench/ssh-collect.sh [N] [RUNS]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
n="${1:-20}"
runs="${2:-3}"
[ "$(id -u)" = 0 ] || { echo "bench/ssh-collect.sh: needs root" >&2; exit 2; }
native="$here/artifacts/netsleuth/netsleuth"
[ -x "$native" ] || { echo "bench/ssh-collect.sh: run scripts/publish-native first" >&2; exit 2; }
command -v hyperfine >/dev/null || { echo "bench/ssh-collect.sh: apt-get install hyperfine" >&2; exit 2; }
prefix="nsshb$$-"
adm="${prefix}adm"
work="$(mktemp -d /var/tmp/nsshb.XXXXXX)"   # not under /tmp or /run: the hosts mount their own
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  for ns in $(ip netns list | awk '{print $1}' | grep "^${prefix}" || true); do ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

ssh-keygen -q -t ed25519 -N '' -f "$work/client"
mkdir -p "$work/auth"; cp "$work/client.pub" "$work/auth/root"
cat > "$work/start.sh" <<'SH'
set -e
name=$1; hdir=$2; shift 2
hostname "$name"
mount -t tmpfs -o mode=700 tmpfs "$hdir/stage"
for n in "$@"; do : > "$hdir/stage/$n"; mount --bind "/run/netns/$n" "$hdir/stage/$n"; done
mount -t tmpfs -o mode=755 tmpfs /run
mkdir -p /run/netns /run/sshd
for n in "$@"; do : > "/run/netns/$n"; mount --bind "$hdir/stage/$n" "/run/netns/$n"; done
umount -l "$hdir/stage"
mount -t tmpfs -o mode=1777 tmpfs /tmp
exec /usr/sbin/sshd -D -e -f "$hdir/sshd_config"
SH

echo "building $n ssh hosts ($prefix*)..." >&2
ip netns add "$adm"
ip -n "$adm" -batch - <<CMDS
link set lo up
link add br0 type bridge
link set br0 up
address add 198.18.200.1/24 dev br0
CMDS
: > "$work/known_hosts"
dests=()
for i in $(seq 1 "$n"); do
  h=$(printf 'host%02d' "$i"); ns="${prefix}$h"; pod="${prefix}${h}pod"; addr="198.18.200.$((i + 10))"
  ip netns add "$ns"; ip netns add "$pod"
  ip -n "$adm" link add "v$i" type veth peer name eth0 netns "$ns"
  ip -n "$adm" link set "v$i" master br0 up
  ip -n "$ns" -batch - <<CMDS
link set lo up
link set eth0 up
address add $addr/24 dev eth0
link add veth0 type veth peer name eth0 netns $pod
link set veth0 up
address add 10.244.$i.1/24 dev veth0
CMDS
  ip -n "$pod" -batch - <<CMDS
link set lo up
link set eth0 up
address add 10.244.$i.2/24 dev eth0
route add default via 10.244.$i.1
CMDS
  mkdir -p "$work/$h/stage"
  ssh-keygen -q -t ed25519 -N '' -f "$work/$h/hostkey"
  cat > "$work/$h/sshd_config" <<CFG
Port 22
ListenAddress $addr
HostKey $work/$h/hostkey
PidFile none
AuthorizedKeysFile $work/auth/%u
StrictModes no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
MaxStartups 100
CFG
  echo "$addr $(cut -d' ' -f1,2 "$work/$h/hostkey.pub")" >> "$work/known_hosts"
  ip netns exec "$ns" unshare --mount --pid --uts --fork --kill-child --mount-proc \
    sh "$work/start.sh" "$h" "$work/$h" "$pod" > "$work/$h/sshd.log" 2>&1 &
  pids+=($!)
  dests+=("$addr")
done
cat > "$work/ssh_config" <<CFG
Host *
  IdentityFile $work/client
  IdentitiesOnly yes
  IdentityAgent none
  UserKnownHostsFile $work/known_hosts
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  User root
CFG
for i in $(seq 1 "$n"); do
  h=$(printf 'host%02d' "$i")
  for _ in $(seq 1 100); do grep -q "Server listening" "$work/$h/sshd.log" && break; sleep 0.1; done
  grep -q "Server listening" "$work/$h/sshd.log" || { echo "sshd of $h did not start:" >&2; cat "$work/$h/sshd.log" >&2; exit 1; }
done

# one check run: every host collected, its snapshot named after its hostname
ip netns exec "$adm" "$native" collect --ssh --ssh-config "$work/ssh_config" -j "$n" -o "$work/check" "${dests[@]}" >/dev/null
got=$(ls "$work/check" | wc -l)
[ "$got" = "$n" ] || { echo "bench/ssh-collect.sh: $got of $n snapshots" >&2; exit 1; }

run="ip netns exec $adm $native collect --ssh --ssh-config $work/ssh_config"
printf '%s\n' "${dests[@]}" > "$work/dests"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores" >&2
hyperfine --runs "$runs" --style basic --export-markdown "$work/table.md" \
  -n "collect --ssh, $n hosts, -j $n" "rm -rf $work/o; $run -j $n -o $work/o ${dests[*]} >/dev/null" \
  -n "collect --ssh, $n hosts, -j 1" "rm -rf $work/o; $run -j 1 -o $work/o ${dests[*]} >/dev/null" \
  -n "$n runs of collect --ssh, one host each" "rm -rf $work/o; for d in \$(cat $work/dests); do $run -o $work/o \$d >/dev/null; done" >&2
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
cat "$work/table.md"
# nothing left on the hosts: their /tmp is empty
for p in "${pids[@]}"; do
  c=$(cat "/proc/$p/task/$p/children" 2>/dev/null | awk '{print $1}')
  [ -n "$c" ] && [ -z "$(ls -A "/proc/$c/root/tmp")" ] || { echo "bench/ssh-collect.sh: something left in a host's /tmp" >&2; exit 1; }
done
