using System.Text.Json;
using System.Text.RegularExpressions;
using Conformance.Harness.Checks;
using Conformance.Harness.Jose;
using Conformance.Harness.Results;
using Conformance.Reports.Allure;
using Conformance.Reports.Html;

namespace Conformance.Reports.Tests;

/// <summary>
/// A flow that names its rule (id, requirement, clauses, expected vs observed, tokens) is shown like a check, in the
/// review and in the Allure results; a flow of an older results file, without those, still shows its message.
/// </summary>
public sealed class FlowRenderingTests
{
    private static RunFile Run()
    {
        var run = Samples.Run();
        var described = new RunFlow("Refresh(default,form)", ["flow:refresh", "server:default", "driver:form"], Outcome.Fail, "step 3 of 4: refresh", 240, [], [])
        {
            Id = "FLOW-REFRESH",
            Requirement = "A refresh token MUST yield a new access token for the same subject.",
            Specs = [new RunSpec("RFC6749 §6", "https://www.rfc-editor.org/rfc/rfc6749.html#section-6"), new RunSpec("OIDC Core §12.2", "https://openid.net/specs/openid-connect-core-1_0.html#RefreshTokenResponse")],
            Expected = "HTTP 200 with an access_token",
            Observed = "HTTP 400 invalid_grant",
            Tokens = [DecodedToken.From("id_token", Samples.IdToken)],
        };
        return run with { Flows = [.. run.Flows, described] };
    }

    [Test]
    public void The_review_shows_a_flows_id_requirement_spec_links_expected_observed_and_tokens()
    {
        var data = ReportData.Merge([Run()]);
        var html = new SecurityReview(data, Gate.Evaluate(data, [], new GateOptions { Today = new DateOnly(2026, 3, 2) }), [], new Attachments([])).Render();

        var flow = Regex.Match(html, "<div class=\"flow\" id=\"flow--acme--Refresh_default_form_\">.*?(?=<div class=\"flow\"|</section>)", RegexOptions.Singleline).Value;
        flow.Should().Contain("<span class=\"cid\">FLOW-REFRESH</span>")
            .And.Contain("<p class=\"req\">A refresh token MUST yield a new access token for the same subject.</p>")
            .And.Contain("<a href=\"https://www.rfc-editor.org/rfc/rfc6749.html#section-6\">RFC6749 §6</a>, <a href=\"https://openid.net/specs/openid-connect-core-1_0.html#RefreshTokenResponse\">OIDC Core §12.2</a>")
            .And.Contain("<span>Expected</span>HTTP 200 with an access_token")
            .And.Contain("<span>Observed</span>HTTP 400 invalid_grant")
            .And.Contain("step 3 of 4: refresh")
            .And.Contain("Decoded tokens (1");
        var old = Regex.Match(html, "<div class=\"flow\" id=\"flow--acme--Implicit_second_form_\">.*?(?=<div class=\"flow\"|</section>)", RegexOptions.Singleline).Value;
        old.Should().Contain("expected an id_token in the fragment, got none").And.NotContain("class=\"refs\"");
    }

    [Test]
    public void An_allure_flow_result_links_its_specs_and_says_expected_and_observed()
    {
        var data = ReportData.Merge([Run()]);
        var directory = Directory.CreateTempSubdirectory("allure-flow-").FullName;
        new AllureResults(data, Gate.Evaluate(data, [], new GateOptions { Today = new DateOnly(2026, 3, 2) }), new Attachments([])).Write(directory);
        var result = Directory.GetFiles(directory, "*-result.json").Select(f => JsonDocument.Parse(File.ReadAllText(f)).RootElement)
            .Single(r => r.GetProperty("fullName").GetString() == "conformance.acme.flows.Refresh(default,form)");

        result.GetProperty("links").EnumerateArray().Select(l => (l.GetProperty("name").GetString(), l.GetProperty("url").GetString())).Should().Equal(
            ("RFC6749 §6", "https://www.rfc-editor.org/rfc/rfc6749.html#section-6"),
            ("OIDC Core §12.2", "https://openid.net/specs/openid-connect-core-1_0.html#RefreshTokenResponse"));
        result.GetProperty("name").GetString().Should().Be("FLOW-REFRESH: Refresh(default,form)");
        result.GetProperty("statusDetails").GetProperty("message").GetString().Should()
            .Be("step 3 of 4: refresh\nexpected: HTTP 200 with an access_token\nobserved: HTTP 400 invalid_grant");
        result.GetProperty("description").GetString().Should().StartWith("A refresh token MUST yield");
        Directory.Delete(directory, recursive: true);
    }
}
