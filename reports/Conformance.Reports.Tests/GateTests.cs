using Conformance.Harness.Checks;

namespace Conformance.Reports.Tests;

public sealed class GateTests
{
    private static readonly DateOnly Today = new(2026, 3, 2);

    private static GateVerdict Judge(params Waiver[] waivers) =>
        Gate.Evaluate(ReportData.Merge([Samples.Run()]), waivers, new GateOptions { Today = Today });

    private static Waiver W(string check, string? server, string expires = "2026-06-30", string reason = "vendor ticket 4711") =>
        new(check, server, null, reason, DateOnly.Parse(expires, System.Globalization.CultureInfo.InvariantCulture));

    [Test]
    public void Without_waivers_every_MUST_failure_and_failed_flow_fails_the_gate_by_name_server_and_observation()
    {
        var verdict = Judge();

        verdict.Passed.Should().BeFalse();
        verdict.ExitCode.Should().Be(1);
        verdict.Problems.Select(p => (p.Kind, p.Subject, p.Where)).Should().BeEquivalentTo(new[]
        {
            (GateProblemKind.MustFailure, "REV-01", "default"),
            (GateProblemKind.MustFailure, "DISC-02", "second"),
            (GateProblemKind.FlowFailure, "Implicit(second,form)", "second"),
        });
        verdict.Problems.Single(p => p.Subject == "REV-01").Detail.Should().Be("observed refresh: HTTP 200, token_type Bearer; expected refresh refused with invalid_grant");
        var summary = verdict.Summary();
        summary.Should().Contain("FAILED (3 reasons)").And.Contain("MUST failure: REV-01 on default: observed refresh: HTTP 200");
        // Warnings, not applicable and inconclusive do not fail the gate by default.
        summary.Should().NotContain("AUTHZ-12 on").And.NotContain("AUTHN-05 on");
    }

    [Test]
    public void Waived_failures_do_not_fail_the_gate_and_are_listed_with_reason_and_expiry()
    {
        var verdict = Judge(W("REV-01", "default"), W("DISC-02", null), W("Implicit(second,form)", "second"));

        verdict.Passed.Should().BeTrue(verdict.Summary());
        verdict.ExitCode.Should().Be(0);
        verdict.Waived.Select(w => (w.Check, w.Where)).Should().BeEquivalentTo(new[] { ("REV-01", "default"), ("DISC-02", "second"), ("Implicit(second,form)", "second") });
        verdict.Counts.Waived.Should().Be(2);
        verdict.Summary().Should().Contain("waived fail: REV-01 on default until 2026-06-30 (vendor ticket 4711)");
    }

    [Test]
    public void A_waiver_for_one_server_does_not_cover_another()
    {
        var verdict = Judge(W("DISC-02", "default"), W("REV-01", "default"), W("Implicit(second,form)", null));

        verdict.Problems.Should().ContainSingle(p => p.Kind == GateProblemKind.MustFailure && p.Subject == "DISC-02" && p.Where == "second");
        verdict.Unused.Should().ContainSingle(u => u.Waiver.Check == "DISC-02").Which.Why.Should().Be("no such check in these results");
    }

    [Test]
    public void A_waiver_is_valid_through_its_expiry_date_and_expired_the_day_after()
    {
        Judge(W("REV-01", "default", "2026-03-02"), W("DISC-02", null), W("Implicit(second,form)", null)).Passed.Should().BeTrue();

        var verdict = Judge(W("REV-01", "default", "2026-03-01", "accepted until the March release"), W("DISC-02", null), W("Implicit(second,form)", null));

        verdict.Passed.Should().BeFalse();
        verdict.Problems.Should().HaveCount(2);
        var expired = verdict.Problems[0];
        expired.Kind.Should().Be(GateProblemKind.ExpiredWaiver);
        expired.ToString().Should().Be("expired waiver: REV-01 on server default: expired 2026-03-01 (\"accepted until the March release\"); the check still fails on default");
        // The failure it covered is back in force, and says so.
        verdict.Problems[1].Should().Match<GateProblem>(p => p.Kind == GateProblemKind.MustFailure && p.Subject == "REV-01");
    }

