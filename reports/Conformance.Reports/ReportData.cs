using Conformance.Harness.Checks;
using Conformance.Harness.Results;

namespace Conformance.Reports;

/// <summary>
/// One or several run files merged into what every report reads. Runs of the same target (shards of one suite,
/// or a re-run) merge into one target; runs of different targets stay side by side. A target is identified by its
/// profile name and its issuers, so a CI matrix that reuses one profile name for several tenants keeps them apart.
/// </summary>
public sealed class ReportData
{
    private ReportData(IReadOnlyList<RunFile> runs, IReadOnlyList<ReportTarget> targets, IReadOnlyList<ReportCheck> checks, IReadOnlyList<ReportFlow> flows, IReadOnlyList<string> notes)
    {
        Runs = runs;
        Targets = targets;
        Checks = checks;
        Flows = flows;
        Notes = notes;
    }

    public IReadOnlyList<RunFile> Runs { get; }

    public IReadOnlyList<ReportTarget> Targets { get; }

    /// <summary>Every (target, server, check) verdict, once, ordered by check id, target, server.</summary>
    public IReadOnlyList<ReportCheck> Checks { get; }

    public IReadOnlyList<ReportFlow> Flows { get; }

    /// <summary>What the merge had to decide (duplicate results, conflicting issuers), for the reader.</summary>
    public IReadOnlyList<string> Notes { get; }

    public bool MultiTarget => Targets.Count > 1;

    public DateTimeOffset StartedAt => Runs.Count == 0 ? DateTimeOffset.UnixEpoch : Runs.Min(r => r.StartedAt);

    public DateTimeOffset FinishedAt => Runs.Count == 0 ? DateTimeOffset.UnixEpoch : Runs.Max(r => r.FinishedAt > r.StartedAt ? r.FinishedAt : r.StartedAt);

    public IReadOnlyList<string> HarnessVersions => Runs.Select(r => r.HarnessVersion).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    /// <summary>"server" alone for one target, "target / server" when several are merged; "(target-wide)" for per-target checks.</summary>
    public string ServerLabel(string target, string? server) =>
        MultiTarget ? $"{target} / {server ?? "(target-wide)"}" : server ?? "(target-wide)";

    public static ReportData Merge(IReadOnlyList<RunFile> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var notes = new List<string>();

        // Runs of one target (same profile name, and the servers they share have the same issuers) merge; a CI
        // matrix that reuses one profile name for several tenants keeps them apart.
        var merged = new List<(string Name, List<RunFile> Runs)>();
        foreach (var run in runs.OrderBy(r => r.StartedAt))
        {
            var existing = merged.FirstOrDefault(m => m.Name == run.Target.Name && SameTenant(m.Runs[0].Target, run.Target));
            if (existing.Runs is null)
            {
                merged.Add((run.Target.Name, [run]));
            }
            else
            {
                existing.Runs.Add(run);
            }
        }

        var targets = new List<ReportTarget>();
        foreach (var (name, targetRuns) in merged)
        {
            var display = merged.Count(m => m.Name == name) > 1 ? $"{name} @ {Host(targetRuns[0].Target)}" : name;
            targets.Add(ReportTarget.From(display, targetRuns, notes));
        }

        var checks = new Dictionary<(string Target, string Id, string Server), ReportCheck>();
        var flows = new Dictionary<(string Target, string Name), ReportFlow>();
        foreach (var target in targets)
        {
            foreach (var run in target.Runs)
            {
                foreach (var check in run.Checks)
                {
                    var item = new ReportCheck(target.Name, run, check);
                    var key = (target.Name, check.Id, check.Server ?? "");
                    if (checks.TryGetValue(key, out var other))
                    {
                        var keep = Rank(check.Outcome) >= Rank(other.Result.Outcome) ? item : other;
                        notes.Add($"{check.Id} on {target.Name}/{check.Server ?? "(target-wide)"} appears in runs {other.Run.RunId} ({Words.Outcome(other.Result.Outcome)}) and {run.RunId} ({Words.Outcome(check.Outcome)}); the report keeps {Words.Outcome(keep.Result.Outcome)}");
                        checks[key] = keep;
                    }
                    else
                    {
                        checks[key] = item;
                    }
                }

                foreach (var flow in run.Flows)
                {
                    var item = new ReportFlow(target.Name, run, flow);
                    var key = (target.Name, flow.Name);
                    flows[key] = flows.TryGetValue(key, out var other) && Rank(other.Result.Outcome) > Rank(flow.Outcome) ? other : item;
                }
            }
        }

        return new ReportData(
            runs,
            targets,
            checks.Values.OrderBy(c => c.Result.Id, StringComparer.Ordinal).ThenBy(c => c.Target, StringComparer.Ordinal).ThenBy(c => c.Result.Server, StringComparer.Ordinal).ToList(),
            flows.Values.OrderBy(f => f.Target, StringComparer.Ordinal).ThenBy(f => f.Result.Name, StringComparer.Ordinal).ToList(),
            notes);
    }

