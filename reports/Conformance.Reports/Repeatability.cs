using Conformance.Harness.Checks;
using Conformance.Harness.Results;

namespace Conformance.Reports;

/// <summary>One verdict that was not the same in every run: its key and its outcome in each run, in run order (null: absent).</summary>
public sealed record VerdictDifference(string Key, IReadOnlyList<Outcome?> Outcomes, IReadOnlyList<string?> Messages);

/// <summary>
/// Several runs of one target compared verdict by verdict (scripts/repeat.sh). A run must give the same verdicts
/// every time; any difference is a defect to find: a race, a timing-dependent precondition, a page read too early.
/// </summary>
public static class Repeatability
{
    public static IReadOnlyList<VerdictDifference> Compare(IReadOnlyList<RunFile> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var targets = runs.Select(r => r.Target.Name).Distinct(StringComparer.Ordinal).ToList();
        if (targets.Count > 1)
        {
            throw new InvalidDataException($"the runs are of different targets ({string.Join(", ", targets)}); compare runs of one target");
        }

        var verdicts = runs.Select(r => r.Checks.Select(c => (Key: VerdictKeys.Of(c), c.Outcome, c.Message))
            .Concat(r.Flows.Select(f => (Key: VerdictKeys.Of(f), f.Outcome, Message: f.Message ?? "")))
            .GroupBy(v => v.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal)).ToList();
        var differences = new List<VerdictDifference>();
        foreach (var key in verdicts.SelectMany(v => v.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var seen = verdicts.Select(v => v.TryGetValue(key, out var x) ? x : ((string Key, Outcome Outcome, string Message)?)null).ToList();
            if (seen.Select(s => s?.Outcome).Distinct().Count() > 1)
            {
                differences.Add(new VerdictDifference(key, seen.Select(s => s?.Outcome).ToList(), seen.Select(s => s is null ? null : VerdictKeys.OneLine(s.Value.Message)).ToList()));
            }
        }

        return differences;
    }

    /// <summary><c>differ --results A --results B …</c>: prints the verdicts that differ; exit 0 when none, 1 otherwise, 2 on bad input.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var paths = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            paths.Add(args[i] == "--results" && i + 1 < args.Length ? args[++i] : throw new Program.UsageException($"differ: unknown option '{args[i]}' (use --results PATH, twice or more)"));
        }

        try
        {
            var files = paths.SelectMany(ResultsFiles.Find).ToList();
            if (files.Count < 2)
            {
                throw new Program.UsageException("differ needs two results files or more");
            }

            var runs = files.Select(RunFile.Read).ToList();
            var differences = Compare(runs);
            var total = runs.Max(r => r.Checks.Count + r.Flows.Count);
            output.WriteLine($"{runs.Count} runs of {runs[0].Target.Name}, {total} verdicts each: {differences.Count} {(differences.Count == 1 ? "verdict differs" : "verdicts differ")}");
            foreach (var d in differences)
            {
                output.WriteLine($"  {d.Key}: {string.Join(" / ", d.Outcomes.Select(o => o is null ? "absent" : ExpectedVerdicts.Name(o.Value)))}");
                foreach (var (message, run) in d.Messages.Select((m, k) => (m, k + 1)).Where(x => x.m is not null && d.Outcomes[x.Item2 - 1] != Outcome.Pass).DistinctBy(x => x.m))
                {
                    output.WriteLine($"    run {run}: {message}");
                }
            }

            return differences.Count == 0 ? 0 : 1;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine("error: " + e.Message);
            return GateVerdict.InvalidInputExitCode;
        }
    }
}
