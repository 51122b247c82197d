using System.Text;
using Conformance.Harness.Checks;

namespace Conformance.Reports;

/// <summary>Why the gate failed, one line each.</summary>
public enum GateProblemKind
{
    /// <summary>A MUST check failed and no current waiver covers it.</summary>
    MustFailure,

    /// <summary>An end-to-end flow failed (flows can be waived by their test name).</summary>
    FlowFailure,

    /// <summary>A waiver is past its expiry date.</summary>
    ExpiredWaiver,

    /// <summary>A waiver's check now passes: the deviation is gone and the waiver must be removed.</summary>
    StaleWaiver,

    /// <summary>Counted only when the options ask for it.</summary>
    Warning,

    /// <summary>A MUST check was not tested (beyond the target's tolerance, and no waiver covers it).</summary>
    Inconclusive,

    /// <summary>A server of the target could not be reached or discovered: all its verdicts are lost.</summary>
    ServerUnreachable,

    /// <summary>A flow the target offers did not complete (inconclusive): it was not tested.</summary>
    FlowNotCompleted,

    /// <summary>The results hold nothing: a gate over nothing is no gate.</summary>
    NoResults,

    /// <summary>A configured secret value was found in a written artifact.</summary>
    SecretLeak,

    /// <summary>Against a baseline: a verdict that did not fail there fails now, and no current waiver covers it.</summary>
    NewFailure,

    /// <summary>Against a baseline: a check that passed there is inconclusive, not applicable or gone now, and no current waiver covers it.</summary>
    CoverageLost,
}

public sealed record GateProblem(GateProblemKind Kind, string Subject, string Where, string Detail)
{
    public string Label => Kind switch
    {
        GateProblemKind.MustFailure => "MUST failure",
        GateProblemKind.FlowFailure => "flow failure",
        GateProblemKind.ExpiredWaiver => "expired waiver",
        GateProblemKind.StaleWaiver => "stale waiver",
        GateProblemKind.Warning => "SHOULD warning",
        GateProblemKind.Inconclusive => "inconclusive",
        GateProblemKind.ServerUnreachable => "server unreachable",
        GateProblemKind.FlowNotCompleted => "flow not completed",
        GateProblemKind.NoResults => "no results",
        GateProblemKind.NewFailure => "new failure",
        GateProblemKind.CoverageLost => "coverage lost",
        _ => "secret leak",
    };

    public override string ToString() => $"{Label}: {Subject}{(Where.Length == 0 ? "" : " on " + Where)}: {Detail}";
}

/// <summary>A failure or warning that a current waiver covers.</summary>
public sealed record WaivedResult(Waiver Waiver, string Check, string Where, Outcome Outcome, string? Observed);

/// <summary>A waiver that matched no result (its check did not run, e.g. in another shard); reported, not failing.</summary>
public sealed record UnusedWaiver(Waiver Waiver, string Why);

public sealed record GateCounts(int Pass, int Fail, int Warning, int NotApplicable, int Inconclusive, int Waived, int FlowsPassed, int FlowsFailed, int FlowsOther)
{
    public override string ToString() =>
        $"{Pass} pass, {Fail} MUST failures ({Waived} waived), {Warning} SHOULD warnings, {NotApplicable} not applicable, {Inconclusive} inconclusive"
        + (FlowsPassed + FlowsFailed + FlowsOther == 0 ? "" : $"; flows: {FlowsPassed} passed, {FlowsFailed} failed, {FlowsOther} skipped or inconclusive");
}