    [Test]
    public void A_waiver_whose_check_now_passes_is_stale_and_fails_the_gate()
    {
        var verdict = Judge(W("REV-01", "default"), W("DISC-02", null), W("Implicit(second,form)", null), W("PKCE-01", null, reason: "old PKCE bug"));

        verdict.Passed.Should().BeFalse();
        var stale = verdict.Problems.Should().ContainSingle().Which;
        stale.Kind.Should().Be(GateProblemKind.StaleWaiver);
        stale.ToString().Should().Be("stale waiver: PKCE-01 on all servers: the check now passes on default, second; remove the waiver (\"old PKCE bug\", expires 2026-06-30)");
    }

    [Test]
    public void A_waiver_of_a_check_that_was_not_applicable_is_reported_but_does_not_fail()
    {
        var verdict = Judge(W("REV-01", "default"), W("DISC-02", null), W("Implicit(second,form)", null), W("CC-01", "second"));

        verdict.Passed.Should().BeTrue();
        verdict.Unused.Should().ContainSingle().Which.Why.Should().Be("the check was not applicable");
    }

    [Test]
    public void Options_can_make_warnings_and_inconclusive_checks_fail_the_gate()
    {
        var verdict = Gate.Evaluate(ReportData.Merge([Samples.Run()]), [], new GateOptions { Today = Today, FailOnWarnings = true, FailOnInconclusive = true });

        verdict.Problems.Should().Contain(p => p.Kind == GateProblemKind.Warning && p.Subject == "AUTHZ-12" && p.Where == "default");
        verdict.Problems.Should().Contain(p => p.Kind == GateProblemKind.Inconclusive && p.Subject == "AUTHN-05" && p.Where == "(target-wide)");
    }

    [Test]
    public void Results_with_nothing_in_them_fail_the_gate()
    {
        var empty = Samples.Run() with { Checks = [], Flows = [] };

        var verdict = Gate.Evaluate(ReportData.Merge([empty]), [], new GateOptions { Today = Today });

        verdict.Problems.Should().ContainSingle(p => p.Kind == GateProblemKind.NoResults);
    }

    [Test]
    public void A_test_can_ask_which_current_waiver_covers_its_check_and_server()
    {
        Waiver[] waivers = [W("REV-01", "default"), W("DISC-02", null, "2026-03-01")];

        WaiversFile.Covering(waivers, "rev-01", "default", today: Today).Should().Be(waivers[0]);
        WaiversFile.Covering(waivers, "REV-01", "second", today: Today).Should().BeNull();
        WaiversFile.Covering(waivers, "DISC-02", "second", today: Today).Should().BeNull("that waiver expired");
    }

    [Test]
    public void A_waivers_file_is_read_with_optional_server_and_comments()
    {
        var waivers = WaiversFile.Parse("""
            // signed off by the identity team
            [
              { "check": "REV-01", "server": "default", "reason": "Okta case 01234", "expires": "2026-06-30" },
              { "check": "DISC-02", "reason": "all servers", "expires": "2026-04-01" },
            ]
            """);

        waivers.Should().BeEquivalentTo(new[]
        {
            new Waiver("REV-01", "default", null, "Okta case 01234", new DateOnly(2026, 6, 30)),
            new Waiver("DISC-02", null, null, "all servers", new DateOnly(2026, 4, 1)),
        });
    }

