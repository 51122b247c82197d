using Conformance.Harness.Checks;
using Conformance.Harness.Results;

namespace Conformance.Reports.Tests;

/// <summary>The expected-verdicts file of an independent provider: any drift, either way, and any missing annotation fails.</summary>
[TestFixture]
public sealed class ExpectedVerdictsTests
{
    private static ExpectedVerdicts Annotated(RunFile run) =>
        Annotate(ExpectedVerdicts.FromRun(run, null, "Provider", "1.0", "fixtures/profiles/p.json"));

    /// <summary>What a reviewer does after --write: fills in every TODO.</summary>
    private static ExpectedVerdicts Annotate(ExpectedVerdicts file) => file with
    {
        Verdicts = file.Verdicts.ToDictionary(v => v.Key, v => v.Value.Unexplained().Any()
            ? v.Value with { Clause = "RFC 6749 §5.2", Deviation = "answers 400 with no error", Evidence = "HTTP 400", Reason = "no revocation endpoint" }
            : v.Value),
    };

    [Test]
    public void A_run_that_matches_the_file_has_no_drift()
    {
        var run = Samples.Run();

        Annotated(run).Compare(run).Should().BeEmpty();
    }

    [Test]
    public void Every_verdict_is_keyed_by_check_and_server_or_flow_and_its_case()
    {
        var keys = ExpectedVerdicts.Observed(Samples.Run()).Keys.ToList();

        keys.Should().Contain("PKCE-01(default)");
        keys.Should().HaveCount(Samples.Run().Checks.Count + Samples.Run().Flows.Count, "no two verdicts share a key");
    }

    [Test]
    public void A_new_failure_and_a_fixed_one_are_both_drift()
    {
        var run = Samples.Run();
        var expected = Annotated(run);
        var passing = run.Checks.First(c => c.Outcome == Outcome.Pass);
        var failing = run.Checks.First(c => c.Outcome == Outcome.Fail);
        var drifted = run with
        {
            Checks = run.Checks.Select(c => c == passing ? c with { Outcome = Outcome.Fail } : c == failing ? c with { Outcome = Outcome.Pass } : c).ToList(),
        };

        var drift = expected.Compare(drifted);

        drift.Should().HaveCount(2);
        drift.Should().Contain(d => d.StartsWith($"{passing.Id}({passing.Server})", StringComparison.Ordinal) && d.Contains("expected pass, the run gave fail", StringComparison.Ordinal));
        drift.Should().Contain(d => d.StartsWith($"{failing.Id}({failing.Server})", StringComparison.Ordinal) && d.Contains("expected fail, the run gave pass", StringComparison.Ordinal));
    }

    [Test]
    public void Lost_coverage_and_vanished_or_unlisted_verdicts_are_drift()
    {
        var run = Samples.Run();
        var expected = Annotated(run);
        var passing = run.Checks.First(c => c.Outcome == Outcome.Pass);
        var extra = passing with { Id = "NEW-01" };
        var changed = run with
        {
            Checks = run.Checks.Where(c => c != run.Checks[^1]).Select(c => c == passing ? c with { Outcome = Outcome.Inconclusive } : c).Append(extra).ToList(),
        };

        var drift = expected.Compare(changed);

        drift.Should().Contain(d => d.Contains("expected pass, the run gave inconclusive", StringComparison.Ordinal));
        drift.Should().Contain(d => d.Contains("absent from the run", StringComparison.Ordinal));
        drift.Should().Contain(d => d.StartsWith($"NEW-01({passing.Server})", StringComparison.Ordinal) && d.Contains("not in the expected file", StringComparison.Ordinal));
    }

    [Test]
    public void An_expected_failure_without_its_clause_deviation_and_evidence_is_refused()
    {
        var run = Samples.Run();
        var written = ExpectedVerdicts.FromRun(run, null, "Provider", "1.0", "p.json");

        var problems = written.Compare(run);

        var failing = run.Checks.First(c => c.Outcome == Outcome.Fail);
        written.Verdicts[$"{failing.Id}({failing.Server})"].Clause.Should().Be(string.Join("; ", failing.Specs.Select(s => s.Reference)), "the check's own citation is the starting point");
        problems.Should().Contain($"{failing.Id}({failing.Server}): the expected fail lacks what the provider does");
    }

    [Test]
    public void Rewriting_keeps_the_annotations_of_unchanged_verdicts_and_marks_changed_ones_todo()
    {
        var run = Samples.Run();
        var expected = Annotated(run);
        var failing = run.Checks.First(c => c.Outcome == Outcome.Fail);
        var passing = run.Checks.First(c => c.Outcome == Outcome.Pass);
        var next = run with { Checks = run.Checks.Select(c => c == passing ? c with { Outcome = Outcome.Warning } : c).ToList() };

        var rewritten = ExpectedVerdicts.FromRun(next, expected, "ignored", "ignored", "ignored");

        rewritten.Provider.Should().Be("Provider");
        rewritten.Verdicts[$"{failing.Id}({failing.Server})"].Clause.Should().Be("RFC 6749 §5.2");
        rewritten.Verdicts[$"{passing.Id}({passing.Server})"].Deviation.Should().Be(ExpectedVerdicts.Todo);
    }

    [Test]
    public void The_file_round_trips_with_sorted_keys()
    {
        var expected = Annotated(Samples.Run());
        var path = Path.Combine(Path.GetTempPath(), $"expected-{Guid.NewGuid():N}.json");
        try
        {
            expected.Write(path);
            var read = ExpectedVerdicts.Read(path);

            read.Verdicts.Keys.Should().BeEquivalentTo(expected.Verdicts.Keys);
            read.Compare(Samples.Run()).Should().BeEmpty();
            File.ReadAllText(path).Should().Contain("\"outcome\": \"not-applicable\"");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
