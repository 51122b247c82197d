using Conformance.Harness.Checks;
using Conformance.ReferenceIssuer;

namespace Conformance.Checks.Tests;

/// <summary>
/// The proof that every check can fail: the conformant issuer passes the catalogue, each fault trips exactly
/// the checks meant for it, and no check is left that no fault trips.
/// </summary>
[TestFixture]
[Category("matrix")]
public class DetectionMatrixTests
{
    private static IEnumerable<TestCaseData> FaultNames() =>
        Faults.Registry.Keys.Order(StringComparer.Ordinal).Select(f => new TestCaseData(f).SetArgDisplayNames(f));

    private static IEnumerable<TestCaseData> CheckIds() =>
        Catalogue.All.Select(c => new TestCaseData(c.Definition.Id).SetArgDisplayNames(c.Definition.Id));

    [Test]
    public async Task The_conformant_issuer_breaks_no_rule_and_leaves_nothing_inconclusive()
    {
        var conformant = (await DetectionMatrix.ResultsAsync())[DetectionMatrix.Conformant];

        conformant.Where(r => r.Outcome is Outcome.Fail or Outcome.Warning or Outcome.Inconclusive)
            .Select(r => r.ToString())
            .Should().BeEmpty("the reference issuer without faults is the definition of conformant here");
        conformant.Should().Contain(r => r.Outcome == Outcome.Pass);
    }

    [TestCaseSource(nameof(FaultNames))]
    public async Task Each_fault_trips_the_checks_meant_for_it_and_no_other(string fault)
    {
        var results = (await DetectionMatrix.ResultsAsync())[fault];
        var intended = Faults.Trips[fault]; // declared by the fault itself (fixtures/ReferenceIssuer/Faults/)

        var tripped = DetectionMatrix.Tripped(results);

        intended.Except(tripped).Should().BeEmpty($"fault '{fault}' ({Faults.Registry[fault]}) must make these checks fail");
        tripped.Except(intended).Should().BeEmpty($"fault '{fault}' must break only the behaviour it names; other failing checks are findings: "
            + string.Join("; ", results.Where(r => r.Outcome is Outcome.Fail or Outcome.Warning && !intended.Contains(r.Definition.Id)).Select(r => $"{r} (observed {r.Observed})")));
        // Inconclusive is allowed here: under an unsigned ID token, say, the checks of its claims have nothing
        // trustworthy to look at. The matrix lists them so a reviewer sees where a fault hides other rules.
    }

    [TestCaseSource(nameof(CheckIds))]
    public async Task Each_check_is_caught_failing_by_at_least_one_fault(string id)
    {
        var results = await DetectionMatrix.ResultsAsync();

        var provers = results.Where(r => r.Key != DetectionMatrix.Conformant && DetectionMatrix.Tripped(r.Value).Contains(id)).Select(r => r.Key);

        provers.Should().NotBeEmpty($"a check that no fault can make fail is a defect ({id}: {Catalogue.Get(id).Definition.Requirement})");
    }
}
