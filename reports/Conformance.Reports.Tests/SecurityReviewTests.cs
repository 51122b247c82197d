using System.Text.RegularExpressions;
using Conformance.Reports.Html;

namespace Conformance.Reports.Tests;

public sealed partial class SecurityReviewTests
{
    private string html = "";

    [OneTimeSetUp]
    public void Render()
    {
        var shots = Directory.CreateTempSubdirectory("shots-").FullName;
        var png = Samples.WritePng(shots);
        var data = ReportData.Merge([Samples.Run(attachments: [png, Path.Combine(shots, "flow.http.txt")])]);
        var waivers = new[] { new Waiver("AUTHZ-12", "second", null, "accepted: legacy proxy strips the header", new DateOnly(2026, 12, 31)) };
        var gate = Gate.Evaluate(data, waivers, new GateOptions { Today = new DateOnly(2026, 3, 2) });
        html = new SecurityReview(data, gate, waivers, new Attachments([shots])).Render();
    }

    [Test]
    public void It_is_self_contained_and_forbids_any_fetch()
    {
        html.Should().StartWith("<!DOCTYPE html>");
        html.Should().Contain("Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\"");
        ExternalReference().Matches(html).Should().BeEmpty("nothing may be loaded from outside (links to specs are fine)");
        html.Should().NotContainEquivalentOf("<script");
        html.Should().NotContainEquivalentOf("<iframe");
    }

    [Test]
    public void It_shows_the_target_the_run_and_the_gate()
    {
        html.Should().Contain("Target</span> acme").And.Contain("https://id.acme.test/oauth2/default").And.Contain("api://second")
            .And.Contain("20260302T093000Z-aaaa").And.Contain("2026-03-02 09:30:00 UTC").And.Contain("0.1.0")
            .And.Contain("web-app").And.Contain("native-app");
        html.Should().Contain("Gate failed");
    }

    [Test]
    public void It_counts_verdicts_by_level_per_authorization_server()
    {
        // default: 1 MUST failure, 1 SHOULD warning, 2 passes (PKCE-01, CC-01).
        Row("default").Should().Be("<td class=\"n\"><span class=\"count fail\">1</span></td><td class=\"n zero\">0</td><td class=\"n\"><span class=\"count warn\">1</span></td><td class=\"n\"><span class=\"count pass\">2</span></td><td class=\"n zero\">0</td><td class=\"n zero\">0</td>");
        // second: DISC-02 fails, AUTHZ-12 warns, PKCE-01 and REV-01 pass, CC-01 not applicable.
        Row("second").Should().Contain("<span class=\"count fail\">1</span>").And.Contain("<span class=\"count na\">1</span>");
        Row("(target-wide)").Should().Contain("<span class=\"count inc\">1</span>");

        string Row(string server) => Regex.Match(html, $"<table class=\"grid verdicts\">.*?<tr><td><b>{Regex.Escape(server)}</b></td>(.*?)</tr>", RegexOptions.Singleline).Groups[1].Value;
    }

    [Test]
    public void It_draws_results_by_area_as_inline_svg()
    {
        var svg = Regex.Match(html, "<svg class=\"chart\".*?</svg>", RegexOptions.Singleline).Value;
        svg.Should().Contain("aria-label=\"Results by area\"");
        foreach (var area in new[] { "pkce", "revocation", "authorization-endpoint", "client-credentials", "authn-api", "discovery", "end-to-end flows" })
        {
            svg.Should().Contain($">{area}</text>");
        }

        svg.Should().Contain("<title>revocation: 1 fail</title>");
    }

    [Test]
    public void It_shows_which_threats_were_tested_and_with_what_result()
    {
        var threats = Regex.Match(html, "<section id=\"threats\">.*?</section>", RegexOptions.Singleline).Value;
        threats.Should().Contain("RFC6819 §5.2.2.4").And.Contain("Revocation of refresh tokens").And.Contain("RFC9700 §4.8").And.Contain("PKCE downgrade attack");
        threats.Should().Contain("href=\"https://www.rfc-editor.org/rfc/rfc9700.html#section-4.8\"");
        threats.Should().Contain("<span class=\"badge fail\">violated</span>");
    }

    [Test]
    public void A_failure_shows_requirement_links_expected_observed_remediation_and_evidence()
    {
        var finding = Regex.Match(html, "<article class=\"finding fail\" id=\"finding--acme--REV-01\">.*?</article>", RegexOptions.Singleline).Value;
        finding.Should().NotBeEmpty();
        finding.Should().Contain("A revoked refresh token MUST no longer be usable at the token endpoint.")
            .And.Contain("href=\"https://www.rfc-editor.org/rfc/rfc7636.html#section-4.6\"")
            .And.Contain("<span>Expected</span>refresh refused with invalid_grant")
            .And.Contain("<span>Observed</span>refresh: HTTP 200, token_type Bearer")
            .And.Contain("<b>Remediation.</b> Fix REV-01")
            .And.Contain("HTTP exchanges (2, redacted)")
            .And.Contain("/oauth2/default/v1/revoke")
            .And.Contain("Authorization:</b> Basic ***");
    }

    [Test]
    public void Tokens_are_shown_decoded_header_and_claims_never_whole()
    {
        html.Should().Contain("Decoded tokens (2").And.Contain("&quot;kid&quot;: &quot;k-2026&quot;").And.Contain("&quot;nonce&quot;: &quot;n-0S6_WzA2Mj&quot;");
        html.Should().NotContain(Samples.IdToken).And.NotContain(Samples.IdToken.Split('.')[2]);
    }

    [Test]
    public void Png_attachments_are_embedded_as_data_uris_and_other_files_are_named()
    {
        html.Should().Contain("<img alt=\"screenshot final-page.png\" src=\"data:image/png;base64,iVBORw0KGgo");
        html.Should().Contain("Evidence files: flow.http.txt");
    }

    [Test]
    public void Everything_that_came_from_the_target_is_escaped()
    {
        html.Should().Contain("issuer &lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt;");
        html.Should().Contain("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
        html.Should().Contain("&lt;/pre&gt;&lt;iframe src=https://evil.test&gt;");
        html.Should().Contain("openid-configuration?x=&lt;b&gt;bold&lt;/b&gt;");
        html.Should().NotContain("<img src=x").And.NotContain("<b>bold</b>");
    }

    [Test]
    public void Waived_warnings_inconclusive_and_not_applicable_verdicts_are_explained()
    {
        html.Should().Contain("<b>Waived</b> until 2026-12-31: accepted: legacy proxy strips the header");
        html.Should().Contain("precondition failed: the primary authentication of the test user did not succeed");
        html.Should().Contain("server &#x27;second&#x27; does not list &#x27;client_credentials&#x27; in grant_types_supported");
        html.Should().Contain("SHOULD warnings").And.Contain("Inconclusive");
    }

    [Test]
    public void Flows_are_listed_with_their_outcome()
    {
        var flows = Regex.Match(html, "<section id=\"flows\">.*?</section>", RegexOptions.Singleline).Value;
        flows.Should().Contain("Implicit(second,form)").And.Contain("expected an id_token in the fragment, got none").And.Contain("AuthorizationCode(default,form)");
    }

    [GeneratedRegex("""(?:src|href)\s*=\s*["'](?!#|data:|https://www\.rfc-editor\.org/|https://openid\.net/|https://developer\.okta\.com/)""", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalReference();
}
