#!/usr/bin/env bash
# Runs the conformance suites against an independent OpenID provider installed from Debian's archive and
# compares every verdict with the provider's expected-verdicts file (fixtures/expected/PROVIDER.json).
#
#   scripts/independent/verify.sh lemonldap|glewlwyd [--write]
#
# The provider is installed when missing, started from a fresh state folder, and stopped at the end. The suites'
# own exit code is not the verdict here (the provider's known deviations fail their checks by design): the
# comparison is. It fails on any drift, either way, and on any expected fail or warning without its clause,
# behaviour and evidence. --write rewrites the expected file from this run instead (review it before committing).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)

provider="${1:?usage: verify.sh lemonldap|glewlwyd [--write]}"
mode="${2:-}"
script="scripts/independent/${provider}.sh"
[ -f "$script" ] || { echo "verify: no set-up script $script" >&2; exit 2; }

state="${CONFORMANCE_PROVIDER_STATE:-${TMPDIR:-/tmp}/conformance-${provider}}"
artifacts="${CONFORMANCE_PROVIDER_ARTIFACTS:-$root/TestResults/${provider}}"
rm -rf "$artifacts"
mkdir -p "$artifacts"

# The browser driver needs Chromium; without it every browser flow and check would be inconclusive.
bash scripts/install-chromium.sh || true
bash "$script" install
bash "$script" start "$state"
trap 'bash "$root/$script" stop "$state" >/dev/null 2>&1 || true' EXIT
# shellcheck disable=SC1091
# The provider's secrets, its version and, where it needs one, its number of parallel tests; the values are never printed.
source "$state/env.sh"

started=$(date +%s)
set +e
CONFORMANCE_TARGET="fixtures/profiles/${provider}.json" CONFORMANCE_REPORTS="${CONFORMANCE_REPORTS:-html}" CONFORMANCE_ARTIFACTS="$artifacts" \
  dotnet test suites/Conformance.Suites --settings runsettings/local.runsettings --results-directory "$artifacts" \
  --logger "trx;LogFileName=${provider}.trx" -- RunConfiguration.TestSessionTimeout=2700000 \
  NUnit.NumberOfTestWorkers="${CONFORMANCE_NUNIT_WORKERS:-4}" > "$artifacts/console.log" 2>&1
suites=$?
set -e
echo "verify: suites against ${provider} ended with exit code ${suites} in $(( $(date +%s) - started )) s (console log: $artifacts/console.log)"
grep -E "^(Passed|Failed)!|Total tests|Conformance gate" "$artifacts/console.log" | tail -5 || true

if [ ! -f "$artifacts/results.json" ]; then
  echo "verify: the run left no results.json; the last lines of its console:" >&2
  tail -40 "$artifacts/console.log" >&2
  exit 1
fi

expect=(dotnet run --project reports/Conformance.Reports -- expect --results "$artifacts/results.json" --expected "fixtures/expected/${provider}.json")
if [ "$mode" = "--write" ]; then
  "${expect[@]}" --write --provider "${CONFORMANCE_PROVIDER_NAME:-$provider}" --version "${CONFORMANCE_PROVIDER_VERSION:-unknown}" --profile "fixtures/profiles/${provider}.json"
else
  "${expect[@]}" --gate "${CONFORMANCE_PROVIDER_GATE:-all}"
fi