    [TestCase("{ \"check\": \"REV-01\" }", "$: expected an array of waivers")]
    [TestCase("[ { \"check\": \"REV-01\", \"reason\": \"r\" } ]", "$[0].expires: required")]
    [TestCase("[ { \"check\": \"REV-01\", \"reason\": \"r\", \"expires\": \"30/06/2026\" } ]", "$[0].expires: '30/06/2026' is not a date in the form yyyy-MM-dd")]
    [TestCase("[ { \"check\": \"REV-01\", \"reason\": \"r\", \"expires\": \"2026-02-30\" } ]", "$[0].expires: '2026-02-30' is not a date")]
    [TestCase("[ { \"reason\": \"r\", \"expires\": \"2026-06-30\" } ]", "$[0].check: required")]
    [TestCase("[ { \"check\": \"REV-01\", \"reason\": \"\", \"expires\": \"2026-06-30\" } ]", "$[0].reason: must not be empty")]
    [TestCase("[ { \"check\": 7, \"reason\": \"r\", \"expires\": \"2026-06-30\" } ]", "$[0].check: must be a string (found the number 7)")]
    [TestCase("[ { \"check\": \"REV-01\", \"server\": 3, \"reason\": \"r\", \"expires\": \"2026-06-30\" } ]", "$[0].server: must be a string (found the number 3)")]
    [TestCase("[ { \"check\": \"REV-01\", \"reason\": \"r\", \"expiry\": \"2026-06-30\" } ]", "$[0].expiry: unknown field")]
    [TestCase("[ \"REV-01\" ]", "$[0]: expected an object")]
    [TestCase("[ { \"check\": \"REV-01\", ", "not valid JSON")]
    public void An_invalid_waivers_file_is_an_error_naming_the_field(string json, string expected)
    {
        var parse = () => WaiversFile.Parse(json, "waivers.json");

        parse.Should().Throw<WaiversFileException>().Which.Message.Should().Contain("waivers.json").And.Contain(expected);
    }

    [Test]
    public void Every_problem_of_a_waivers_file_is_reported_at_once()
    {
        var parse = () => WaiversFile.Parse("""[ { "check": "A" }, { "check": "B", "reason": "r", "expires": "soon" } ]""");

        parse.Should().Throw<WaiversFileException>().Which.Message.Should()
            .Contain("$[0].reason: required").And.Contain("$[0].expires: required").And.Contain("$[1].expires: 'soon'");
    }

    [Test]
    public void The_gate_command_exits_0_1_or_2_and_says_why()
    {
        var dir = Directory.CreateTempSubdirectory("gate-cli-").FullName;
        var results = Path.Combine(dir, "results.json");
        Samples.Run().Write(results);
        var waivers = Path.Combine(dir, "waivers.json");

        int Gate(string waiversJson, out string output, out string error)
        {
            File.WriteAllText(waivers, waiversJson);
            using var stdout = new StringWriter();
            using var stderr = new StringWriter();
            var code = Program.Run(["gate", "--results", dir, "--waivers", waivers, "--today", "2026-03-02"], stdout, stderr);
            output = stdout.ToString();
            error = stderr.ToString();
            return code;
        }

        Gate("[]", out var red, out _).Should().Be(1);
        red.Should().Contain("Conformance gate: FAILED").And.Contain("MUST failure: REV-01 on default");

        Gate("""
            [ { "check": "REV-01", "server": "default", "reason": "r", "expires": "2026-12-31" },
              { "check": "DISC-02", "reason": "r", "expires": "2026-12-31" },
              { "check": "Implicit(second,form)", "reason": "r", "expires": "2026-12-31" } ]
            """, out var green, out _).Should().Be(0);
        green.Should().Contain("Conformance gate: PASSED");

        Gate("""[ { "check": "REV-01", "reason": "r", "expires": "tomorrow" } ]""", out _, out var invalid).Should().Be(2);
        invalid.Should().Contain("$[0].expires: 'tomorrow' is not a date");

        using var none = new StringWriter();
        Program.Run(["gate", "--results", Path.Combine(dir, "missing.json")], none, none).Should().Be(2);
        none.ToString().Should().Contain("missing.json: no such file or directory");
    }

    [Test]
    public void Flows_and_checks_are_counted_by_outcome()
    {
        var counts = Judge().Counts;

        counts.Should().Be(new GateCounts(Pass: 4, Fail: 2, Warning: 2, NotApplicable: 1, Inconclusive: 1, Waived: 0, FlowsPassed: 1, FlowsFailed: 1, FlowsOther: 0));
        Samples.Run().Checks.Count(c => c.Outcome == Outcome.Pass).Should().Be(4);
    }
}
