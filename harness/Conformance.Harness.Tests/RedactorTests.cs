using Conformance.Harness.Http;

namespace Conformance.Harness.Tests;

public class RedactorTests
{
    private const string Jwt = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLWJ5dGVz";
    private readonly Redactor redactor = new(["client-secret-value", "alice-password"]);

    [Test]
    public void Known_secret_values_are_masked_anywhere_in_text()
    {
        redactor.Text("error for client-secret-value and alice-password").Should().Be("error for *** and ***");
    }

    [Test]
    public void Url_encoded_secret_values_are_masked_too()
    {
        var r = new Redactor(["p@ss word!"]);

        r.Text("password=p%40ss%20word%21").Should().Be("password=***");
    }

    [Test]
    public void Credentials_in_a_form_are_masked_and_tokens_fingerprinted()
    {
        var form = "grant_type=authorization_code&code=SplxlOBeZQQYbYS6WxSbIA&client_secret=whatever&code_verifier=dBjftJeZ4CVP&redirect_uri=https%3A%2F%2Fapp.test%2Fcb";

        var redacted = redactor.Form(form);

        redacted.Should().Contain("grant_type=authorization_code").And.Contain("redirect_uri=https%3A%2F%2Fapp.test%2Fcb");
        redacted.Should().Contain("client_secret=***");
        redacted.Should().NotContain("SplxlOBeZQQYbYS6WxSbIA").And.NotContain("dBjftJeZ4CVP").And.NotContain("whatever");
        redacted.Should().Contain("code=" + Redactor.Fingerprint("SplxlOBeZQQYbYS6WxSbIA"));
    }

    [Test]
    public void Tokens_in_a_json_body_are_fingerprinted_at_any_depth()
    {
        var json = $$$"""{"access_token":"opaque-access-123","refresh_token":"rt-456","id_token":"{{{Jwt}}}","token_type":"Bearer","nested":{"sessionToken":"st-789"}}""";

        var redacted = redactor.Json(json);

        redacted.Should().NotContain("opaque-access-123").And.NotContain("rt-456").And.NotContain(Jwt).And.NotContain("st-789");
        redacted.Should().Contain("\"token_type\":\"Bearer\"");
        redacted.Should().Contain(Redactor.Fingerprint("rt-456"));
    }

    [Test]
    public void A_jwt_in_free_text_becomes_a_fingerprint()
    {
        var redacted = redactor.Text($"Bearer {Jwt} was refused");

        redacted.Should().NotContain(Jwt).And.StartWith("Bearer [jwt sha256:").And.EndWith("] was refused");
    }

    [Test]
    public void Codes_and_tokens_in_a_redirect_are_removed_from_query_and_fragment()
    {
        var url = $"https://app.test/callback?code=abc123secretcode&state=xyz#id_token={Jwt}&access_token=at-1&state=xyz";

        var redacted = redactor.Url(url);

        redacted.Should().NotContain("abc123secretcode").And.NotContain(Jwt).And.NotContain("at-1");
        redacted.Should().Contain("state=xyz").And.StartWith("https://app.test/callback?code=[sha256:");
    }

    [TestCase("Authorization", "Basic d2ViOnNlY3JldA==", "Basic ***")]
    [TestCase("Cookie", "sid=abc; csrf=def", "sid=***; csrf=***")]
    [TestCase("Set-Cookie", "sid=abc; path=/; httponly", "sid=***; path=/; httponly")]
    [TestCase("Content-Type", "application/json", "application/json")]
    public void Sensitive_headers_are_masked(string name, string value, string expected)
    {
        redactor.Header(name, value).Should().Be(expected);
    }

    [Test]
    public void A_bearer_header_keeps_a_fingerprint_for_correlation()
    {
        redactor.Header("Authorization", "Bearer at-xyz").Should().Be("Bearer " + Redactor.Fingerprint("at-xyz"));
    }

    [Test]
    public void Hidden_inputs_of_a_form_post_page_are_redacted()
    {
        var html = $"""<form method="post" action="https://app.test/cb"><input type="hidden" name="code" value="the-code-value"/><input type="hidden" value="{Jwt}" name="id_token"><input type="hidden" name="state" value="s1"></form>""";

        var redacted = redactor.Html(html);

        redacted.Should().NotContain("the-code-value").And.NotContain(Jwt).And.Contain("value=\"s1\"");
    }

    [Test]
    public void A_password_in_a_login_form_post_is_masked()
    {
        redactor.Body("application/x-www-form-urlencoded", "username=alice&password=hunter2").Should().Be("username=alice&password=***");
    }

    [Test]
    public void Secrets_learned_during_the_run_are_masked_from_then_on()
    {
        var r = new Redactor();
        r.Text("my code is learned-code-1").Should().Contain("learned-code-1");

        r.AddSecret("learned-code-1");

        r.Text("my code is learned-code-1").Should().Be("my code is ***");
    }

    [Test]
    public void Fingerprints_are_stable_and_short()
    {
        Redactor.Fingerprint("x").Should().Be(Redactor.Fingerprint("x")).And.MatchRegex(@"^\[sha256:[0-9a-f]{12}\]$");
        Redactor.Fingerprint("x").Should().NotBe(Redactor.Fingerprint("y"));
    }

    [Test]
    public void A_json_body_cut_short_still_has_its_tokens_and_credentials_redacted()
    {
        var redactor = new Redactor();
        var cut = """{"token_type":"Bearer","access_token":"opaque-access-token-value","client_secret":"s3cr3t","refresh_token":"opaque-refr""";

        var redacted = redactor.Body("application/json", cut);

        redacted.Should().NotContain("opaque-access-token-value").And.NotContain("s3cr3t").And.NotContain("opaque-refr");
        redacted.Should().Contain("\"token_type\":\"Bearer\"")
            .And.Contain("\"access_token\":\"" + Redactor.Fingerprint("opaque-access-token-value") + "\"")
            .And.Contain("\"client_secret\":\"***\"");
    }
}
