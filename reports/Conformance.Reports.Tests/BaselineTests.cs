using System.Text.Json;
using Conformance.Harness.Checks;
using Conformance.Harness.Results;

namespace Conformance.Reports.Tests;

/// <summary>The gate against a baseline: what failed anew or is no longer tested fails it; what was fixed or is newly tested is reported.</summary>
public sealed class BaselineTests
{
    private static readonly DateOnly Today = new(2026, 3, 2);

    /// <summary>The sample run's own failures, waived, so what is left of the gate is the baseline's doing.</summary>
    private static readonly Waiver[] Known = [W("REV-01", "default"), W("DISC-02", null), W("Implicit(second,form)", "second")];

    private static Waiver W(string check, string? server, string expires = "2026-06-30", string reason = "vendor ticket 4711") =>
        new(check, server, null, reason, DateOnly.Parse(expires, System.Globalization.CultureInfo.InvariantCulture));

    private static RunFile With(RunFile run, string id, string? server, Outcome outcome, string? message = null, string? observed = null) => run with
    {
        Checks = run.Checks.Select(c => c.Id == id && c.Server == server ? c with { Outcome = outcome, Message = message ?? c.Message, Observed = observed ?? c.Observed } : c).ToList(),
    };

    private static GateVerdict Judge(RunFile now, RunFile before, IEnumerable<Waiver> waivers, out string log)
    {
        using var writer = new StringWriter();
        var verdict = RunReports.Judge([now], new ReportOptions
        {
            Waivers = waivers.ToList(),
            Baseline = [new BaselineFile("last-night/results.json", before)],
            Gate = new GateOptions { Today = Today },
            Log = writer,
        });
        log = writer.ToString();
        return verdict;
    }

    [TestCase(Outcome.Pass, Outcome.Fail, BaselineChangeKind.NewFailure)]
    [TestCase(Outcome.Warning, Outcome.Fail, BaselineChangeKind.NewFailure)]
    [TestCase(Outcome.NotApplicable, Outcome.Fail, BaselineChangeKind.NewFailure)]
    [TestCase(Outcome.Inconclusive, Outcome.Fail, BaselineChangeKind.NewFailure)]
    [TestCase(null, Outcome.Fail, BaselineChangeKind.NewFailure)]
    [TestCase(Outcome.Fail, Outcome.Pass, BaselineChangeKind.FixedFailure)]
    [TestCase(Outcome.Fail, Outcome.Inconclusive, BaselineChangeKind.FixedFailure)]
    [TestCase(Outcome.Fail, null, BaselineChangeKind.FixedFailure)]
    [TestCase(Outcome.Pass, Outcome.Inconclusive, BaselineChangeKind.CoverageLost)]
    [TestCase(Outcome.Pass, Outcome.NotApplicable, BaselineChangeKind.CoverageLost)]
    [TestCase(Outcome.Pass, null, BaselineChangeKind.CoverageLost)]
    [TestCase(Outcome.Inconclusive, Outcome.Pass, BaselineChangeKind.NewCoverage)]
    [TestCase(Outcome.NotApplicable, Outcome.Pass, BaselineChangeKind.NewCoverage)]
    [TestCase(null, Outcome.Pass, BaselineChangeKind.NewCoverage)]
    [TestCase(Outcome.Pass, Outcome.Pass, null)]
    [TestCase(Outcome.Fail, Outcome.Fail, null)]
    [TestCase(Outcome.Pass, Outcome.Warning, null)]
    [TestCase(Outcome.Warning, Outcome.Pass, null)]
    [TestCase(Outcome.Inconclusive, Outcome.NotApplicable, null)]
    [TestCase(Outcome.NotApplicable, null, null)]
    public void Each_move_of_a_verdict_is_classified(Outcome? before, Outcome? now, BaselineChangeKind? kind) =>
        Baseline.Classify(before, now).Should().Be(kind);

    /// <summary>A target that tolerates one inconclusive verdict (options.maxInconclusive), so only the baseline judges the lost coverage.</summary>
    private static RunFile Tolerant(RunFile run) => run with { Target = run.Target with { MaxInconclusive = 1 } };

