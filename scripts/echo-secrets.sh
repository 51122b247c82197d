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

# Each value holds characters that every encoding writes differently (form: '+' for space; URL: %20, %2B; HTML:
# &amp; &quot; &#39; &#xE9;; JSON: \" \\ \u0026; Basic: form-encoded first, RFC 6749 §2.3.1).
export REFERENCE_PASSWORD_ALICE=$'Al ice+P&ss=w0rd<"\xc3\xa9">/%41:#?'
export REFERENCE_PASSWORD_BOB=$'B0b\'s p@ss+w\\rd&x=1%2B'
export REFERENCE_SECRET_WEB_APP=$'w3b s3cret+&=/:?#%<>"\\x\xc3\xa9'
export REFERENCE_SECRET_WEB_APP_2=$'w3b2 s3cr+t:&amp;\'%20'
export REFERENCE_SECRET_SVC_APP=$'svc s3cret/+=&"<tag>'
export REFERENCE_SECRET_TRUSTED_APP=$'tru5ted s3cret:+&=%C3%A9\'"'
# Base32 only (RFC 6238 seeds), but not the seed's own: the scan must find the one the run used.
export REFERENCE_TOTP_BOB='KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU'
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
