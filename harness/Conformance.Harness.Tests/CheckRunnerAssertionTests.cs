using Conformance.Harness.Checks;
using Conformance.Harness.Http;
using Conformance.Harness.Login;
using Conformance.Harness.Protocol;
using Conformance.Harness.Target;

namespace Conformance.Harness.Tests;

/// <summary>
/// A flow is a check whose body asserts with FluentAssertions: the runner, not NUnit, decides its verdict. Under NUnit
/// FluentAssertions throws NUnit's AssertionException, which the harness knows only by name.
/// </summary>
[TestFixture]
public sealed class CheckRunnerAssertionTests
{
    private static readonly CheckDefinition Must = new()
    {
        Id = "FLOW-TEST",
        Area = "test",
        Requirement = "The token endpoint MUST exchange a fresh code for tokens.",
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Specs = [SpecRef.Parse("RFC6749 §4.1.3"), SpecRef.Parse("OIDC-Core §3.1.3.7")],
        Applicability = "a web client",
        Remediation = "none",
        PerTarget = true,
    };

    private static readonly CheckDefinition Should = Must with
    {
        Id = "FLOW-TEST-SHOULD",
        Requirement = "The server SHOULD revoke access tokens.",
        Level = RequirementLevel.Should,
    };

    [Test]
    public async Task A_failed_expectation_of_a_MUST_check_is_a_failure_with_the_assertion_as_observed_and_the_specs_kept()
    {
        var result = await RunAsync(Must, _ => "found".Should().Be("expected", "RFC 6749 §4.1.3 says so"));

        result.Outcome.Should().Be(Outcome.Fail);
        result.Expected.Should().Be(Must.Requirement);
        result.Observed.Should().Contain("RFC 6749 §4.1.3 says so").And.Contain("found");
        result.Message.Should().Be(result.Observed);
        result.Definition.Specs.Select(s => s.Link.ToString()).Should().Equal(
            "https://www.rfc-editor.org/rfc/rfc6749.html#section-4.1.3",
            "https://openid.net/specs/openid-connect-core-1_0.html#rfc.section.3.1.3.7");
    }

    [Test]
    public async Task A_failed_expectation_of_a_SHOULD_check_is_a_warning()
    {
        var result = await RunAsync(Should, _ => 1.Should().Be(2));

        result.Outcome.Should().Be(Outcome.Warning);
        result.Expected.Should().Be(Should.Requirement);
        result.Definition.Specs.Should().HaveCount(2);
    }

    [Test]
    public async Task A_SHOULD_step_inside_a_MUST_check_warns()
    {
        var result = await RunAsync(Must, c => c.ExpectShould(false, "RFC 7009 §2: the server SHOULD revoke access tokens", "still active"));

        result.Outcome.Should().Be(Outcome.Warning);
        result.Observed.Should().Be("still active");
    }

    [Test]
    public async Task Require_inside_the_body_is_not_applicable_and_Precondition_inconclusive()
    {
        (await RunAsync(Must, c => c.Require(false, "no web client"))).Should().Match<CheckResult>(r => r.Outcome == Outcome.NotApplicable && r.Message == "no web client");
        (await RunAsync(Must, c => c.Precondition(false, "no code"))).Outcome.Should().Be(Outcome.Inconclusive);
    }

    [Test]
    public async Task A_login_driver_that_cannot_run_here_is_not_applicable_with_its_reason()
    {
        var result = await RunAsync(Must, c => _ = c.LoginDriver, noDriverReason: "the browser driver cannot run here: no Chromium");

        result.Outcome.Should().Be(Outcome.NotApplicable);
        result.Message.Should().Be("the browser driver cannot run here: no Chromium");
    }

    [Test]
    public void Only_assertion_failures_are_recognised()
    {
        AssertionFailures.Recognise(new AssertionException("x")).Should().BeTrue();
        AssertionFailures.Recognise(new InvalidOperationException("x")).Should().BeFalse();
        AssertionFailures.Recognise(new IgnoreException("x")).Should().BeFalse("Assert.Ignore is no assertion that failed");
    }

    private static async Task<CheckResult> RunAsync(CheckDefinition definition, Action<CheckContext> body, string? noDriverReason = null)
    {
        using var http = new HarnessHttp(new Redactor(), new EvidenceRecorder(), TimeSpan.FromSeconds(5));
        // Nothing listens on port 9: discovery fails at once, and a per-target check needs no server.
        var profile = new TargetProfile("unit", [new ServerProfile("default", new Uri("http://127.0.0.1:9/"), null, [])], new Dictionary<string, ClientProfile>(), [], LoginProfile.Form, TargetOptions.Default);
        var target = await ConnectedTarget.ConnectAsync(profile, http);
        var check = new RuleCheck(definition, c =>
        {
            body(c);
            return Task.CompletedTask;
        });
        return await new CheckRunner(target, null).RunAsync(check, null, (ILoginDriver?)null, noDriverReason);
    }
}
