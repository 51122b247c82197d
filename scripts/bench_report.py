#!/usr/bin/env python3
"""Reads what scripts/bench.sh left (console.log, wall.txt, artifacts/results.json per run) and prints the figures."""
import json
import os
import platform
import re
import statistics
import subprocess
import sys


def seconds(duration):
    """An exchange's duration as results.json writes it ("00:00:00.0050151")."""
    h, m, s = duration.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


def percentile(values, p):
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def machine():
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
    load = open("/proc/loadavg").read().split()[:3]
    dotnet = subprocess.run(["dotnet", "--version"], capture_output=True, text=True).stdout.strip()
    return f"{os.cpu_count()} cores ({cpu}), load average {' '.join(load)} at the end, .NET SDK {dotnet}"


def test_span(trx):
    """Seconds from the first test's start to the last test's end, from the TRX the run wrote; None without one."""
    if not os.path.exists(trx):
        return None
    import xml.etree.ElementTree as ET
    from datetime import datetime
    ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
    def parse(text):
        # 2026-12-03T12:05:01.1234567+00:00: Python reads six fraction digits.
        head, _, rest = text.partition(".")
        digits = "".join(c for c in rest if c.isdigit())[:6]
        zone = rest[-6:]
        return datetime.fromisoformat(f"{head}.{digits:0<6}{zone}")
    results = ET.parse(trx).getroot().findall(".//t:UnitTestResult", ns)
    if not results:
        return None
    starts = [parse(r.get("startTime")) for r in results]
    ends = [parse(r.get("endTime")) for r in results]
    return (max(ends) - min(starts)).total_seconds()


def report(directory, name):
    run = os.path.join(directory, name)
    start, end = (float(x) for x in open(os.path.join(run, "wall.txt")).read().split())
    console = open(os.path.join(run, "console.log"), errors="replace").read()
    timing_path = os.path.join(run, "artifacts", "timing.txt")
    timing = open(timing_path).read() if os.path.exists(timing_path) else ""
    results_path = os.path.join(run, "artifacts", "results.json")
    if not os.path.exists(results_path):
        return f"## {name}\n\nno results.json: the run failed before writing it; see {run}/console.log\n"
    results = json.load(open(results_path))
    verdicts = [("check", f"{r['id']} [{r.get('server', '')}]", r) for r in results["checks"]] + [("flow", r["name"], r) for r in results["flows"]]
    exchanges = [seconds(e["duration"]) * 1000 for _, _, r in verdicts for e in r.get("exchanges", [])]
    summed = sum(exchanges) / 1000
    wall = end - start
    tests = re.search(r"Duration: ([^-]+) - ", console)
    setup = re.search(r"\[timing\] setup ([0-9.]+) s", timing)
    reports = re.search(r"\[timing\] reports ([0-9.]+) s", timing)
    outcome = re.search(r"(Passed!|Failed!)\s+-\s+Failed:\s+(\d+), Passed:\s+(\d+), Skipped:\s+(\d+)", console)
    browser = [r["durationMs"] / 1000 for kind, _, r in verdicts if kind == "flow" and "driver:browser" in r.get("categories", [])]

    lines = [f"## {name}", "", "| figure | value |", "|---|---|"]
    lines.append(f"| wall (dotnet test --no-build, start to exit) | {wall:.1f} s |")
    lines.append(f"| test time (VSTest) | {tests.group(1).strip() if tests else '?'} |")
    if outcome:
        lines.append(f"| outcome | {outcome.group(1)} {outcome.group(3)} passed, {outcome.group(2)} failed, {outcome.group(4)} skipped |")
    lines.append(f"| verdicts | {len(results['checks'])} check verdicts, {len(results['flows'])} flows |")
    lines.append(f"| HTTP exchanges | {len(exchanges)} |")
    lines.append(f"| summed exchange time | {summed:.1f} s |")
    lines.append(f"| wall ÷ summed exchange time | {wall / summed:.2f} |" if summed else "| wall ÷ summed exchange time | - |")
    lines.append(f"| exchange latency median / p95 / max | {statistics.median(exchanges):.1f} / {percentile(exchanges, 0.95):.1f} / {max(exchanges):.1f} ms |" if exchanges else "| exchange latency | - |")
    lines.append(f"| set-up (issuer, discovery, browser launch, preflight) | {setup.group(1) + ' s' if setup else '?'} |")
    phases = dict(re.findall(r"\[timing\] (\w+) ([0-9.]+) s", timing))
    parts = [f"{k} {phases[k]} s" for k in ("profile", "discovery", "browser", "preflight") if k in phases]
    if parts:
        lines.append(f"| set-up, by phase (browser launch runs beside discovery) | {', '.join(parts)} |")
    span = test_span(os.path.join(run, "conformance.trx"))
    if span:
        lines.append(f"| tests, first start to last end (TRX) | {span:.1f} s |")
        lines.append(f"| that span ÷ summed exchange time | {span / summed:.2f} |" if summed else "| that span ÷ summed exchange time | - |")
    cpu_path = os.path.join(run, "cpu.txt")
    if os.path.exists(cpu_path) and (cpu := re.match(r"([0-9.]+) ([0-9.]+)", open(cpu_path).read().strip().splitlines()[-1])):
        lines.append(f"| CPU time, user + system (the processes the run waits for; not Chromium's renderers) | {float(cpu.group(1)) + float(cpu.group(2)):.1f} s |")
    busy_path = os.path.join(run, "busy.txt")
    if os.path.exists(busy_path) and len(busy := open(busy_path).read().split()) == 3:
        lines.append(f"| CPU busy, whole machine, during the run (all processes, Chromium's included) | {(int(busy[1]) - int(busy[0])) / int(busy[2]):.1f} s |")
    lines.append(f"| browser flows (summed) | {len(browser)} flows, {sum(browser):.1f} s |")
    lines.append(f"| reports | {reports.group(1) + ' s' if reports else '?'} |")
    lines += ["", "10 slowest:", "", "| kind | verdict | duration | exchanges |", "|---|---|---|---|"]
    for kind, label, r in sorted(verdicts, key=lambda v: -v[2]["durationMs"])[:10]:
        lines.append(f"| {kind} | {label} | {r['durationMs'] / 1000:.2f} s | {len(r.get('exchanges', []))} |")
    return "\n".join(lines) + "\n"


def main():
    directory, runs = sys.argv[1], sys.argv[2:]
    print(f"# Benchmark\n\nMachine: {machine()}\n")
    for name in runs:
        print(report(directory, name))


if __name__ == "__main__":
    main()
