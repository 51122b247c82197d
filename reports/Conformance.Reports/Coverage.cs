using Conformance.Harness.Checks;

namespace Conformance.Reports;

/// <summary>A verdict that tested nothing: its subject (check id or flow name), where, and why.</summary>
/// <param name="Must">A MUST check or a flow: what the gate counts.</param>
public sealed record NotTested(string Subject, string Where, bool Must, string Reason);

/// <summary>
/// What a run did not test, judged for the gate. A rule not tested is not a rule passed: a tenant whose test
/// user's password expired must not stay green every night. By default the gate fails when a server was
/// unreachable (one line per server, with the number of verdicts lost), and when a MUST check or a flow the
/// target offers ended inconclusive. Not applicable is not "not tested": the target does not offer it.
/// A current waiver covers an inconclusive verdict like a failure; a target's <c>options.maxInconclusive</c>
/// tolerates that many before the gate fails. SHOULD checks left inconclusive are listed, never failing
/// (unless the gate options ask for it).
/// </summary>
internal static class Coverage
{
    /// <summary>The first line of a reason, cut: the list groups verdicts by it.</summary>
    private const int ReasonLength = 200;

    public static (List<GateProblem> Problems, List<NotTested> NotTested) Judge(ReportData data, IReadOnlySet<object> waived, GateOptions options)
    {
        var problems = new List<GateProblem>();
        var notTested = new List<NotTested>();
        foreach (var target in data.Targets)
        {
            var lost = target.Servers.Where(s => s.Unavailable is not null).Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
            var checks = data.Checks.Where(c => c.Target == target.Name && c.Result.Outcome == Outcome.Inconclusive && !waived.Contains(c)).ToList();
            var flows = data.Flows.Where(f => f.Target == target.Name && f.Result.Outcome == Outcome.Inconclusive && !waived.Contains(f)).ToList();
            notTested.AddRange(checks.Select(c => new NotTested(c.Result.Id, data.ServerLabel(target.Name, c.Result.Server), c.Result.Level == RequirementLevel.Must, Reason(c.Result.Message))));
            notTested.AddRange(flows.Select(f => new NotTested(f.Result.Name, f.Server is null ? target.Name : data.ServerLabel(target.Name, f.Server), true, Reason(f.Result.Message))));

            foreach (var server in target.Servers.Where(s => s.Unavailable is not null))
            {
                var verdicts = checks.Count(c => c.Result.Server == server.Name) + flows.Count(f => f.Server == server.Name);
                problems.Add(new GateProblem(GateProblemKind.ServerUnreachable, server.Name, data.MultiTarget ? target.Name : "",
                    $"{server.Issuer} could not be reached or discovered ({Reason(server.Unavailable)}); {verdicts} {(verdicts == 1 ? "verdict" : "verdicts")} lost"));
            }

            // Verdicts on a lost server are counted in its line above, not one by one.
            var mustChecks = checks.Where(c => (c.Result.Level == RequirementLevel.Must || options.FailOnInconclusive) && (c.Result.Server is null || !lost.Contains(c.Result.Server))).ToList();
            var offeredFlows = flows.Where(f => f.Server is null || !lost.Contains(f.Server)).ToList();
            if (!options.FailOnInconclusive && mustChecks.Count + offeredFlows.Count <= target.MaxInconclusive)
            {
                continue;
            }

            problems.AddRange(mustChecks.Select(c => new GateProblem(GateProblemKind.Inconclusive, c.Result.Id, data.ServerLabel(target.Name, c.Result.Server), "not tested: " + Reason(c.Result.Message))));
            problems.AddRange(offeredFlows.Select(f => new GateProblem(GateProblemKind.FlowNotCompleted, f.Result.Name,
                f.Server is null ? (data.MultiTarget ? target.Name : "") : data.ServerLabel(target.Name, f.Server), "not completed: " + Reason(f.Result.Message))));
        }

        return (problems, notTested);
    }

    private static string Reason(string? message)
    {
        var line = string.IsNullOrWhiteSpace(message) ? "no reason given" : message.Split('\n', 2)[0].Trim();
        foreach (var prefix in new[] { "inconclusive, ", "inconclusive: " })
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                line = line[prefix.Length..];
            }
        }

        return line.Length > ReasonLength ? line[..ReasonLength] + "…" : line;
    }
}