/// <summary>The gate's decision: passed or not, and exactly why.</summary>
public sealed record GateVerdict(
    IReadOnlyList<GateProblem> Problems,
    IReadOnlyList<WaivedResult> Waived,
    IReadOnlyList<UnusedWaiver> Unused,
    GateCounts Counts)
{
    /// <summary>Exit code of a gate over invalid input (unreadable results, invalid waivers file).</summary>
    public const int InvalidInputExitCode = 2;

    public bool Passed => Problems.Count == 0;

    private const int MaxReasons = 12;

    /// <summary>0 passed, 1 failed (2 is used by the CLI for invalid input).</summary>
    public int ExitCode => Passed ? 0 : 1;

    /// <summary>Every verdict that tested nothing (inconclusive and not waived), failing the gate or not.</summary>
    public IReadOnlyList<NotTested> NotTested { get; init; } = [];

    /// <summary>Extra text the caller wants in the summary (where the reports are, what was skipped).</summary>
    public IReadOnlyList<string> Messages { get; init; } = [];

    public GateVerdict With(IEnumerable<GateProblem> more) => this with { Problems = Problems.Concat(more).ToList() };

    public string Summary()
    {
        var text = new StringBuilder();
        text.AppendLine(Passed ? "Conformance gate: PASSED" : $"Conformance gate: FAILED ({Problems.Count} {(Problems.Count == 1 ? "reason" : "reasons")})");
        foreach (var problem in Problems)
        {
            text.Append("  ✗ ").AppendLine(problem.ToString());
        }

        foreach (var waived in Waived)
        {
            text.Append("  ~ waived ").Append(Words.Outcome(waived.Outcome)).Append(": ").Append(waived.Check).Append(" on ").Append(waived.Where)
                .Append(" until ").Append(waived.Waiver.Expires.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture))
                .Append(" (").Append(waived.Waiver.Reason).AppendLine(")");
        }

        foreach (var unused in Unused)
        {
            text.Append("  ? waiver ").Append(unused.Waiver).Append(" matched nothing: ").AppendLine(unused.Why);
        }

        text.Append("  results: ").AppendLine(Counts.ToString());
        if (NotTested.Count > 0)
        {
            // Plainly what was not tested and why, grouped by reason: the first thing to read when coverage is lost.
            text.Append("  not tested: ").Append(NotTested.Count).Append(" (").Append(NotTested.Count(n => n.Must)).AppendLine(" MUST checks or flows), by reason:");
            foreach (var group in NotTested.GroupBy(n => n.Reason).OrderByDescending(g => g.Count()).Take(MaxReasons))
            {
                var subjects = group.Select(n => $"{n.Subject}{(n.Where.Length == 0 ? "" : "@" + n.Where)}").ToList();
                text.Append("    ").Append(group.Count()).Append(" × ").Append(group.Key).Append(" [").Append(string.Join(", ", subjects.Take(6)))
                    .Append(subjects.Count > 6 ? ", …" : "").AppendLine("]");
            }

            var more = NotTested.GroupBy(n => n.Reason).Count() - MaxReasons;
            if (more > 0)
            {
                text.Append("    … and ").Append(more).AppendLine(" other reasons (gate.json lists every verdict)");
            }
        }
        foreach (var message in Messages)
        {
            text.Append("  ").AppendLine(message);
        }

        return text.ToString();
    }
}

public sealed record GateOptions
{
    /// <summary>SHOULD warnings fail the gate too (default: they are reported, the gate stays green).</summary>
    public bool FailOnWarnings { get; init; }

    /// <summary>
    /// Every inconclusive check fails the gate, SHOULD included, whatever the target's tolerance (default: MUST
    /// checks and offered flows fail it beyond the target's options.maxInconclusive, SHOULD checks are listed).
    /// </summary>
    public bool FailOnInconclusive { get; init; }

    /// <summary>Today, for waiver expiry; the UTC date by default.</summary>
    public DateOnly? Today { get; init; }
}