    /// <summary>Worse outcomes rank higher; a duplicate keeps the worse, which is the safe choice for a gate.</summary>
    internal static int Rank(Outcome outcome) => outcome switch
    {
        Outcome.Fail => 4,
        Outcome.Warning => 3,
        Outcome.Inconclusive => 2,
        Outcome.Pass => 1,
        _ => 0,
    };

    private static bool SameTenant(RunTarget a, RunTarget b)
    {
        var issuers = a.Servers.ToDictionary(s => s.Name, s => s.Issuer, StringComparer.Ordinal);
        var shared = b.Servers.Where(s => issuers.ContainsKey(s.Name)).ToList();
        return shared.Count > 0 ? shared.All(s => issuers[s.Name] == s.Issuer) : a.Servers.Count == 0 && b.Servers.Count == 0;
    }

    private static string Host(RunTarget target) =>
        target.Servers.Select(s => Uri.TryCreate(s.Issuer, UriKind.Absolute, out var u) ? u.Authority : s.Issuer).FirstOrDefault() ?? "?";
}

/// <summary>A target as the report shows it: the union of what its runs saw.</summary>
public sealed record ReportTarget(
    string Name,
    IReadOnlyList<RunFile> Runs,
    IReadOnlyList<RunServer> Servers,
    IReadOnlyList<RunClient> Clients,
    IReadOnlyList<string> LoginDrivers,
    IReadOnlyList<string> Faults)
{
    internal static ReportTarget From(string name, IReadOnlyList<RunFile> runs, List<string> notes)
    {
        var servers = new List<RunServer>();
        foreach (var server in runs.SelectMany(r => r.Target.Servers))
        {
            var index = servers.FindIndex(s => s.Name == server.Name);
            if (index < 0)
            {
                servers.Add(server);
            }
            else if (servers[index].Issuer != server.Issuer)
            {
                notes.Add($"server '{server.Name}' of {name} has issuer {servers[index].Issuer} in one run and {server.Issuer} in another; the report shows the first");
            }
            else if (servers[index].Unavailable is not null && server.Unavailable is null)
            {
                servers[index] = server;
            }
        }

        var faultSets = runs.Select(r => string.Join(",", r.Target.Faults.Order(StringComparer.Ordinal))).Distinct().ToList();
        if (faultSets.Count > 1)
        {
            notes.Add($"the runs of {name} had different fault profiles switched on: {string.Join(" | ", faultSets.Select(f => f.Length == 0 ? "(none)" : f))}");
        }

        return new ReportTarget(
            name,
            runs,
            servers,
            runs.SelectMany(r => r.Target.Clients).DistinctBy(c => (c.Role, c.ClientId)).ToList(),
            runs.SelectMany(r => r.Target.LoginDrivers).Distinct(StringComparer.Ordinal).ToList(),
            runs.SelectMany(r => r.Target.Faults).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList())
        {
            // The strictest of the runs' tolerances.
            MaxInconclusive = runs.Count == 0 ? 0 : runs.Min(r => r.Target.MaxInconclusive),
        };
    }

    /// <summary>How many MUST checks and flows may be inconclusive before the gate fails (the profile's options.maxInconclusive).</summary>
    public int MaxInconclusive { get; init; }
}

/// <summary>One catalogue verdict, with the run and target it came from.</summary>
public sealed record ReportCheck(string Target, RunFile Run, RunCheck Result);

/// <summary>One flow verdict, with the run and target it came from.</summary>
public sealed record ReportFlow(string Target, RunFile Run, RunFlow Result)
{
    /// <summary>The flow's server, from its "server:NAME" category, when it has one.</summary>
    public string? Server => Result.Categories.FirstOrDefault(c => c.StartsWith("server:", StringComparison.Ordinal))?["server:".Length..];

    public string Area => Result.Categories.FirstOrDefault(c => c.StartsWith("flow:", StringComparison.Ordinal))?["flow:".Length..] ?? "flows";
}

/// <summary>The words the reports use for outcomes and levels, in one place.</summary>
public static class Words
{
    public static string Outcome(Outcome outcome) => outcome switch
    {
        Harness.Checks.Outcome.Pass => "pass",
        Harness.Checks.Outcome.Fail => "fail",
        Harness.Checks.Outcome.Warning => "warning",
        Harness.Checks.Outcome.NotApplicable => "not applicable",
        _ => "inconclusive",
    };

    public static string Css(Outcome outcome) => outcome switch
    {
        Harness.Checks.Outcome.Pass => "pass",
        Harness.Checks.Outcome.Fail => "fail",
        Harness.Checks.Outcome.Warning => "warn",
        Harness.Checks.Outcome.NotApplicable => "na",
        _ => "inc",
    };

    public static string Level(RequirementLevel level) => level.ToString().ToUpperInvariant();

    public static string Severity(Severity severity) => severity.ToString().ToLowerInvariant();
}