    [Test]
    public void A_check_that_passed_in_the_baseline_and_is_inconclusive_now_fails_the_gate_with_coverage_lost()
    {
        var before = Samples.Run();
        var now = Tolerant(With(before, "PKCE-01", "default", Outcome.Inconclusive, "the login did not complete: the form had no password field"));
        Gate.Evaluate(ReportData.Merge([now]), Known, new GateOptions { Today = Today }).Passed.Should().BeTrue("without a baseline, the target's tolerance accepts one inconclusive verdict");

        var verdict = Judge(now, before, Known, out var log);

        verdict.Passed.Should().BeFalse(log);
        var lost = verdict.Problems.Should().ContainSingle().Which;
        lost.Kind.Should().Be(GateProblemKind.CoverageLost);
        lost.ToString().Should().Be("coverage lost: PKCE-01 on default: pass → inconclusive (\"the login did not complete: the form had no password field\")");
        log.Should().Contain("✗ coverage lost: PKCE-01 on default")
            .And.Contain("Compared with baseline last-night/results.json (run 20260302T093000Z-aaaa, 2026-03-02 09:30 UTC): 0 new failures, 1 coverage lost, 0 fixed failures, 0 new coverage; 12 verdicts compared");
    }

    [Test]
    public void A_waiver_for_the_check_accepts_lost_coverage_and_the_summary_says_which()
    {
        var before = Samples.Run();
        var now = With(before, "PKCE-01", "default", Outcome.Inconclusive, "the login did not complete");

        var verdict = Judge(now, before, [.. Known, W("PKCE-01", "default", reason: "login page redesign, IDP-77")], out var log);

        verdict.Passed.Should().BeTrue(log);
        log.Should().Contain("coverage lost: PKCE-01 on default: pass → inconclusive (\"the login did not complete\"); accepted by the waiver PKCE-01 (server default, expires 2026-06-30) (\"login page redesign, IDP-77\")");
    }

    [Test]
    public void A_new_failure_fails_the_gate_beside_the_failure_itself_and_a_waiver_accepts_both_until_it_expires()
    {
        var before = Samples.Run();
        var now = With(before, "REV-01", "second", Outcome.Fail, observed: "refresh: HTTP 200, token_type Bearer");

        var red = Judge(now, before, Known, out _);

        red.Problems.Select(p => (p.Kind, p.Subject, p.Where)).Should().BeEquivalentTo(new[]
        {
            (GateProblemKind.MustFailure, "REV-01", "second"),
            (GateProblemKind.NewFailure, "REV-01", "second"),
        });
        red.Problems.Single(p => p.Kind == GateProblemKind.NewFailure).ToString().Should().Be("new failure: REV-01 on second: pass → fail (\"refresh: HTTP 200, token_type Bearer\")");

        Judge(now, before, [.. Known, W("REV-01", "second")], out var green).Passed.Should().BeTrue(green);

        var expired = Judge(now, before, [.. Known, W("REV-01", "second", expires: "2026-03-01")], out var log);
        expired.Problems.Select(p => p.Kind).Should().BeEquivalentTo([GateProblemKind.ExpiredWaiver, GateProblemKind.MustFailure, GateProblemKind.NewFailure], log);
    }

    [Test]
    public void Fixed_failures_and_new_coverage_are_reported_and_do_not_fail_the_gate()
    {
        var before = Samples.Run();
        var now = With(With(With(before, "REV-01", "default", Outcome.Pass), "AUTHN-05", null, Outcome.Pass), "CC-01", "second", Outcome.Pass);

        var verdict = Judge(now, before, [W("DISC-02", null), W("Implicit(second,form)", "second")], out var log);

        verdict.Passed.Should().BeTrue(log);
        log.Should().Contain("0 new failures, 0 coverage lost, 1 fixed failure, 2 new coverage; 12 verdicts compared")
            .And.Contain("fixed failure: REV-01 on default: fail → pass")
            .And.Contain("new coverage: AUTHN-05 on (target-wide): inconclusive → pass")
            .And.Contain("new coverage: CC-01 on second: not applicable → pass");
    }

