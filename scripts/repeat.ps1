#!/usr/bin/env pwsh
# The PowerShell equivalent of scripts/repeat.sh, for Windows and macOS: runs the conformance suites N times against
# one target and lists every verdict that differs between runs (any line it prints is a defect or a moving target).
#
#   pwsh scripts/repeat.ps1 [-Runs N] [-- extra dotnet test arguments]
#
# Each run's results.json is kept in TestResults/repeat/run-K/ (CONFORMANCE_REPEAT_DIR moves it). Exit code 0 when
# all runs agree, 1 when a verdict differs, 2 when a build failed or a run left no results.
param([int]$Runs = 5, [Parameter(ValueFromRemainingArguments = $true)][string[]]$Rest = @())
$ErrorActionPreference = 'Stop'
Set-Location (Split-Path -Parent $PSScriptRoot)
$extra = @($Rest | Where-Object { $_ -ne '--' })
$out = if ($env:CONFORMANCE_REPEAT_DIR) { $env:CONFORMANCE_REPEAT_DIR } else { Join-Path (Get-Location) (Join-Path 'TestResults' 'repeat') }
if (Test-Path $out) { Remove-Item -Recurse -Force $out }
New-Item -ItemType Directory -Force $out | Out-Null
$buildLog = Join-Path $out 'build.log'

foreach ($project in @((Join-Path 'suites' 'Conformance.Suites'), (Join-Path 'reports' 'Conformance.Reports'))) {
    dotnet build $project -v q -nologo *>> $buildLog
    if ($LASTEXITCODE -ne 0) { Get-Content $buildLog -Tail 20 | Write-Host; exit 2 }
}

$results = @()
foreach ($k in 1..$Runs) {
    $dir = Join-Path $out "run-$k"
    $started = Get-Date
    # The suites' own exit code is not the point here (a target with known deviations fails its checks every time).
    $env:CONFORMANCE_ARTIFACTS = $dir
    $env:CONFORMANCE_REPORTS = 'none'
    try {
        dotnet test (Join-Path 'suites' 'Conformance.Suites') --no-build --settings (Join-Path 'runsettings' 'local.runsettings') --results-directory $dir @extra *> "$dir.console.log"
    }
    finally {
        Remove-Item Env:CONFORMANCE_ARTIFACTS, Env:CONFORMANCE_REPORTS
    }

    if (-not (Test-Path (Join-Path $dir 'results.json'))) {
        Write-Host "repeat: run $k left no results.json; the end of its console ($dir.console.log):"
        Get-Content "$dir.console.log" -Tail 20 | Write-Host
        exit 2
    }

    $summary = (Select-String -Path "$dir.console.log" -Pattern '^(Passed|Failed)!' | Select-Object -Last 1).Line -replace ' - Conformance.Suites.dll.*', ''
    Write-Host ("repeat: run $k of $Runs in {0:0} s: $summary" -f ((Get-Date) - $started).TotalSeconds)
    $results += @('--results', (Join-Path $dir 'results.json'))
}

dotnet run --project (Join-Path 'reports' 'Conformance.Reports') --no-build -- differ @results
exit $LASTEXITCODE
