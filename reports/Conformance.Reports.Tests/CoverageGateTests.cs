using Conformance.Harness.Checks;
using Conformance.Harness.Results;

namespace Conformance.Reports.Tests;

/// <summary>
/// A run that could not log in, lost a server or left rules untested must not read as passed: coverage is part
/// of the gate's verdict. The sample run's REV-01 and DISC-02 failures and failed flow are removed first, so
/// only coverage decides.
/// </summary>
public sealed class CoverageGateTests
{
    private static readonly DateOnly Today = new(2026, 3, 2);

    /// <summary>The sample run with its failures turned into passes, then <paramref name="change"/> applied.</summary>
    private static RunFile Clean(Func<RunFile, RunFile>? change = null)
    {
        var run = Samples.Run();
        run = run with
        {
            Checks = run.Checks.Select(c => c.Outcome == Outcome.Fail ? c with { Outcome = Outcome.Pass } : c).ToList(),
            Flows = run.Flows.Select(f => f.Outcome == Outcome.Fail ? f with { Outcome = Outcome.Pass, Message = null } : f).ToList(),
        };
        return change is null ? run : change(run);
    }

    private static RunFile Inconclusive(RunFile run, string id, string server, string message = "inconclusive, the login did not complete: the login form came back with 'Invalid username or password'") =>
        run with { Checks = run.Checks.Select(c => c.Id == id && c.Server == server ? c with { Outcome = Outcome.Inconclusive, Message = message } : c).ToList() };

    private static GateVerdict Judge(RunFile run, params Waiver[] waivers) =>
        Gate.Evaluate(ReportData.Merge([run]), waivers, new GateOptions { Today = Today });

    [Test]
    public void The_clean_sample_passes_and_lists_its_one_SHOULD_check_not_tested_without_failing()
    {
        var verdict = Judge(Clean());

        verdict.Passed.Should().BeTrue(verdict.Summary());
        verdict.NotTested.Should().ContainSingle().Which.Should().Be(new NotTested("AUTHN-05", "(target-wide)", false,
            "precondition failed: the primary authentication of the test user did not succeed"));
        verdict.Summary().Should().Contain("not tested: 1 (0 MUST checks or flows), by reason:");
    }

    [Test]
    public void A_MUST_check_left_inconclusive_fails_the_gate_saying_what_was_not_tested_and_why()
    {
        var verdict = Judge(Inconclusive(Clean(), "PKCE-01", "default"));

        verdict.Passed.Should().BeFalse();
        var problem = verdict.Problems.Should().ContainSingle().Which;
        (problem.Kind, problem.Subject, problem.Where).Should().Be((GateProblemKind.Inconclusive, "PKCE-01", "default"));
        problem.Detail.Should().Be("not tested: the login did not complete: the login form came back with 'Invalid username or password'");
        verdict.Summary().Should().Contain("inconclusive: PKCE-01 on default: not tested: the login did not complete");
    }

    [Test]
    public void A_waiver_accepts_an_inconclusive_verdict_like_a_failure_until_it_expires()
    {
        var run = Inconclusive(Clean(), "PKCE-01", "default");
        var waiver = new Waiver("PKCE-01", "default", null, "the test user's MFA enrolment is pending (ticket 12)", new DateOnly(2026, 3, 31));

        var verdict = Judge(run, waiver);

        verdict.Passed.Should().BeTrue(verdict.Summary());
        verdict.Waived.Should().ContainSingle().Which.Outcome.Should().Be(Outcome.Inconclusive);
        Gate.Evaluate(ReportData.Merge([run]), [waiver], new GateOptions { Today = new DateOnly(2026, 4, 1) }).Problems
            .Select(p => p.Kind).Should().Contain(GateProblemKind.ExpiredWaiver);
    }

    [Test]
    public void The_targets_tolerance_accepts_that_many_inconclusive_verdicts_and_no_more()
    {
        var one = Inconclusive(Clean(), "PKCE-01", "default");
        var tolerant = one with { Target = one.Target with { MaxInconclusive = 1 } };
        var two = Inconclusive(tolerant, "PKCE-01", "second");

        Judge(tolerant).Passed.Should().BeTrue();
        Judge(tolerant).NotTested.Should().Contain(n => n.Subject == "PKCE-01" && n.Must);
        var verdict = Judge(two);
        verdict.Passed.Should().BeFalse();
        verdict.Problems.Select(p => (p.Subject, p.Where)).Should().BeEquivalentTo(new[] { ("PKCE-01", "default"), ("PKCE-01", "second") });
    }

    [Test]
    public void An_unreachable_server_fails_the_gate_once_naming_the_server_and_the_verdicts_lost()
    {
        const string Why = "discovery failed: connection refused (127.0.0.1:5812)";
        var run = Clean(r => r with
        {
            Target = r.Target with { Servers = r.Target.Servers.Select(s => s.Name == "second" ? s with { Unavailable = Why } : s).ToList() },
            Checks = r.Checks.Select(c => c.Server == "second" ? c with { Outcome = Outcome.Inconclusive, Message = "inconclusive: server 'second' is unavailable: " + Why } : c).ToList(),
            Flows = r.Flows.Select(f => f.Categories.Contains("server:second") ? f with { Outcome = Outcome.Inconclusive, Message = "server 'second' is unavailable" } : f).ToList(),
        });

        var verdict = Judge(run);

        var problem = verdict.Problems.Should().ContainSingle().Which;
        (problem.Kind, problem.Subject).Should().Be((GateProblemKind.ServerUnreachable, "second"));
        problem.Detail.Should().Be($"https://id.acme.test/oauth2/aus-second could not be reached or discovered ({Why}); 6 verdicts lost");
        verdict.Summary().Should().Contain("server unreachable: second: https://id.acme.test/oauth2/aus-second could not be reached");
    }

    [Test]
    public void A_flow_the_target_offers_that_did_not_complete_fails_the_gate_and_one_not_offered_does_not()
    {
        RunFile Flow(Outcome outcome) => Clean(r => r with
        {
            Flows = r.Flows.Select(f => f.Name.StartsWith("Implicit", StringComparison.Ordinal) ? f with { Outcome = outcome, Message = "inconclusive, the login did not complete: no login form found at https://id.acme.test/login" } : f).ToList(),
        });

        var verdict = Judge(Flow(Outcome.Inconclusive));

        var problem = verdict.Problems.Should().ContainSingle().Which;
        (problem.Kind, problem.Subject, problem.Where).Should().Be((GateProblemKind.FlowNotCompleted, "Implicit(second,form)", "second"));
        problem.Detail.Should().Be("not completed: the login did not complete: no login form found at https://id.acme.test/login");
        Judge(Flow(Outcome.NotApplicable)).Passed.Should().BeTrue();
    }

    [Test]
    public void The_security_review_lists_what_was_not_tested_grouped_by_reason_as_text()
    {
        var run = Inconclusive(Clean(), "PKCE-01", "default", "inconclusive: the server answered <script>alert(1)</script>");
        var data = ReportData.Merge([run]);
        var verdict = Gate.Evaluate(data, [], new GateOptions { Today = Today });

        var html = new Html.SecurityReview(data, verdict, [], new Attachments([])).Render();

        html.Should().Contain("<h3>Not tested</h3>").And.Contain("the server answered &lt;script&gt;alert(1)&lt;/script&gt;").And.NotContain("<script>alert(1)");
    }
}
