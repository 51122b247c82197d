using System.Text;
using Conformance.Harness.Checks;
using Conformance.ReferenceIssuer;

namespace Conformance.Checks.Tests;

/// <summary>
/// The browsable catalogue (CATALOGUE.md at the root): every check with its id, requirement, level, severity,
/// spec and threat links, applicability, and the faults of the reference issuer planned to prove it can fail.
/// Generated from the definitions, never written by hand, so it cannot drift from what runs.
/// </summary>
internal static class CatalogueListing
{
    public const string FileName = "CATALOGUE.md";

    public static string Markdown()
    {
        var checks = Catalogue.All.Select(c => c.Definition).ToList();
        var provers = Faults.Trips
            .SelectMany(f => f.Value.Select(id => (Check: id, Fault: f.Key)))
            .ToLookup(p => p.Check, p => p.Fault);

        var text = new StringBuilder();
        text.AppendLine("# Rule catalogue").AppendLine();
        text.AppendLine("<!-- Generated from suites/Conformance.Checks by CatalogueTests.Committed_listing_is_current; do not edit by hand. -->");
        text.AppendLine("<!-- Regenerate: CONFORMANCE_WRITE_CATALOGUE=1 dotnet test suites/Conformance.Checks.Tests --filter Committed_listing_is_current -->").AppendLine();
        var levels = checks.GroupBy(d => d.Level).OrderBy(g => g.Key).Select(g => $"{g.Count()} {Upper(g.Key)}");
        text.AppendLine($"{checks.Count} checks ({string.Join(", ", levels)}) in {checks.Select(d => d.Area).Distinct().Count()} areas. " +
                        "A broken MUST fails the run; a broken SHOULD is a warning. *Proven by* names the fault profiles of the reference " +
                        "issuer that the detection matrix switches on to show the check can fail. Checks marked *invasive* could lock or " +
                        "throttle a real account and run only when the target profile sets `options.invasive`; checks marked *slow* wait minutes " +
                        "on the target and run only when it sets `options.slow` (last, one at a time); *per target* checks run once " +
                        "for the whole org instead of once per authorization server. *OAuch / OIDF* names the equivalent OAuch test " +
                        "(folder/class) and OpenID Foundation conformance-suite module, where one exists; *(partial)* marks one that covers less.").AppendLine();

        text.AppendLine("| area | checks |").AppendLine("|---|---|");
        foreach (var area in checks.GroupBy(d => d.Area).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            text.AppendLine($"| [{area.Key}](#{area.Key}) | {string.Join(", ", area.Select(d => d.Id))} |");
        }

        text.AppendLine().AppendLine(AnchorCoverage(checks));

        foreach (var area in checks.GroupBy(d => d.Area).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            text.AppendLine().AppendLine($"## {area.Key}").AppendLine();
            text.AppendLine("| id | level | severity | requirement | specification | threats | applies to | proven by | OAuch / OIDF |");
            text.AppendLine("|---|---|---|---|---|---|---|---|---|");
            foreach (var d in area)
            {
                var flags = string.Join(", ", new[] { d.Invasive ? "invasive" : null, d.Slow ? "slow" : null, d.PerTarget ? "per target" : null }.OfType<string>());
                var applies = Cell(d.Applicability) + (flags.Length > 0 ? $" *({flags})*" : "");
                var proof = provers[d.Id].Order(StringComparer.Ordinal).Select(f => $"`{f}`").ToList();
                text.AppendLine($"| {d.Id} | {Upper(d.Level)} | {d.Severity.ToString().ToLowerInvariant()} | {Cell(d.Requirement)} | {Links(d.Specs)} | {Links(d.Threats)} | {applies} | {(proof.Count == 0 ? "**nothing**" : string.Join(", ", proof))} | {Anchors(d.Anchors)} |");
            }
        }

        return text.ToString();
    }

    /// <summary>
    /// How much of the two anchor suites the catalogue covers: OAuch's 179 tests and the OpenID Foundation suite's 77
    /// OpenID Provider modules (counts as of the coverage map in shared/reference/anchor-coverage.md).
    /// </summary>
    private static string AnchorCoverage(IReadOnlyList<CheckDefinition> checks)
    {
        var oauch = checks.SelectMany(d => d.Anchors).Where(a => a.StartsWith("OAuch: ", StringComparison.Ordinal)).Select(Anchor).Distinct().Count();
        var oidf = checks.SelectMany(d => d.Anchors).Where(a => a.StartsWith("OIDF: ", StringComparison.Ordinal)).Select(Anchor).Distinct().Count();
        var anchored = checks.Count(d => d.Anchors.Count > 0);
        return $"**Anchors.** {anchored} of the {checks.Count} checks name an equivalent in the anchor suites: {oauch} distinct OAuch tests " +
               $"(of 179, 23 of which test TLS, HTTPS or certificates) and {oidf} distinct OpenID Foundation OP modules (of 77). The other checks " +
               "have no counterpart in either suite.";
    }

    /// <summary>"OAuch: Pkce/ShortVerifierTest (partial)" → "OAuch: Pkce/ShortVerifierTest".</summary>
    private static string Anchor(string anchor) => anchor.Split(" (", 2)[0];

    /// <summary>The anchor suites' equivalents, or a dash where neither suite tests the rule.</summary>
    private static string Anchors(IReadOnlyList<string> anchors) => anchors.Count == 0 ? "—" : string.Join("<br>", anchors.Select(Cell));

    private static string Upper(RequirementLevel level) => level.ToString().ToUpperInvariant();

    private static string Links(IEnumerable<SpecRef> refs) => string.Join("<br>", refs.Select(r => $"[{r}]({r.Link})"));

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");
}
