#!/usr/bin/env bash
# Secrets never leave the harness: the suites against the reference issuer's hostile "echo-request" variant (it
# repeats the query, the form body and the Authorization header in its errors, headers and pages, and the latest
# password on every page), with every secret of the profile replaced by a hostile value (spaces, '+', '&', '=',
# '%', quotes, '<', '\', a non-ASCII letter), then the secret scan over everything the run left: the artifacts,
# the TRX and JUnit files, and the console log. Any occurrence of a secret, in any encoding, fails.
#   scripts/echo-secrets.sh [OUT_DIR]      (default TestResults/echo)
set -uo pipefail
cd "$(dirname "$0")/.."
out="${1:-TestResults/echo}"
rm -rf "$out"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

# fixtures/ReferenceIssuer/hostile-secrets.json: values that every encoding writes differently (spaces, '+', '&', '=', '%',
# quotes, '<', '\', a non-ASCII letter), replacing the embedded issuer's seed secrets of the same names.
eval "$(python3 - <<'PY'
import json, shlex
values = json.load(open("fixtures/ReferenceIssuer/hostile-secrets.json", encoding="utf-8"))
# private_key_jwt clients' keys are the seed's (the issuer registers their public half); the profile names them too.
seed = json.load(open("fixtures/ReferenceIssuer/seed.json", encoding="utf-8"))
values.update({"REFERENCE_KEY_" + c["clientId"].upper().replace("-", "_").replace(".", "_"): json.dumps(c["privateJwk"]) for c in seed["clients"] if "privateJwk" in c})
print("\n".join(f"export {k}={shlex.quote(v)}" for k, v in values.items() if k.startswith("REFERENCE_")))
PY
)"
export CONFORMANCE_VARIANTS=echo-request
export CONFORMANCE_ARTIFACTS="$out/artifacts"

echo "echo-secrets: the suites against the echo-request issuer with hostile secrets (console log: $out/console.log)"
dotnet test suites/Conformance.Suites --settings runsettings/local.runsettings --results-directory "$out" 2>&1 | tee "$out/console.log"
suites=${PIPESTATUS[0]}

echo "echo-secrets: scanning $out for every secret of the profile, in every encoding"
dotnet run --project reports/Conformance.Reports -- scan --profile fixtures/profiles/reference.json --path "$out"
scan=$?
echo "echo-secrets: suites exit ${suites}, secret scan exit ${scan}"
# The scan is the verdict of this step; the suites must stay green too (an echoing server breaks no rule).
[ "$scan" -eq 0 ] && [ "$suites" -eq 0 ]