public static class Gate
{
    public static GateVerdict Evaluate(ReportData data, IReadOnlyList<Waiver> waivers, GateOptions? options = null)
    {
        options ??= new GateOptions();
        var today = options.Today ?? DateOnly.FromDateTime(DateTime.UtcNow);
        var problems = new List<GateProblem>();
        var waived = new List<WaivedResult>();
        var unused = new List<UnusedWaiver>();
        var covered = new HashSet<object>(ReferenceEqualityComparer.Instance);

        foreach (var waiver in waivers)
        {
            var checks = data.Checks.Where(c => Matches(waiver, c.Result.Id, c.Target, c.Result.Server)).ToList();
            var flows = data.Flows.Where(f => Matches(waiver, f.Result.Name, f.Target, f.Server)).ToList();
            // A waiver accepts a verdict that did not test its rule (inconclusive) as it accepts a failure.
            var violating = checks.Where(c => c.Result.Outcome is Outcome.Fail or Outcome.Warning or Outcome.Inconclusive).Select(c => (Item: (object)c, c.Result.Id, Where: data.ServerLabel(c.Target, c.Result.Server), c.Result.Outcome, c.Result.Observed))
                .Concat(flows.Where(f => f.Result.Outcome is Outcome.Fail or Outcome.Warning or Outcome.Inconclusive).Select(f => (Item: (object)f, Id: f.Result.Name, Where: data.ServerLabel(f.Target, f.Server), f.Result.Outcome, Observed: f.Result.Message)))
                .ToList();
            var passing = checks.Where(c => c.Result.Outcome == Outcome.Pass).Select(c => data.ServerLabel(c.Target, c.Result.Server))
                .Concat(flows.Where(f => f.Result.Outcome == Outcome.Pass).Select(f => data.ServerLabel(f.Target, f.Server)))
                .ToList();
            var expires = waiver.Expires.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

            if (waiver.IsExpired(today))
            {
                var state = violating.Count > 0
                    ? $"still fails on {string.Join(", ", violating.Select(v => v.Where))}"
                    : passing.Count > 0 ? $"now passes on {string.Join(", ", passing)} (remove the waiver)" : "matched no failing result";
                problems.Add(new GateProblem(GateProblemKind.ExpiredWaiver, waiver.Check, waiver.Scope, $"expired {expires} (\"{waiver.Reason}\"); the check {state}"));
                continue;
            }

            if (violating.Count == 0)
            {
                if (passing.Count > 0)
                {
                    problems.Add(new GateProblem(GateProblemKind.StaleWaiver, waiver.Check, waiver.Scope,
                        $"the check now passes on {string.Join(", ", passing)}; remove the waiver (\"{waiver.Reason}\", expires {expires})"));
                }
                else
                {
                    var outcomes = checks.Select(c => Words.Outcome(c.Result.Outcome)).Concat(flows.Select(f => Words.Outcome(f.Result.Outcome))).Distinct().ToList();
                    unused.Add(new UnusedWaiver(waiver, outcomes.Count == 0 ? "no such check in these results" : "the check was " + string.Join(", ", outcomes)));
                }

                continue;
            }

            foreach (var v in violating)
            {
                if (covered.Add(v.Item))
                {
                    waived.Add(new WaivedResult(waiver, v.Id, v.Where, v.Outcome, v.Observed));
                }
            }
        }

        foreach (var check in data.Checks.Where(c => !covered.Contains(c)))
        {
            var where = data.ServerLabel(check.Target, check.Result.Server);
            switch (check.Result.Outcome)
            {
                case Outcome.Fail:
                    problems.Add(new GateProblem(GateProblemKind.MustFailure, check.Result.Id, where,
                        $"observed {check.Result.Observed ?? check.Result.Message}" + (check.Result.Expected is null ? "" : $"; expected {check.Result.Expected}")));
                    break;
                case Outcome.Warning when options.FailOnWarnings:
                    problems.Add(new GateProblem(GateProblemKind.Warning, check.Result.Id, where, $"observed {check.Result.Observed ?? check.Result.Message}"));
                    break;
            }
        }

        foreach (var flow in data.Flows.Where(f => !covered.Contains(f) && f.Result.Outcome == Outcome.Fail))
        {
            problems.Add(new GateProblem(GateProblemKind.FlowFailure, flow.Result.Name, flow.Server is null ? (data.MultiTarget ? flow.Target : "") : data.ServerLabel(flow.Target, flow.Server), FirstLine(flow.Result.Message) ?? "failed"));
        }

        var (coverage, notTested) = Coverage.Judge(data, covered, options);
        problems.AddRange(coverage);

        if (data.Checks.Count == 0 && data.Flows.Count == 0)
        {
            problems.Add(new GateProblem(GateProblemKind.NoResults, "the run", "", "the results hold no check and no flow; nothing was tested"));
        }

        // Expired and stale waivers first: they are about the file the reader is about to edit.
        var ordered = problems.OrderBy(p => p.Kind switch
        {
            GateProblemKind.ExpiredWaiver => 0,
            GateProblemKind.StaleWaiver => 1,
            GateProblemKind.ServerUnreachable => 2,
            _ => 3,
        }).ToList();

        return new GateVerdict(ordered, waived, unused, Count(data, covered.OfType<ReportCheck>().Count(c => c.Result.Outcome == Outcome.Fail))) { NotTested = notTested };
    }

    private static GateCounts Count(ReportData data, int waivedFailures)
    {
        int Of(Outcome o) => data.Checks.Count(c => c.Result.Outcome == o);
        return new GateCounts(
            Of(Outcome.Pass), Of(Outcome.Fail), Of(Outcome.Warning), Of(Outcome.NotApplicable), Of(Outcome.Inconclusive), waivedFailures,
            data.Flows.Count(f => f.Result.Outcome == Outcome.Pass),
            data.Flows.Count(f => f.Result.Outcome == Outcome.Fail),
            data.Flows.Count(f => f.Result.Outcome is not (Outcome.Pass or Outcome.Fail)));
    }

    private static bool Matches(Waiver waiver, string id, string target, string? server) =>
        string.Equals(waiver.Check, id, StringComparison.OrdinalIgnoreCase)
        && (waiver.Server is null || string.Equals(waiver.Server, server, StringComparison.Ordinal))
        && (waiver.Target is null || string.Equals(waiver.Target, target, StringComparison.Ordinal));

    private static string? FirstLine(string? text) =>
        string.IsNullOrWhiteSpace(text) ? null : text.Split('\n', 2)[0].Trim();
}
