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
    public async Task Rule(string id, string? server)
    {
        var check = Conformance.Checks.Catalogue.Get(id);
        var result = await TargetRun.Checks.RunAsync(check, server is null ? null : TargetRun.Target.Server(server)).ConfigureAwait(false);
        var evidence = Evidence.Write(TestContext.CurrentContext.Test.FullName, result.Exchanges);
        TargetRun.Results.Add(result, evidence is null ? [] : [evidence]);
        var waiver = result.Outcome == Outcome.Fail ? WaiversFile.Covering(TargetRun.Waivers, id, server, TargetRun.Target.Profile.Name) : null;
        Verdicts.Apply(result, Verdicts.Message(result, evidence, waiver), waived: waiver is not null);
    }
}
