using System.Text.Json;
using Conformance.Harness.Checks;
using Conformance.Harness.Results;

namespace Conformance.Reports;

/// <summary>
/// What a run against an independent provider must give, verdict by verdict (check × server, flow × driver),
/// kept in the repository. Every fail or warning says which clause the provider breaks, what it does and the
/// evidence; every not applicable and inconclusive verdict says why. A run that drifts from the file in either
/// direction (a new failure, a fixed one, lost or new coverage, a verdict that appeared or vanished) fails, so
/// the harness's judgement of providers it did not write is pinned and reviewed, never silently changed.
/// </summary>
public sealed record ExpectedVerdicts(string Provider, string Version, string Profile, IReadOnlyDictionary<string, ExpectedVerdict> Verdicts)
{
    /// <summary>Marks an annotation still to be written by a reviewer; the comparison refuses it.</summary>
    public const string Todo = "TODO";

    // Relaxed escaping: the file is read and reviewed by people ("§", "+", "'" as themselves); it is JSON data, never HTML.
    private static readonly JsonSerializerOptions Json = new(RunFile.Json)
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static ExpectedVerdicts Read(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<ExpectedVerdicts>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path} is empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not an expected-verdicts file: {e.Message}", e);
        }
    }

    public void Write(string path)
    {
        // Sorted keys, one verdict a line group: diffs of the file read as verdict changes.
        var sorted = this with { Verdicts = new SortedDictionary<string, ExpectedVerdict>(Verdicts.ToDictionary(), StringComparer.Ordinal) };
        File.WriteAllText(path, JsonSerializer.Serialize(sorted, Json) + "\n");
    }

    /// <summary>Every verdict of the run by its <see cref="VerdictKeys"/> key, with its outcome and one line of what was observed.</summary>
    public static IReadOnlyDictionary<string, (Outcome Outcome, string Message)> Observed(RunFile run)
    {
        var observed = new SortedDictionary<string, (Outcome, string)>(StringComparer.Ordinal);
        foreach (var check in run.Checks)
        {
            observed[VerdictKeys.Of(check)] = (check.Outcome, VerdictKeys.OneLine(check.Observed ?? check.Message));
        }

        foreach (var flow in run.Flows)
        {
            observed[VerdictKeys.Of(flow)] = (flow.Outcome, VerdictKeys.OneLine(flow.Message));
        }

        return observed;
    }

    /// <summary>Every drift between the run and this file, and every annotation the file still lacks; empty when the run is as expected.</summary>
    public IReadOnlyList<string> Compare(RunFile run)
    {
        var problems = new List<string>();
        var observed = Observed(run);
        foreach (var (key, (outcome, message)) in observed)
        {
            if (!Verdicts.TryGetValue(key, out var expected))
            {
                problems.Add($"{key}: {Name(outcome)} in the run, not in the expected file ({message})");
            }
            else if (expected.Outcome != outcome)
            {
                problems.Add($"{key}: expected {Name(expected.Outcome)}, the run gave {Name(outcome)} ({message})");
            }
        }

        problems.AddRange(Verdicts.Keys.Where(k => !observed.ContainsKey(k)).Select(k => $"{k}: expected {Name(Verdicts[k].Outcome)}, absent from the run"));
        foreach (var (key, verdict) in Verdicts)
        {
            problems.AddRange(verdict.Unexplained().Select(missing => $"{key}: the expected {Name(verdict.Outcome)} lacks {missing}"));
        }

        return problems;
    }

    /// <summary>The file updated to the run: annotations kept where the outcome is unchanged, TODO where a reviewer must write them.</summary>
    public static ExpectedVerdicts FromRun(RunFile run, ExpectedVerdicts? previous, string provider, string version, string profile)
    {
        var verdicts = new Dictionary<string, ExpectedVerdict>(StringComparer.Ordinal);
        var clauses = run.Checks.GroupBy(VerdictKeys.Of)
            .ToDictionary(g => g.Key, g => string.Join("; ", g.First().Specs.Select(spec => spec.Reference)), StringComparer.Ordinal);
        foreach (var (key, (outcome, message)) in Observed(run))
        {
            if (previous?.Verdicts.TryGetValue(key, out var old) == true && old.Outcome == outcome)
            {
                verdicts[key] = old;
                continue;
            }

            verdicts[key] = outcome switch
            {
                Outcome.Pass => new ExpectedVerdict(outcome),
                // The clause starts as the check's own citation; what the provider does is a reviewer's sentence.
                Outcome.Fail or Outcome.Warning => new ExpectedVerdict(outcome) { Clause = clauses.GetValueOrDefault(key, Todo), Deviation = Todo, Evidence = message },
                _ => new ExpectedVerdict(outcome) { Reason = message },
            };
        }

        return new ExpectedVerdicts(previous?.Provider ?? provider, previous?.Version ?? version, previous?.Profile ?? profile, verdicts);
    }

    /// <summary>Verdicts per outcome, for the README's "Proven against" table.</summary>
    public string Counts() =>
        string.Join(", ", Enum.GetValues<Outcome>().Select(o => $"{Verdicts.Values.Count(v => v.Outcome == o)} {Name(o)}"));

    public static string Name(Outcome outcome) => JsonNamingPolicy.KebabCaseLower.ConvertName(outcome.ToString());
}

/// <param name="Outcome">pass, fail, warning, not-applicable or inconclusive.</param>
public sealed record ExpectedVerdict(Outcome Outcome)
{
    /// <summary>For a fail or warning: the clause the provider breaks (e.g. "RFC 6749 §5.1").</summary>
    public string? Clause { get; init; }

    /// <summary>For a fail or warning: what the provider does, as a security reviewer would report it.</summary>
    public string? Deviation { get; init; }

    /// <summary>For a fail or warning: what the server answered (redacted), or where the exchange is.</summary>
    public string? Evidence { get; init; }

    /// <summary>For not applicable or inconclusive: the missing feature, or why the rule could not be reached.</summary>
    public string? Reason { get; init; }

    /// <summary>The annotations this verdict still needs.</summary>
    public IEnumerable<string> Unexplained()
    {
        static bool Missing(string? text) => string.IsNullOrWhiteSpace(text) || text.Trim() == ExpectedVerdicts.Todo;
        if (Outcome is Outcome.Fail or Outcome.Warning)
        {
            if (Missing(Clause)) yield return "the clause it breaks";
            if (Missing(Deviation)) yield return "what the provider does";
            if (Missing(Evidence)) yield return "the evidence";
        }
        else if (Outcome is Outcome.NotApplicable or Outcome.Inconclusive && Missing(Reason))
        {
            yield return "a reason";
        }
    }
}
