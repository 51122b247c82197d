#!/usr/bin/env bash
# Runs the conformance suites N times against one target and lists every verdict that differs between runs.
# A run must give the same verdicts every time: any line this prints is a defect (a race, a timing-dependent
# precondition, a flaky page reading) or a target that changes under test.
#
#   scripts/repeat.sh [N] [-- extra dotnet test arguments]
#
# The target is whatever the suites would use (CONFORMANCE_TARGET, or the embedded reference issuer). Each run's
# results.json is kept in TestResults/repeat/run-K/; the comparison uses the Reports CLI's verdict keys
# (CHECK(server), flow:area/Test(args)). Exit code 0 when all runs agree, 1 when a verdict differs, 2 when a run
# left no results.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
shift || true
[ "${1:-}" = "--" ] && shift
out="${CONFORMANCE_REPEAT_DIR:-$(pwd)/TestResults/repeat}"
rm -rf "$out"
mkdir -p "$out"

dotnet build suites/Conformance.Suites -v q -nologo > "$out/build.log" 2>&1 || { tail -20 "$out/build.log" >&2; exit 2; }
dotnet build reports/Conformance.Reports -v q -nologo >> "$out/build.log" 2>&1 || { tail -20 "$out/build.log" >&2; exit 2; }
results=()
for k in $(seq 1 "$runs"); do
  dir="$out/run-$k"
  started=$(date +%s)
  # The suites' own exit code is not the point here (a target with known deviations fails its checks every time).
  CONFORMANCE_ARTIFACTS="$dir" CONFORMANCE_REPORTS=none dotnet test suites/Conformance.Suites --no-build \
    --settings runsettings/local.runsettings --results-directory "$dir" "$@" > "$dir.console.log" 2>&1 || true
  if [ ! -f "$dir/results.json" ]; then
    echo "repeat: run $k left no results.json; the end of its console ($dir.console.log):" >&2
    tail -20 "$dir.console.log" >&2
    exit 2
  fi
  echo "repeat: run $k of $runs in $(( $(date +%s) - started )) s: $(grep -E '^(Passed|Failed)!' "$dir.console.log" | tail -1 | sed 's/ - Conformance.Suites.dll.*//')"
  results+=(--results "$dir/results.json")
done

dotnet run --project reports/Conformance.Reports --no-build -- differ "${results[@]}"
