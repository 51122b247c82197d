using System.Net;
using Conformance.Harness.Checks;
using Conformance.Harness.Results;
using Conformance.Reports.Html;

namespace Conformance.Reports.Tests;

/// <summary>
/// Text from the server under test is shown, never run: an error_description made of markup reaches the HTML review
/// and the PDF as the text the server sent, in the finding's message, its observed value, the flow's message and the
/// recorded response body. The PDF is checked by <see cref="MarkupInjectionTests"/>, which fails when a tool is missing.
/// </summary>
[NonParallelizable]
public class HostileTextTests
{
    private const string Payload = "<script>alert(1)</script><img src=x onerror=alert(1)>";

    private static RunFile HostileRun()
    {
        var run = Samples.Run();
        var body = $$"""{"error":"invalid_grant","error_description":"{{Payload.Replace("\"", "\\\"", StringComparison.Ordinal)}}"}""";
        var exchange = new Harness.Http.HttpExchange(1, Samples.Started, TimeSpan.FromMilliseconds(5), "POST", "https://id.acme.test/oauth2/default/v1/token",
            [], "grant_type=refresh_token", 400, [new("Content-Type", "application/json")], body, null);
        var check = Samples.Check("RT-01", "refresh", "A refresh token MUST be redeemable once.", RequirementLevel.Must, Severity.High, "default", Outcome.Fail,
            message: "the server said: " + Payload, expected: "tokens", observed: "HTTP 400, error 'invalid_grant' (" + Payload + ")", exchanges: [exchange]);
        var flow = new RunFlow("Refresh(default,form)", ["flow:refresh", "server:default", "driver:form"], Outcome.Fail, "the server said: " + Payload, 12, [exchange], []);
        return run with { Checks = [.. run.Checks, check], Flows = [.. run.Flows, flow] };
    }

    [Test]
    public void A_markup_error_description_is_text_in_the_html_review()
    {
        var data = ReportData.Merge([HostileRun()]);
        var html = new SecurityReview(data, Gate.Evaluate(data, [], new GateOptions { Today = new DateOnly(2026, 3, 2) }), [], new Attachments([])).Render();

        html.Should().NotContain("<script>alert(1)").And.NotContain("<img src=x");
        html.Should().Contain(WebUtility.HtmlEncode(Payload), "the server's text is shown as it was sent, escaped");
        System.Text.RegularExpressions.Regex.Matches(html, System.Text.RegularExpressions.Regex.Escape(WebUtility.HtmlEncode(Payload))).Count
            .Should().BeGreaterThanOrEqualTo(3, "in the finding's message, its observed value and the flow's message");
    }
}
