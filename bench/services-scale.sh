#!/usr/bin/env bash
# Services at scale (issue 15): synth a cluster whose every node carries kube-proxy's iptables nat table for S Services,
# then diagnose it, with wall time, CPU time and peak memory of each step and the machine's load before each.
#   bench/services-scale.sh NODES PODS SERVICES [DIR]
# Needs /usr/bin/time. Writes DIR (default /tmp/nsl-svc-NODES) and DIR.diagnose.json; removes neither.
set -euo pipefail
nodes=${1:?nodes}; pods=${2:?pods}; services=${3:?services}
dir=${4:-/tmp/nsl-svc-$nodes}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cli=(dotnet "$here/src/NetSleuth.Cli/bin/Release/net10.0/NetSleuth.Cli.dll")
[ -f "${cli[1]}" ] || cli=("$here/netsleuth")
fmt="%e s wall, %U s user, %S s sys, %M KB max RSS"
echo "commit $(git -C "$here" rev-parse --short HEAD), $(date -u '+%Y-%m-%d %H:%M UTC')"
rm -rf "$dir"
echo "load before synth: $(uptime)"
/usr/bin/time -f "synth: $fmt" "${cli[@]}" synth --nodes "$nodes" --pods "$pods" --style bridge --services "$services" -o "$dir"
du -sh "$dir"
echo "load before diagnose: $(uptime)"
rc=0
/usr/bin/time -f "diagnose: $fmt" "${cli[@]}" diagnose "$dir" --format json -o "$dir.diagnose.json" || rc=$?
echo "diagnose exit $rc"
python3 - "$dir.diagnose.json" <<'PY'
import json, sys, collections
d = json.load(open(sys.argv[1]))
f = d.get("findings", [])
print("findings:", dict(collections.Counter((x["id"], x["severity"]) for x in f)))
for k in ("pathsChecked", "pathsBroken", "pathsPlanned"):
    if k in d: print(k, d[k])
PY
