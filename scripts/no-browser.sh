#!/usr/bin/env bash
# A machine with no usable browser: the suites' browser flows, with CONFORMANCE_CHROMIUM naming nothing and
# CONFORMANCE_INSTALL=never, must say so exactly once in the console, end every browser flow not applicable with that
# reason, and finish green (the run stays usable). CI helper; the locator's order is unit-tested in the harness.
#   scripts/no-browser.sh [OUT_DIR]      (default TestResults/no-browser)
set -uo pipefail
cd "$(dirname "$0")/.."
out="${1:-TestResults/no-browser}"
rm -rf "$out"
mkdir -p "$out"
out="$(cd "$out" && pwd)"

CONFORMANCE_CHROMIUM=/nonexistent/chromium CONFORMANCE_INSTALL=never CONFORMANCE_REPORTS=html CONFORMANCE_ARTIFACTS="$out/artifacts" \
  dotnet test suites/Conformance.Suites --settings runsettings/local.runsettings --filter "TestCategory=driver:browser" \
  --results-directory "$out" 2>&1 | tee "$out/console.log"
status=${PIPESTATUS[0]}

python3 - "$out" "$status" <<'PY'
import re, sys, xml.etree.ElementTree as ET
out, status = sys.argv[1], int(sys.argv[2])
console = open(f"{out}/console.log", encoding="utf-8", errors="replace").read()
said = [l for l in console.splitlines() if l.startswith("[browser]") and "/nonexistent/chromium" in l]
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
results = ET.parse(f"{out}/conformance.trx").getroot().findall(".//t:UnitTestResult", ns)
messages = [(r.get("outcome"), (r.findtext(".//t:Message", "", ns) or "").strip()) for r in results]
not_applicable = [m for o, m in messages if o == "NotExecuted" and m.startswith("not applicable: the browser driver cannot run here")]
problems = []
if status != 0: problems.append(f"the run exited {status}")
if len(said) != 1: problems.append(f"the console named the missing browser {len(said)} times, not once")
if not results: problems.append("no browser flow ran")
if len(not_applicable) != len(results): problems.append(f"{len(results) - len(not_applicable)} of {len(results)} browser flows did not end not applicable")
print(f"no-browser: {len(results)} browser flows, {len(not_applicable)} not applicable, the console said it {len(said)} time(s), exit {status}")
for p in problems: print("no-browser: FAIL: " + p)
sys.exit(1 if problems else 0)
PY
