using System.Globalization;
using Conformance.Harness.Checks;
using Conformance.Harness.Results;

namespace Conformance.Reports;

/// <summary>An earlier run's results file, the run this one is compared with.</summary>
public sealed record BaselineFile(string Path, RunFile Run);

/// <summary>The baseline cannot be used: missing, unreadable, or a run of another target. The message names the path.</summary>
public sealed class BaselineException(string message) : Exception(message);

public enum BaselineChangeKind
{
    /// <summary>Fails now; in the baseline it passed, warned, was not applicable or inconclusive, or was absent.</summary>
    NewFailure,

    /// <summary>Passed in the baseline; now inconclusive, not applicable or absent: the rule is no longer tested.</summary>
    CoverageLost,

    /// <summary>Failed in the baseline; does not fail now.</summary>
    FixedFailure,

    /// <summary>Inconclusive, not applicable or absent in the baseline; passes now.</summary>
    NewCoverage,
}

/// <summary>One verdict (check × server, or flow) whose outcome moved between the baseline and this run.</summary>
/// <param name="Key">The <see cref="VerdictKeys"/> key, unique within <paramref name="Target"/>.</param>
/// <param name="Subject">The check id or the flow's test name: what a waiver names.</param>
/// <param name="Message">One line of what this run observed (empty when it passed or the verdict is absent).</param>
public sealed record BaselineChange(
    BaselineChangeKind Kind, string Target, string Key, string Subject, string? Server, string Where, Outcome? Before, Outcome? Now, string Message)
{
    /// <summary>The current waiver that accepts this new failure or lost coverage, as it would accept the failure; null when none.</summary>
    public Waiver? AcceptedBy { get; init; }

    /// <summary>New failures and lost coverage fail the gate unless a waiver accepts them; fixed failures and new coverage are news.</summary>
    public bool Gating => Kind is BaselineChangeKind.NewFailure or BaselineChangeKind.CoverageLost;

    public string Label => Kind switch
    {
        BaselineChangeKind.NewFailure => "new failure",
        BaselineChangeKind.CoverageLost => "coverage lost",
        BaselineChangeKind.FixedFailure => "fixed failure",
        _ => "new coverage",
    };

    /// <summary>"pass → inconclusive ("the login did not complete: …")".</summary>
    public string Detail =>
        $"{Name(Before)} → {Name(Now)}" + (Now is null ? " (no verdict in this run)" : Message.Length == 0 ? "" : $" (\"{Message}\")");

    public override string ToString() =>
        $"{Label}: {Subject}{(Where.Length == 0 ? "" : " on " + Where)}: {Detail}" + (AcceptedBy is null ? "" : $"; accepted by the waiver {AcceptedBy} (\"{AcceptedBy.Reason}\")");

    /// <summary>An outcome as the reports write it, "absent" for no verdict.</summary>
    public static string Name(Outcome? outcome) => outcome is { } o ? Words.Outcome(o) : "absent";
}

