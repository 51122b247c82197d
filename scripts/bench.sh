#!/usr/bin/env bash
# The speed benchmark: runs the suites against the embedded reference issuer and prints where the time goes.
#   scripts/bench.sh [--no-build] [--runs full,catalogue] [--out DIR]
# full: every test, every driver (browser included), every report (CONFORMANCE_REPORTS=all, Allure rendered);
# catalogue: the rule catalogue alone with the HTML report. Each run is measured from a built tree with
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
fi

run() { # name, filter, reports
  local name="$1" filter="$2" reports="$3" dir="$out/$1"
  rm -rf "$dir"; mkdir -p "$dir"
  local args=(test suites/Conformance.Suites --no-build --settings runsettings/local.runsettings --results-directory "$dir")
  [ -n "$filter" ] && args+=(--filter "$filter")
  local start end
  start=$(date +%s.%N)
  CONFORMANCE_REPORTS="$reports" CONFORMANCE_ARTIFACTS="$dir/artifacts" dotnet "${args[@]}" >"$dir/console.log" 2>&1 || true
  end=$(date +%s.%N)
  echo "$start $end" >"$dir/wall.txt"
}

IFS=',' read -ra selected <<<"$runs"
for name in "${selected[@]}"; do
  case "$name" in
    full) run full "" all ;;
    catalogue) run catalogue "FullyQualifiedName~Conformance.Suites.Catalogue" html ;;
    *) echo "bench: unknown run '$name' (full, catalogue)" >&2; exit 2 ;;
  esac
done

python3 scripts/bench_report.py "$out" "${selected[@]}" | tee "$out/bench.md"