    [Test]
    public void A_flow_counts_like_a_check_and_a_verdict_that_appears_or_vanishes_is_compared_with_absent()
    {
        var before = Samples.Run();
        var now = before with
        {
            Checks = before.Checks.Where(c => !(c.Id == "PKCE-01" && c.Server == "second"))
                .Append(Samples.Check("PAR-01", "par", "The PAR endpoint MUST refuse an unauthenticated client.", RequirementLevel.Must, Severity.High, "default", Outcome.Fail, observed: "HTTP 201"))
                .ToList(),
            Flows = before.Flows.Where(f => !f.Name.StartsWith("Implicit", StringComparison.Ordinal))
                .Select(f => f with { Outcome = Outcome.Fail, Message = "the callback carried no code\n   at AuthorizationCodeTests.cs:42" }).ToList(),
        };

        var comparison = Baseline.Compare(ReportData.Merge([now]), [new BaselineFile("b.json", before)], [], Today)!;

        comparison.Changes.Select(c => c.ToString()).Should().Equal(
            "new failure: PAR-01 on default: absent → fail (\"HTTP 201\")",
            "new failure: AuthorizationCode(default,form) on default: pass → fail (\"the callback carried no code\")",
            "coverage lost: PKCE-01 on second: pass → absent (no verdict in this run)",
            "fixed failure: Implicit(second,form) on second: fail → absent (no verdict in this run)");
        comparison.Problems.Select(p => (p.Kind, p.Subject)).Should().Equal(
            (GateProblemKind.NewFailure, "PAR-01"), (GateProblemKind.NewFailure, "AuthorizationCode(default,form)"), (GateProblemKind.CoverageLost, "PKCE-01"));
        comparison.Compared.Should().Be(13);
    }

    [Test]
    public void A_baseline_of_another_target_is_an_error_naming_the_file_and_both_targets()
    {
        var data = ReportData.Merge([Samples.Run("acme")]);
        var globex = new BaselineFile("globex/results.json", Samples.Run("globex", "https://login.globex.test"));

        var compare = () => Baseline.Compare(data, [globex], []);
        var require = () => Baseline.RequireTarget([globex], "acme");

        compare.Should().Throw<BaselineException>().Which.Message.Should()
            .Be("baseline globex/results.json: a run of target 'globex', but this run is of 'acme'; a baseline must be an earlier run of the same target (profile name)");
        require.Should().Throw<BaselineException>().Which.Message.Should().Contain("globex/results.json").And.Contain("'acme'");
    }

    [Test]
    public void In_a_merged_run_each_target_is_compared_with_its_own_baseline_and_one_without_is_named()
    {
        var acme = Samples.Run("acme");
        var globex = Samples.Run("globex", "https://login.globex.test", "20260302T093000Z-bbbb");
        var now = ReportData.Merge([With(acme, "PKCE-01", "default", Outcome.Inconclusive), With(globex, "PKCE-01", "default", Outcome.Inconclusive)]);

        var comparison = Baseline.Compare(now, [new BaselineFile("acme.json", acme)], [])!;

        comparison.Targets.Should().Equal("acme");
        comparison.NotCompared.Should().Equal("globex: the baseline has no run of this target");
        comparison.Changes.Should().ContainSingle().Which.Where.Should().Be("acme / default");
    }

    [Test]
    public void A_missing_or_unreadable_baseline_is_an_error_naming_the_path()
    {
        var dir = Directory.CreateTempSubdirectory("baseline-load-").FullName;
        var broken = Path.Combine(dir, "broken.json");
        File.WriteAllText(broken, "{ not json");

        var missing = () => Baseline.Load([Path.Combine(dir, "gone.json")]);
        var unreadable = () => Baseline.Load([broken]);
        var empty = () => Baseline.Load([dir]);

        missing.Should().Throw<BaselineException>().Which.Message.Should().Be($"baseline {Path.Combine(dir, "gone.json")}: no such file or directory");
        unreadable.Should().Throw<BaselineException>().Which.Message.Should().StartWith($"baseline {broken} is not a results file");
        empty.Should().Throw<BaselineException>().Which.Message.Should().Be($"baseline {dir}: no results.json under this directory");
    }