/// <summary>This run against its baseline: every change by kind, and the targets that had no baseline to compare with.</summary>
/// <param name="Compared">Verdict keys seen in either run, over the targets compared.</param>
public sealed record BaselineComparison(
    IReadOnlyList<BaselineFile> Files, IReadOnlyList<string> Targets, IReadOnlyList<string> NotCompared, IReadOnlyList<BaselineChange> Changes, int Compared)
{
    public int Count(BaselineChangeKind kind) => Changes.Count(c => c.Kind == kind);

    /// <summary>What fails the gate: each new failure and each lost coverage that no current waiver accepts.</summary>
    public IReadOnlyList<GateProblem> Problems => Changes
        .Where(c => c.Gating && c.AcceptedBy is null)
        .Select(c => new GateProblem(c.Kind == BaselineChangeKind.NewFailure ? GateProblemKind.NewFailure : GateProblemKind.CoverageLost, c.Subject, c.Where, c.Detail))
        .ToList();

    /// <summary>"1 new failure, 1 coverage lost, 0 fixed failures, 2 new coverage; 10 verdicts compared".</summary>
    public string Counts()
    {
        string Of(BaselineChangeKind kind, string one, string many) => $"{Count(kind)} {(Count(kind) == 1 ? one : many)}";
        return $"{Of(BaselineChangeKind.NewFailure, "new failure", "new failures")}, {Of(BaselineChangeKind.CoverageLost, "coverage lost", "coverage lost")}, "
            + $"{Of(BaselineChangeKind.FixedFailure, "fixed failure", "fixed failures")}, {Of(BaselineChangeKind.NewCoverage, "new coverage", "new coverage")}; {Compared} verdicts compared";
    }

    /// <summary>The baseline's files, each with its run id and start time, so a reader knows which night it was.</summary>
    public string Source => string.Join(", ", Files.Select(f =>
        $"{f.Path} (run {f.Run.RunId}, {f.Run.StartedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC)"));

    /// <summary>The block of gate.txt and the console: counts first, then each change on a line of its own.</summary>
    public IReadOnlyList<string> Lines() =>
        new[] { $"Compared with baseline {Source}: {Counts()}" }
            .Concat(NotCompared.Select(n => "  not compared: " + n))
            .Concat(Changes.Select(c => "  " + c))
            .ToList();

    /// <summary>The "baseline" object of gate.json.</summary>
    public object ToJson() => new
    {
        files = Files.Select(f => new { path = f.Path, runId = f.Run.RunId, startedAt = f.Run.StartedAt, target = f.Run.Target.Name }),
        targets = Targets,
        notCompared = NotCompared,
        counts = new
        {
            newFailures = Count(BaselineChangeKind.NewFailure),
            coverageLost = Count(BaselineChangeKind.CoverageLost),
            fixedFailures = Count(BaselineChangeKind.FixedFailure),
            newCoverage = Count(BaselineChangeKind.NewCoverage),
            compared = Compared,
        },
        changes = Changes.Select(c => new
        {
            kind = c.Label,
            target = c.Target,
            key = c.Key,
            subject = c.Subject,
            where = c.Where,
            before = BaselineChange.Name(c.Before),
            now = BaselineChange.Name(c.Now),
            message = c.Message,
            gating = c.Gating,
            acceptedBy = c.AcceptedBy is not { } w ? null : new { check = w.Check, scope = w.Scope, reason = w.Reason, expires = w.Expires.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) },
        }),
    };
}

/// <summary>
/// Compares this run with an earlier one of the same target, verdict by verdict (keyed as <see cref="VerdictKeys"/>
/// does): a new failure or a rule no longer tested fails the gate even where the run alone would pass it, e.g. a
/// check that passed last night and is inconclusive tonight because the login broke.
/// </summary>
public static class Baseline
{
    /// <summary>Reads each path: a results.json, or a directory searched for them (a previous run's artifacts).</summary>
    /// <exception cref="BaselineException">A path is missing, holds no results.json, or a file cannot be read; the message names it.</exception>
    public static IReadOnlyList<BaselineFile> Load(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var files = new List<BaselineFile>();
        foreach (var path in paths)
        {
            IReadOnlyList<string> found;
            try
            {
                found = ResultsFiles.Find(path);
            }
            catch (InvalidDataException e)
            {
                throw new BaselineException("baseline " + e.Message);
            }

            foreach (var file in found.Where(f => files.TrueForAll(b => Path.GetFullPath(b.Path) != Path.GetFullPath(f))))
            {
                try
                {
                    files.Add(new BaselineFile(file, RunFile.Read(file)));
                }
                catch (InvalidDataException e)
                {
                    throw new BaselineException("baseline " + e.Message);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new BaselineException($"baseline {file}: cannot be read: {e.Message}");
                }
            }
        }

        return files;
    }

