#!/usr/bin/env bash
# Runs every benchmark and prints one table: synth generation, then load + link + diagnose + one
# trace of synthetic clusters of 100 / 300 / 1,000 nodes x 110 pods (each size in a fresh process,
# so peaks do not mix). Usage: bench/run-all.sh [SIZES...] (default "100 300 1000"); env STYLE
# (default peer-pods), PODS (110), FAULTS (15), KEEP=1 keeps the generated directories.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
sizes=("${@:-100 300 1000}")
read -r -a sizes <<<"${sizes[*]}"
style="${STYLE:-peer-pods}" pods="${PODS:-110}" faults="${FAULTS:-15}"
out="$here/.build/bench"
dotnet build "$here/bench/NetSleuth.Bench/NetSleuth.Bench.csproj" -c Release -o "$out" -nologo -v q >/dev/null
bench() { dotnet "$out/NetSleuth.Bench.dll" "$@"; }
work="$(mktemp -d "${TMPDIR:-/tmp}/netsleuth-bench.XXXXXX")"
cleanup() { [ "${KEEP:-0}" = 1 ] && echo "kept $work" >&2 || rm -rf "$work"; }
trap cleanup EXIT

echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB RAM, kernel $(uname -r), dotnet $(dotnet --version)"
echo "# cpu pressure before: $(head -1 /proc/pressure/cpu 2>/dev/null || echo n/a)"
printf '%-14s %-22s %11s %11s %16s %13s  %s\n' stage size wall cpu allocated peak-rss note
for n in "${sizes[@]}"; do
  dir="$work/c$n"
  bench synth --nodes "$n" --pods "$pods" --style "$style" --faults "$faults" --seed 1 --dir "$dir"
  bench load --dir "$dir"
  [ "${KEEP:-0}" = 1 ] || rm -rf "$dir"
done
echo "# cpu pressure after:  $(head -1 /proc/pressure/cpu 2>/dev/null || echo n/a)"
