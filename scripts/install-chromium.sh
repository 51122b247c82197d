#!/usr/bin/env bash
# CI helper (Debian): installs Debian's Chromium for the `browser` login driver and the PDF report, and poppler-utils
# so the secret scan can read the PDF's text (pdftotext). Idempotent: does nothing when both are already there.
# The suites find it at /usr/bin/chromium (CONFORMANCE_CHROMIUM and Playwright's own Chromium come first; see
# harness/Conformance.Harness/Browser/BrowserLocator.cs). On other systems: pwsh scripts/install-chromium.ps1.
#
# Exits 0 even when the install is impossible (no root, no apt-get, no network): the suites then report the
# browser flows as not applicable, with the reason, instead of failing.
set -u

target="${CONFORMANCE_CHROMIUM:-/usr/bin/chromium}"

packages=()
if [ -x "$target" ]; then
  echo "install-chromium: $target is present ($("$target" --version 2>/dev/null || echo 'version unknown'))"
else
  packages+=(chromium)
fi
command -v pdftotext >/dev/null 2>&1 || packages+=(poppler-utils)
[ ${#packages[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-chromium: apt-get not found; install Chromium yourself and set CONFORMANCE_CHROMIUM. Browser flows will be not applicable." >&2
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "install-chromium: not root and no password-less sudo; run 'apt-get install -y chromium' as root. Browser flows will be not applicable." >&2
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
echo "install-chromium: apt-get update"
if ! "${as_root[@]}" apt-get update -q; then
  echo "install-chromium: apt-get update failed; browser flows will be not applicable." >&2
  exit 0
fi

echo "install-chromium: apt-get install -y ${packages[*]}"
if ! "${as_root[@]}" apt-get install -y -q "${packages[@]}"; then
  echo "install-chromium: 'apt-get install ${packages[*]}' failed; browser flows will be not applicable, or the PDF text scan will not run." >&2
  exit 0
fi

if [ -x /usr/bin/chromium ]; then
  echo "install-chromium: installed ${packages[*]}; $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium) is ready"
else
  echo "install-chromium: the package installed, but /usr/bin/chromium is missing; browser flows will be not applicable." >&2
fi
exit 0