    /// <summary>For a run that knows its target before it starts: a baseline of another target stops it at once, not after the run.</summary>
    /// <exception cref="BaselineException">A baseline file is a run of another target.</exception>
    public static void RequireTarget(IReadOnlyList<BaselineFile> baseline, string target)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        if (baseline.FirstOrDefault(b => b.Run.Target.Name != target) is { } other)
        {
            throw OtherTarget(baseline.Where(b => b.Run.Target.Name == other.Run.Target.Name), other.Run.Target.Name, [target]);
        }
    }

    /// <summary>Null without a baseline. Each target of this run is compared with the baseline's runs of the same target (profile name).</summary>
    /// <param name="today">The date waivers expire against, as the gate's.</param>
    /// <exception cref="BaselineException">The baseline holds a run of a target this run does not have.</exception>
    public static BaselineComparison? Compare(ReportData current, IReadOnlyList<BaselineFile> baseline, IReadOnlyList<Waiver> waivers, DateOnly? today = null)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(baseline);
        if (baseline.Count == 0)
        {
            return null;
        }

        var before = ReportData.Merge(baseline.Select(b => b.Run).ToList());
        var names = current.Targets.Select(t => t.Name).ToList();
        if (before.Targets.FirstOrDefault(t => !names.Contains(t.Name, StringComparer.Ordinal)) is { } stranger)
        {
            throw OtherTarget(baseline.Where(b => stranger.Runs.Contains(b.Run)), stranger.Name, names);
        }

        var compared = names.Where(n => before.Targets.Any(t => t.Name == n)).ToList();
        var changes = new List<BaselineChange>();
        var keys = 0;
        foreach (var target in compared)
        {
            var was = Verdicts(before, target);
            var now = Verdicts(current, target);
            var union = was.Keys.Union(now.Keys, StringComparer.Ordinal).ToList();
            keys += union.Count;
            foreach (var key in union)
            {
                var old = was.GetValueOrDefault(key);
                var seen = now.GetValueOrDefault(key);
                if (Classify(old?.Outcome, seen?.Outcome) is not { } kind)
                {
                    continue;
                }

                var which = (seen ?? old)!;
                var where = which.IsFlow && which.Server is null ? (current.MultiTarget ? target : "") : current.ServerLabel(target, which.Server);
                var change = new BaselineChange(kind, target, key, which.Subject, which.Server, where, old?.Outcome, seen?.Outcome, seen?.Message ?? "");
                changes.Add(change.Gating ? change with { AcceptedBy = WaiversFile.Covering(waivers, change.Subject, change.Server, target, today) } : change);
            }
        }

        return new BaselineComparison(
            baseline,
            compared,
            names.Except(compared, StringComparer.Ordinal).Select(n => $"{n}: the baseline has no run of this target").ToList(),
            changes.OrderBy(c => c.Kind).ThenBy(c => c.Target, StringComparer.Ordinal).ThenBy(c => c.Key, StringComparer.Ordinal).ToList(),
            keys);
    }

    /// <summary>The four kinds of the brief; other moves (pass ↔ warning, not applicable ↔ inconclusive) are not baseline changes.</summary>
    internal static BaselineChangeKind? Classify(Outcome? before, Outcome? now)
    {
        if (now == Outcome.Fail && before != Outcome.Fail)
        {
            return BaselineChangeKind.NewFailure;
        }

        if (before == Outcome.Fail && now != Outcome.Fail)
        {
            return BaselineChangeKind.FixedFailure;
        }

        if (before == Outcome.Pass && now is (null or Outcome.Inconclusive or Outcome.NotApplicable))
        {
            return BaselineChangeKind.CoverageLost;
        }

        return before is (null or Outcome.Inconclusive or Outcome.NotApplicable) && now == Outcome.Pass ? BaselineChangeKind.NewCoverage : null;
    }

    private sealed record Seen(string Subject, string? Server, Outcome Outcome, string Message, bool IsFlow);

    private static Dictionary<string, Seen> Verdicts(ReportData data, string target)
    {
        var seen = new Dictionary<string, Seen>(StringComparer.Ordinal);
        foreach (var check in data.Checks.Where(c => c.Target == target))
        {
            var r = check.Result;
            var message = r.Outcome switch
            {
                Outcome.Pass => "",
                Outcome.Fail or Outcome.Warning => r.Observed ?? r.Message,
                _ => r.Message,
            };
            seen[VerdictKeys.Of(r)] = new Seen(r.Id, r.Server, r.Outcome, VerdictKeys.OneLine(message), IsFlow: false);
        }

        foreach (var flow in data.Flows.Where(f => f.Target == target))
        {
            // A failed flow's message is a stack of lines; its first says what went wrong.
            var first = flow.Result.Outcome == Outcome.Pass ? "" : (flow.Result.Message ?? "").Trim().Split('\n', 2)[0];
            seen[VerdictKeys.Of(flow.Result)] = new Seen(flow.Result.Name, flow.Server, flow.Result.Outcome, VerdictKeys.OneLine(first), IsFlow: true);
        }

        return seen;
    }

    private static BaselineException OtherTarget(IEnumerable<BaselineFile> files, string baselineTarget, IReadOnlyList<string> targets) => new(
        $"baseline {string.Join(", ", files.Select(f => f.Path))}: a run of target '{baselineTarget}', but this run is of "
        + string.Join(", ", targets.Select(t => $"'{t}'")) + "; a baseline must be an earlier run of the same target (profile name)");
}