    [Test]
    public void The_cli_takes_baselines_and_exits_2_naming_a_missing_one()
    {
        var dir = Directory.CreateTempSubdirectory("baseline-cli-").FullName;
        var before = Samples.Run();
        Directory.CreateDirectory(Path.Combine(dir, "now"));
        Directory.CreateDirectory(Path.Combine(dir, "before"));
        With(before, "PKCE-01", "default", Outcome.Inconclusive, "the login did not complete").Write(Path.Combine(dir, "now", "results.json"));
        before.Write(Path.Combine(dir, "before", "results.json"));
        Samples.Run("globex", "https://login.globex.test").Write(Path.Combine(dir, "globex.json"));
        var waivers = Path.Combine(dir, "waivers.json");
        File.WriteAllText(waivers, """
            [ { "check": "REV-01", "server": "default", "reason": "r", "expires": "2026-12-31" },
              { "check": "DISC-02", "reason": "r", "expires": "2026-12-31" },
              { "check": "Implicit(second,form)", "reason": "r", "expires": "2026-12-31" } ]
            """);

        int Run(out string output, out string error, params string[] args)
        {
            using var stdout = new StringWriter();
            using var stderr = new StringWriter();
            var code = Program.Run(args, stdout, stderr);
            (output, error) = (stdout.ToString(), stderr.ToString());
            return code;
        }

        string[] Gate(string baseline) => ["gate", "--results", Path.Combine(dir, "now"), "--waivers", waivers, "--today", "2026-03-02", "--baseline", baseline];

        Run(out var red, out _, Gate(Path.Combine(dir, "before"))).Should().Be(1);
        red.Should().Contain("coverage lost: PKCE-01 on default: pass → inconclusive").And.Contain("Compared with baseline");

        var missing = Path.Combine(dir, "last-night", "results.json");
        Run(out _, out var error, Gate(missing)).Should().Be(2);
        error.Should().Contain($"baseline {missing}: no such file or directory").And.NotContain("   at ");

        var report = Path.Combine(dir, "out");
        Run(out _, out error, ["report", "--results", Path.Combine(dir, "now"), "--out", report, "--baseline", missing]).Should().Be(2);
        error.Should().Contain(missing);
        Directory.Exists(report).Should().BeFalse("nothing is written over an invalid baseline");

        Run(out _, out error, Gate(Path.Combine(dir, "globex.json"))).Should().Be(2);
        error.Should().Contain("a run of target 'globex', but this run is of 'acme'");
    }

    [Test]
    public void The_comparison_is_in_gate_txt_gate_json_and_the_review_with_the_target_s_text_escaped()
    {
        var dir = Directory.CreateTempSubdirectory("baseline-report-").FullName;
        var before = Samples.Run();
        var now = Tolerant(With(before, "PKCE-01", "default", Outcome.Inconclusive, "the login page said <b>denied</b>"));
        using var log = new StringWriter();

        var verdict = RunReports.Write([now], dir, new ReportOptions
        {
            Waivers = Known,
            Baseline = [new BaselineFile("last-night/results.json", before)],
            Gate = new GateOptions { Today = Today },
            Pdf = false,
            AllureResults = false,
            Log = log,
        });

        verdict.Passed.Should().BeFalse();
        var text = File.ReadAllText(Path.Combine(dir, RunReports.GateTextFile));
        text.Should().Contain("✗ coverage lost: PKCE-01 on default: pass → inconclusive (\"the login page said <b>denied</b>\")")
            .And.Contain("  Compared with baseline last-night/results.json (run 20260302T093000Z-aaaa, 2026-03-02 09:30 UTC): 0 new failures, 1 coverage lost");
        log.ToString().Should().Contain("Compared with baseline");

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, RunReports.GateJsonFile)));
        var baseline = json.RootElement.GetProperty("baseline");
        baseline.GetProperty("counts").GetProperty("coverageLost").GetInt32().Should().Be(1);
        baseline.GetProperty("files")[0].GetProperty("runId").GetString().Should().Be("20260302T093000Z-aaaa");
        var change = baseline.GetProperty("changes").EnumerateArray().Should().ContainSingle().Which;
        (change.GetProperty("kind").GetString(), change.GetProperty("key").GetString(), change.GetProperty("before").GetString(), change.GetProperty("now").GetString(), change.GetProperty("gating").GetBoolean())
            .Should().Be(("coverage lost", "PKCE-01(default)", "pass", "inconclusive", true));
        json.RootElement.GetProperty("problems")[0].GetProperty("kind").GetString().Should().Be("coverage lost");

        var html = File.ReadAllText(Path.Combine(dir, RunReports.HtmlFile));
        html.Should().Contain("<h3 id=\"baseline\">Compared with the baseline</h3>").And.Contain("1 coverage lost")
            .And.Contain("the login page said &lt;b&gt;denied&lt;/b&gt;").And.NotContain("said <b>denied</b>");
    }
}
