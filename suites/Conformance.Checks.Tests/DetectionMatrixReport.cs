using System.Text;
using Conformance.Harness.Checks;
using Conformance.ReferenceIssuer;

namespace Conformance.Checks.Tests;

/// <summary>Markdown for the detection matrix: per fault what it tripped, per check what proves it.</summary>
internal static class DetectionMatrixReport
{
    public static string Markdown(IReadOnlyDictionary<string, IReadOnlyList<CheckResult>> results)
    {
        var text = new StringBuilder();
        text.AppendLine("# Detection matrix").AppendLine();
        text.AppendLine($"{Catalogue.All.Count} checks, {results.Count - 1} fault profiles of the reference issuer. A fault is meant to trip the checks listed for it and nothing else.").AppendLine();

        var conformant = results[DetectionMatrix.Conformant];
        text.AppendLine("## Conformant issuer").AppendLine();
        foreach (var group in conformant.GroupBy(r => r.Outcome).OrderBy(g => g.Key))
        {
            text.AppendLine($"- {group.Key}: {group.Count()}");
        }

        foreach (var r in conformant.Where(r => r.Outcome is not (Outcome.Pass or Outcome.NotApplicable)))
        {
            text.AppendLine($"  - {r}");
        }

        text.AppendLine().AppendLine("## Faults").AppendLine();
        text.AppendLine("| fault | meant to trip | tripped | verdict | inconclusive under it |").AppendLine("|---|---|---|---|---|");
        foreach (var (fault, faultResults) in results.Where(r => r.Key != DetectionMatrix.Conformant).OrderBy(r => r.Key, StringComparer.Ordinal))
        {
            var intended = Faults.Trips.GetValueOrDefault(fault) ?? new HashSet<string>();
            var tripped = DetectionMatrix.Tripped(faultResults);
            var missed = intended.Except(tripped).Order().ToList();
            var extra = tripped.Except(intended).Order().ToList();
            var verdict = intended.Count == 0 ? "no check planned"
                : missed.Count > 0 ? "MISSED " + string.Join(", ", missed)
                : extra.Count > 0 ? "caught, also tripped " + string.Join(", ", extra)
                : "caught";
            var inconclusive = faultResults.Where(r => r.Outcome == Outcome.Inconclusive).Select(r => r.Definition.Id).Distinct().Order();
            text.AppendLine($"| `{fault}` | {string.Join(", ", intended.Order())} | {string.Join(", ", tripped.Order())} | {verdict} | {string.Join(", ", inconclusive)} |");
        }

        text.AppendLine().AppendLine("## Checks").AppendLine();
        text.AppendLine("| check | level | proven by |").AppendLine("|---|---|---|");
        foreach (var check in Catalogue.All)
        {
            var provers = results.Where(r => r.Key != DetectionMatrix.Conformant && DetectionMatrix.Tripped(r.Value).Contains(check.Definition.Id))
                .Select(r => $"`{r.Key}`").Order().ToList();
            text.AppendLine($"| {check.Definition.Id} | {check.Definition.Level.ToString().ToUpperInvariant()} | {(provers.Count == 0 ? "**nothing**" : string.Join(", ", provers))} |");
        }

        return text.ToString();
    }
}
