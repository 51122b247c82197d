using Conformance.Harness.Checks;

namespace Conformance.Reports.Html;

/// <summary>What every section of the review reads: the merged runs, the gate, the waivers and where screenshots are.</summary>
public sealed class ReviewModel(ReportData data, GateVerdict gate, IReadOnlyList<Waiver> waivers, Attachments attachments, string title, BaselineComparison? baseline)
{
    public ReportData Data { get; } = data;

    public GateVerdict Gate { get; } = gate;

    public IReadOnlyList<Waiver> Waivers { get; } = waivers;

    public Attachments Attachments { get; } = attachments;

    public string Title { get; } = title;

    public BaselineComparison? Baseline { get; } = baseline;

    /// <summary>Bodies of findings are shown up to this length; passed checks' bodies are cut shorter.</summary>
    public int FindingBodyLimit { get; init; } = 12_000;

    public int PassBodyLimit { get; init; } = 2_000;

    /// <summary>The order of outcomes in tallies and charts: the worst first.</summary>
    public static readonly Outcome[] Order = [Outcome.Fail, Outcome.Warning, Outcome.Inconclusive, Outcome.Pass, Outcome.NotApplicable];

    public static Outcome Worst(IEnumerable<Outcome> outcomes) => outcomes.MaxBy(ReportData.Rank);

    /// <summary>Servers in the order the target lists them (org, default, second), target-wide checks last.</summary>
    public int ServerIndex(ReportCheck check) => ServerIndex(check.Target, check.Result.Server);

    public int ServerIndex(string target, string? server)
    {
        if (server is null)
        {
            return int.MaxValue;
        }

        var servers = Data.Targets.FirstOrDefault(t => t.Name == target)?.Servers ?? [];
        var index = servers.ToList().FindIndex(s => s.Name == server);
        return index < 0 ? int.MaxValue - 1 : index;
    }
}
