#!/usr/bin/env bash
# Installs Okta's client software for the fidelity suite (fidelity/Conformance.Fidelity.Tests): @okta/okta-auth-js,
# @okta/jwt-verifier and @okta/okta-signin-widget, exactly as pinned by fidelity/package-lock.json (npm ci).
# Idempotent and quick: when node_modules was installed from the current package-lock.json, it does nothing.
# Install scripts are skipped (--ignore-scripts): none of these packages needs one to work, and none should run here.
set -euo pipefail
cd "$(dirname "$0")/../fidelity"

stamp=node_modules/.conformance-lock.sha256
# sha256sum (Linux) or shasum (macOS); the NUnit fixture computes the same hex digest to tell a current install.
want=$( (sha256sum package-lock.json 2>/dev/null || shasum -a 256 package-lock.json) | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  echo "install-okta-clients: fidelity/node_modules is current"
  exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "install-okta-clients: npm not found; install Node.js 20 or later (with npm), then run this script again." >&2
  exit 1
fi

echo "install-okta-clients: npm ci in fidelity/ ..."
npm ci --ignore-scripts --no-audit --no-fund
echo "$want" > "$stamp"
echo "install-okta-clients: done"
