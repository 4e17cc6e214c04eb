#!/usr/bin/env bash
# Import of a large transcript / sosreport: generates the inputs (bench/NetSleuth.Bench import-gen),
# then times what `netsleuth import PATH -o FILE` does on each (import: read into a snapshot, then
# write the snapshot JSON), one process per input, and prints one table.
# Usage: bench/import.sh [LINKS...]          transcript sizes in links (default "10000 30000 100000")
#        env SOS="1000 3000 10000"           sosreport sizes in links ("" = none); FLAT=1 for the sos 4.0 layout
#            REPEAT=R (import each input R times in one process, warm-up included); KEEP=1 keeps the inputs
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
sizes=("${@:-10000 30000 100000}")
read -r -a sizes <<<"${sizes[*]}"
read -r -a sos <<<"${SOS-1000 3000 10000}"
out="$here/.build/bench"
dotnet build "$here/bench/NetSleuth.Bench/NetSleuth.Bench.csproj" -c Release -o "$out" -nologo -v q >/dev/null
bench() { dotnet "$out/NetSleuth.Bench.dll" "$@"; }
work="$(mktemp -d "${TMPDIR:-/tmp}/netsleuth-import.XXXXXX")"
cleanup() { [ "${KEEP:-0}" = 1 ] && echo "kept $work" >&2 || rm -rf "$work"; }
trap cleanup EXIT

echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB RAM, kernel $(uname -r), dotnet $(dotnet --version)"
echo "# cpu pressure before: $(head -1 /proc/pressure/cpu 2>/dev/null || echo n/a)"
printf '%-14s %-22s %11s %11s %16s %13s  %s\n' stage input wall cpu allocated peak-rss note
run() { # KIND LINKS PATH
  bench import-gen --kind "$1" --links "$2" --out "$3" ${FLAT:+--flat}
  bench import --input "$3" --repeat "${REPEAT:-1}"
  [ "${KEEP:-0}" = 1 ] || rm -rf "$3"
}
for n in "${sizes[@]}"; do run transcript "$n" "$work/transcript-$n.txt"; done
for n in "${sos[@]}"; do run sos "$n" "$work/sosreport-bignode-17-$n"; done
echo "# cpu pressure after:  $(head -1 /proc/pressure/cpu 2>/dev/null || echo n/a)"
