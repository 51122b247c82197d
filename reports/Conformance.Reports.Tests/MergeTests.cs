using Conformance.Harness.Checks;
using Conformance.Harness.Results;

namespace Conformance.Reports.Tests;

public sealed class MergeTests
{
    [Test]
    public void Runs_of_two_targets_stay_side_by_side_and_servers_are_named_with_their_target()
    {
        var data = ReportData.Merge([Samples.Run("acme"), Samples.Run("globex", "https://login.globex.test", "20260302T093000Z-bbbb")]);

        data.Targets.Select(t => t.Name).Should().Equal("acme", "globex");
        data.MultiTarget.Should().BeTrue();
        data.Checks.Should().HaveCount(2 * Samples.Run().Checks.Count);
        data.ServerLabel("globex", "default").Should().Be("globex / default");
        data.Flows.Should().HaveCount(4);
    }

    [Test]
    public void Shards_of_one_suite_merge_into_one_target()
    {
        var full = Samples.Run();
        var shardA = full with { RunId = "shard-a", Checks = full.Checks.Where(c => c.Server == "default").ToList(), Flows = [] };
        var shardB = full with { RunId = "shard-b", StartedAt = full.StartedAt.AddMinutes(1), Checks = full.Checks.Where(c => c.Server != "default").ToList() };

        var data = ReportData.Merge([shardB, shardA]);

        data.Targets.Should().ContainSingle().Which.Runs.Select(r => r.RunId).Should().Equal("shard-a", "shard-b");
        data.Checks.Should().HaveCount(full.Checks.Count);
        data.Notes.Should().BeEmpty();
        data.ServerLabel("acme", "default").Should().Be("default");
        Gate.Evaluate(data, [], new GateOptions()).Problems.Select(p => p.Subject).Should().Contain(["REV-01", "DISC-02"]);
    }

    [Test]
    public void A_result_present_in_two_runs_keeps_the_worse_verdict_and_says_so()
    {
        var first = Samples.Run();
        var rerun = first with
        {
            RunId = "rerun",
            Checks = first.Checks.Select(c => c.Id == "REV-01" && c.Server == "default" ? c with { Outcome = Outcome.Pass } : c).ToList(),
        };

        var data = ReportData.Merge([first, rerun]);

        data.Checks.Single(c => c.Result.Id == "REV-01" && c.Result.Server == "default").Result.Outcome.Should().Be(Outcome.Fail);
        data.Notes.Should().Contain(n => n.Contains("REV-01 on acme/default", StringComparison.Ordinal) && n.Contains("keeps fail", StringComparison.Ordinal));
    }

    [Test]
    public void One_profile_name_on_two_tenants_is_two_targets()
    {
        var data = ReportData.Merge([Samples.Run("okta", "https://a.okta.test"), Samples.Run("okta", "https://b.okta.test", "run-b")]);

        data.Targets.Select(t => t.Name).Should().Equal("okta @ a.okta.test", "okta @ b.okta.test");
    }

    [Test]
    public void Merged_runs_render_one_report_with_both_targets()
    {
        var out1 = Directory.CreateTempSubdirectory("merge-").FullName;
        var a = Path.Combine(out1, "a", "results.json");
        var b = Path.Combine(out1, "b", "results.json");
        Samples.Run("acme").Write(a);
        Samples.Run("globex", "https://login.globex.test", "run-globex").Write(b);

        using var log = new StringWriter();
        var code = Program.Run(["report", "--results", a, "--results", b, "--out", Path.Combine(out1, "report"), "--no-pdf", "--no-allure-render"], log, log);

        code.Should().Be(1, log.ToString());
        var html = File.ReadAllText(Path.Combine(out1, "report", RunReports.HtmlFile));
        html.Should().Contain("globex / default").And.Contain("acme / second").And.Contain("run-globex");
        Directory.GetFiles(Path.Combine(out1, "report", RunReports.AllureResultsDirectory), "*-result.json").Should().HaveCount(2 * (Samples.Run().Checks.Count + Samples.Run().Flows.Count));
        File.ReadAllText(Path.Combine(out1, "report", RunReports.GateTextFile)).Should().Contain("REV-01 on acme / default").And.Contain("REV-01 on globex / default");
    }

    [Test]
    public void A_results_file_round_trips_through_json()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("roundtrip-").FullName, "results.json");
        Samples.Run().Write(path);

        var read = RunFile.Read(path);

        read.Checks.Should().HaveCount(Samples.Run().Checks.Count);
        read.Checks.First(c => c.Id == "PKCE-01").Tokens.Should().HaveCount(2);
    }
}
