#!/usr/bin/env bash
# The speed benchmark: runs the suites against the embedded reference issuer and prints where the time goes.
#   scripts/bench.sh [--no-build] [--runs full,catalogue,exchanges] [--out DIR]
# full: every test, every driver (browser included), every report (CONFORMANCE_REPORTS=all, Allure rendered);
# catalogue: the rule catalogue alone with the HTML report; exchanges: each kind of request against the issuer alone
# (CPU time and latency per request, sequential; suites/Conformance.Checks.Tests/ExchangeCostBenchmark.cs). Each run is measured from a built tree with
# `dotnet test --no-build`, as a user reruns it; the build is done once first (skip it with --no-build).
# Output: one Markdown table per run (wall, test time, exchanges, their summed time, wall ÷ sum, median and p95
# exchange latency, set-up, browser and report time, the 10 slowest checks and flows), also written to
# DIR/bench.md (default: bench-results/). Numbers vary with the machine and its load: uptime is printed with them.
set -euo pipefail
cd "$(dirname "$0")/.."

build=1; runs="full,catalogue"; out="bench-results"
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=0 ;;
    --runs) runs="$2"; shift ;;
    --out) out="$2"; shift ;;
    -h|--help) sed -n 2,9p "$0"; exit 0 ;;
    *) echo "bench: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

mkdir -p "$out"
out="$(cd "$out" && pwd)"
if [ "$build" = 1 ]; then
  dotnet build suites/Conformance.Suites -v quiet -nologo >/dev/null
  dotnet build suites/Conformance.Checks.Tests -v quiet -nologo >/dev/null
fi
# A first run installs the Sign-In Widget the issuer serves (npm ci, 9 s measured in a fresh clone's first full run):
# a one-time cost, done here so that no measured run carries it. Quick when already installed.
bash scripts/install-widget.sh >/dev/null 2>&1 || echo "bench: the widget is not installed; the issuer serves its plain form and the figures are not comparable" >&2

run() { # name, filter, reports
  local name="$1" filter="$2" reports="$3" dir="$out/$1"
  rm -rf "$dir"; mkdir -p "$dir"
  local args=(test suites/Conformance.Suites --no-build --settings runsettings/local.runsettings --results-directory "$dir")
  [ -n "$filter" ] && args+=(--filter "$filter")
  local start end
  start=$(date +%s.%N)
  # CPU time of the run and its children (test host, issuer, Chromium, node) when GNU time is there.
  local timer=()
  [ -x /usr/bin/time ] && timer=(/usr/bin/time -f "%U %S" -o "$dir/cpu.txt")
  # Machine-wide busy CPU time from /proc/stat around the run: GNU time counts only the processes the run waits for,
  # and Chromium's renderers are not among them (its zygote reaps them). Meaningful on an otherwise idle machine.
  local busy0=""; [ -r /proc/stat ] && busy0=$(awk '/^cpu /{print $2+$3+$4+$7+$8+$9}' /proc/stat)
  CONFORMANCE_REPORTS="$reports" CONFORMANCE_ARTIFACTS="$dir/artifacts" "${timer[@]}" dotnet "${args[@]}" >"$dir/console.log" 2>&1 || true
  end=$(date +%s.%N)
  if [ -n "$busy0" ]; then
    echo "$busy0 $(awk '/^cpu /{print $2+$3+$4+$7+$8+$9}' /proc/stat) $(getconf CLK_TCK)" >"$dir/busy.txt"
  fi
  echo "$start $end" >"$dir/wall.txt"
}

IFS=',' read -ra selected <<<"$runs"
reported=()
for name in "${selected[@]}"; do
  case "$name" in
    exchanges)
      dotnet test suites/Conformance.Checks.Tests --no-build --filter "FullyQualifiedName~ExchangeCostBenchmark" \
        --logger "console;verbosity=detailed" >"$out/exchanges.log" 2>&1 || { echo "bench: the exchange probe failed, see $out/exchanges.log" >&2; exit 1; }
      continue ;;
    full) run full "" all; reported+=(full) ;;
    catalogue) run catalogue "FullyQualifiedName~Conformance.Suites.Catalogue" html; reported+=(catalogue) ;;
    *) echo "bench: unknown run '$name' (full, catalogue, exchanges)" >&2; exit 2 ;;
  esac
done

{
  python3 scripts/bench_report.py "$out" "${reported[@]}"
  if [ -f "$out/exchanges.log" ]; then
    echo "## exchanges (the issuer alone, 200 sequential requests of each kind after 20 to warm up)"
    echo; echo '```text'; grep -E " status [0-9]+ cpu/request" "$out/exchanges.log" | sed 's/^ *//'; echo '```'
  fi
} | tee "$out/bench.md"
