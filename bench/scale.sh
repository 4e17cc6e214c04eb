#!/usr/bin/env bash
# Issue 19's table in one command: the CLI end to end (NativeAOT binary, process start to exit,
# `netsleuth diagnose DIR --format json -o FILE`) on synthetic clusters, against the floor (read and
# tokenise the same bytes once, on every core: `NetSleuth.Bench parse --dir DIR`).
#   1. publishes the native binary (scripts/publish-native) into $WORK/bin, unless BIN=path is given
#   2. writes the synth directories $WORK/cN-P (peer-pods, FAULTS faults, seed 1) unless present
#   3. per size: the floor (fresh process), then the CLI under /usr/bin/time with NETSLEUTH_TIMINGS=1
#   4. prints a markdown table: wall, user, sys, peak RSS, multiple of the floor, the phases, the CLI's
#      CPU per 1,000 pods (growth)
# Usage: bench/scale.sh [NODESxPODS...]   (default: 100x110 1000x110 5000x30)
# env: BIN (a native binary to use; skips the publish), WORK (default .build/scale), STYLE (peer-pods),
#      FAULTS (15), RUNS (1: runs per size; the table shows each)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
sizes=("${@:-100x110 1000x110 5000x30}")
read -r -a sizes <<<"${sizes[*]}"
work="${WORK:-$here/.build/scale}" style="${STYLE:-peer-pods}" faults="${FAULTS:-15}" runs="${RUNS:-1}"
mkdir -p "$work"
[ -x /usr/bin/time ] || { echo "bench/scale.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }

bin="${BIN:-}"
if [ -z "$bin" ]; then
  echo "publishing the native binary (scripts/publish-native)…" >&2
  bin="$("$here/scripts/publish-native" "$work/bin")"
fi
benchdir="$here/.build/bench"
echo "building the bench (floor)…" >&2
dotnet build "$here/bench/NetSleuth.Bench/NetSleuth.Bench.csproj" -c Release -o "$benchdir" -nologo -v q >/dev/null

echo "# machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB RAM, kernel $(uname -r)"
echo "# binary: $bin ($(git -C "$here" rev-parse --short HEAD)$(git -C "$here" diff --quiet HEAD -- src || echo '+changes'))"
echo "# before: uptime$(uptime | sed 's/.*load average/ load average/'); cpu $(head -1 /proc/pressure/cpu 2>/dev/null || echo n/a)"
echo
echo "| nodes × pods | pods | MiB | floor wall | floor cpu | CLI wall | user | sys | peak RSS | × floor (wall) | × floor (cpu) | load / link / diagnose / output (wall) | paths traced | cpu s per 1k pods |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|"
for size in "${sizes[@]}"; do
  n="${size%x*}" p="${size#*x}"
  dir="$work/c$n-$p"
  if [ ! -f "$dir/faults.json" ]; then
    rm -rf "$dir"
    echo "synth $n nodes × $p pods → $dir…" >&2
    "$bin" synth --nodes "$n" --pods "$p" --style "$style" --faults "$faults" --seed 1 -o "$dir" >/dev/null
  fi
  mib=$(du -sm "$dir" | cut -f1)
  for r in $(seq 1 "$runs"); do
    floor="$(dotnet "$benchdir/NetSleuth.Bench.dll" parse --dir "$dir")"
    fwall=$(sed -E 's/.*: ([0-9.]+) s wall.*/\1/' <<<"$floor")
    fcpu=$(sed -E 's/.*wall, ([0-9.]+) s cpu.*/\1/' <<<"$floor")
    log="$work/run-$n-$p.log" out="$work/out-$n-$p.json"
    set +e
    NETSLEUTH_TIMINGS=1 /usr/bin/time -f 'TIME %e %U %S %M' "$bin" diagnose "$dir" --format json -o "$out" 2>"$log"
    rc=$?
    set -e
    [ "$rc" -le 3 ] || { echo "bench/scale.sh: netsleuth exited $rc, see $log" >&2; exit 1; }
    read -r _ wall user sys rss < <(grep '^TIME ' "$log")
    phases=$(awk '/^timing: (load|link|diagnose|output) /{printf "%s%s", sep, $3; sep=" / "}' "$log")
    pods=$((n * p))
    # both diagnose budgets are wall-clock: on a busy machine the sweep may stop before every path is traced
    paths="$(grep -oE '"paths(Checked|Planned)": [0-9]+' "$out" | awk '{printf "%s%s", sep, $2; sep=" of "}')"
    awk -v s="$size" -v pods="$pods" -v mib="$mib" -v fw="$fwall" -v fc="$fcpu" -v w="$wall" -v u="$user" -v sy="$sys" -v rss="$rss" -v ph="$phases" -v paths="$paths" 'BEGIN {
      printf "| %s | %d | %d | %.2f s | %.2f s | %.2f s | %.2f s | %.2f s | %.2f GiB | %.1f× | %.1f× | %s | %s | %.3f |\n",
        s, pods, mib, fw, fc, w, u, sy, rss / 1048576, w / fw, (u + sy) / fc, ph, paths, (u + sy) / (pods / 1000) }'
  done
done
echo
echo "# after: uptime$(uptime | sed 's/.*load average/ load average/'); cpu $(head -1 /proc/pressure/cpu 2>/dev/null || echo n/a)"
echo "# per-run phases and the diagnoser's stages: $work/run-*.log; outputs: $work/out-*.json"
