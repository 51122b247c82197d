using Conformance.Harness.Checks;
using Conformance.Harness.Results;

namespace Conformance.Reports.Tests;

/// <summary>scripts/repeat.sh's comparison: the verdicts that were not the same in every run, and only those.</summary>
public sealed class RepeatabilityTests
{
    private static RunFile With(RunFile run, string id, string server, Outcome outcome, string message) =>
        run with { Checks = run.Checks.Select(c => c.Id == id && c.Server == server ? c with { Outcome = outcome, Message = message } : c).ToList() };

    [Test]
    public void Identical_runs_differ_in_nothing()
    {
        Repeatability.Compare([Samples.Run(), Samples.Run(runId: "b"), Samples.Run(runId: "c")]).Should().BeEmpty();
    }

    [Test]
    public void A_verdict_that_changed_in_one_run_is_listed_with_its_outcome_in_every_run_and_the_message()
    {
        var changed = With(Samples.Run(runId: "b"), "PKCE-01", "default", Outcome.Inconclusive, "the one-time code for 'bob' was refused");
        var absent = Samples.Run(runId: "c") with { Flows = [] };

        var differences = Repeatability.Compare([Samples.Run(), changed, absent]);

        differences.Select(d => d.Key).Should().Equal("PKCE-01(default)", "flow:authorization-code/AuthorizationCode(default,form)", "flow:implicit/Implicit(second,form)");
        differences[0].Outcomes.Should().Equal(Outcome.Pass, Outcome.Inconclusive, Outcome.Pass);
        differences[0].Messages[1].Should().Be("the one-time code for 'bob' was refused");
        differences[1].Outcomes.Should().Equal(Outcome.Pass, Outcome.Pass, null);
    }

    [Test]
    public void The_differ_command_exits_0_1_or_2_and_prints_each_difference()
    {
        var dir = Directory.CreateTempSubdirectory("differ-").FullName;
        Samples.Run().Write(Path.Combine(dir, "a.json"));
        With(Samples.Run(), "REV-01", "default", Outcome.Pass, "fixed").Write(Path.Combine(dir, "b.json"));
        using var output = new StringWriter();
        using var error = new StringWriter();

        Program.Run(["differ", "--results", Path.Combine(dir, "a.json"), "--results", Path.Combine(dir, "a.json")], output, error).Should().Be(0);
        Program.Run(["differ", "--results", Path.Combine(dir, "a.json"), "--results", Path.Combine(dir, "b.json")], output, error).Should().Be(1);
        Program.Run(["differ", "--results", Path.Combine(dir, "a.json"), "--results", Path.Combine(dir, "missing.json")], output, error).Should().Be(2);

        output.ToString().Should().Contain("2 runs of acme, 12 verdicts each: 0 verdicts differ").And.Contain("1 verdict differs").And.Contain("  REV-01(default): fail / pass");
        error.ToString().Should().Contain("missing.json");
    }
}
