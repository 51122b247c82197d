#!/usr/bin/env bash
# Installs the Okta Sign-In Widget that the reference issuer serves as its hosted login page, from the exact version
# pinned in fixtures/ReferenceIssuer/widget/package-lock.json (npm ci: the lockfile, never a newer release).
# Idempotent and quick when current: a stamp holding the lockfile's hash says the install matches it, so a second run
# does nothing. Several issuers may start at once (parallel test fixtures), hence the lock.
set -euo pipefail
dir="$(cd "$(dirname "$0")/../fixtures/ReferenceIssuer/widget" && pwd)"
dist="$dir/node_modules/@okta/okta-signin-widget/dist/js/okta-sign-in.classic.min.js"
stamp="$dir/node_modules/.conformance-lock-hash"
want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"

current() { [[ -f "$dist" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; }

if current; then exit 0; fi
if ! command -v npm >/dev/null 2>&1; then
  echo "[widget] npm is not installed: the reference issuer falls back to its plain login form (install Node.js to serve the Okta Sign-In Widget)" >&2
  exit 1
fi

exec 9>"$dir/.install.lock"
if command -v flock >/dev/null 2>&1; then flock 9; fi
# Another process may have finished the install while this one waited for the lock.
if current; then exit 0; fi

echo "[widget] installing @okta/okta-signin-widget from $dir/package-lock.json (npm ci)..." >&2
start=$SECONDS
# --ignore-scripts: the widget needs no install scripts; nothing from the registry runs on this machine.
(cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >&2)
echo "$want" > "$stamp"
echo "[widget] installed in $((SECONDS - start)) s" >&2
