using System.Text;
using Conformance.Checks;
using Conformance.Harness.Checks;
using Conformance.Reports;
using Conformance.Suites.Run;

namespace Conformance.Suites.Catalogue;

/// <summary>
/// The rule catalogue as NUnit tests: one test per check and server, named by the check id, with categories
/// for area, level, severity and server. The verdict comes from the harness's <see cref="CheckRunner"/>.
/// </summary>
[TestFixture]
[Category("catalogue")]
public sealed class CatalogueTests
{
    public static IEnumerable<TestCaseData> Cases()
    {
        foreach (var check in Conformance.Checks.Catalogue.All)
        {
            var d = check.Definition;
            var servers = d.PerTarget ? [null] : Servers.Names.Cast<string?>();
            foreach (var server in servers)
            {
                var data = new TestCaseData(d.Id, server)
                    .SetName(server is null ? d.Id : $"{d.Id}({server})")
                    .SetDescription(d.Requirement)
                    .SetCategory("area:" + d.Area)
                    .SetCategory("level:" + d.Level.ToString().ToUpperInvariant())
                    .SetCategory("severity:" + d.Severity.ToString().ToLowerInvariant());
                yield return server is null ? data : data.SetCategory("server:" + server);
            }
        }
    }

    [TestCaseSource(nameof(Cases))]
    public async Task Check(string id, string? server)
    {
        var check = Conformance.Checks.Catalogue.Get(id);
        var result = await TargetRun.Checks.RunAsync(check, server is null ? null : TargetRun.Target.Server(server)).ConfigureAwait(false);
        var evidence = Evidence.Write(TestContext.CurrentContext.Test.FullName, result.Exchanges);
        TargetRun.Results.Add(result, evidence is null ? [] : [evidence]);
        foreach (var note in result.Notes)
        {
            Say.Line("note: " + note);
        }

        var message = Describe(result, evidence);
        switch (result.Outcome)
        {
            case Outcome.Pass:
                Say.Line($"pass: {result.Check.Requirement}");
                break;
            case Outcome.Fail when WaiversFile.Covering(TargetRun.Waivers, id, server, TargetRun.Target.Profile.Name) is { } waiver:
                Assert.Warn($"waived until {waiver.Expires:yyyy-MM-dd}: {waiver.Reason}{Environment.NewLine}{message}");
                break;
            case Outcome.Fail:
                throw new PlainFailure(message);
            case Outcome.Warning:
                Assert.Warn(message);
                break;
            case Outcome.NotApplicable:
                Assert.Ignore("not applicable: " + result.Message);
                break;
            default:
                Assert.Inconclusive("inconclusive: " + result.Message);
                break;
        }
    }

    private static string Describe(CheckResult result, string? evidence)
    {
        var text = new StringBuilder();
        text.Append(result.Check.Id).Append(' ').Append(result.Check.Level.ToString().ToUpperInvariant()).Append(": ").AppendLine(result.Message);
        if (result.Expected is not null)
        {
            text.Append("  expected: ").AppendLine(result.Expected);
            text.Append("  observed: ").AppendLine(result.Observed);
        }

        text.Append("  see: ").AppendLine(string.Join(", ", result.Check.Specs.Select(s => $"{s} <{s.Link}>")));
        text.Append("  remediation: ").Append(result.Check.Remediation);
        if (result.Outcome is Outcome.Fail or Outcome.Warning && result.Exchanges.Count > 0)
        {
            // In the message itself, so every logger (console, TRX, JUnit) shows what the server answered.
            text.AppendLine().Append("  HTTP exchanges (redacted, in full in ").Append(evidence).Append("):");
            foreach (var exchange in result.Exchanges)
            {
                text.AppendLine().Append("    ").Append(exchange.Summary);
            }
        }

        return text.ToString();
    }
}
