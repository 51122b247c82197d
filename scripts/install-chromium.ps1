#!/usr/bin/env pwsh
# Installs Playwright's own Chromium, the Playwright way, on Windows, macOS or Linux: the browser login driver and
# the PDF report then find it in Playwright's cache (see harness/Conformance.Harness/Browser/BrowserLocator.cs).
# The PowerShell equivalent of scripts/install-chromium.sh, which installs Debian's package for CI instead.
#
#   pwsh scripts/install-chromium.ps1 [-WithDeps]
#
# -WithDeps also installs the system libraries Chromium needs on Linux (Playwright calls apt-get; needs root or sudo).
# Without PowerShell, the same installer runs with: dotnet run --project reports/Conformance.Reports -- browser install
# Exits 0 when a browser is there afterwards (or already was), else with Playwright's exit code.
param([switch]$WithDeps)
$ErrorActionPreference = 'Stop'
Set-Location (Split-Path -Parent $PSScriptRoot)

$suites = Join-Path 'suites' 'Conformance.Suites'
$playwright = Join-Path $suites (Join-Path 'bin' (Join-Path 'Debug' (Join-Path 'net10.0' 'playwright.ps1')))
if (-not (Test-Path $playwright)) {
    # playwright.ps1 is written by the build, next to Microsoft.Playwright.dll.
    Write-Host "install-chromium: building $suites for Playwright's installer"
    dotnet build $suites -v q -nologo
    if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
}

$arguments = @('install')
if ($WithDeps) { $arguments += '--with-deps' }
$arguments += 'chromium'
Write-Host "install-chromium: $playwright $($arguments -join ' ')"
& $playwright @arguments
if ($LASTEXITCODE -ne 0) {
    Write-Host "install-chromium: Playwright's installer failed (exit $LASTEXITCODE); install Chrome or Chromium yourself, or set CONFORMANCE_CHROMIUM to one."
    exit $LASTEXITCODE
}

# What the suites will use now, said by the same locator they use.
dotnet run --project (Join-Path 'reports' 'Conformance.Reports') --no-build -- browser
exit $LASTEXITCODE
