using System.Net.Http.Headers;
using System.Text;
using Conformance.Harness.Http;

namespace Conformance.Harness.Tests;

/// <summary>
/// Every encoding the harness sends a secret in, one test each: the redactor masks the secret in that form wherever
/// it appears in free text (an error_description, a page, a header), and learns what the harness sends and receives
/// before a server can echo it.
/// </summary>
public class RedactorEncodingTests
{
    // Characters every encoding writes differently: space, '+', '&', '=', '%', quotes, '<', '\', a non-ASCII letter.
    private const string Secret = "s3cr t+&=%\"'<\\é>/:";
    private const string Token = "Qx7vN2kLpR9sT4wY6zA1bC3dE5fG8hJ0";

    private static IEnumerable<TestCaseData> SecretEncodings() =>
        SecretForms.Of(Secret).DistinctBy(f => f.Text).Select((f, i) => new TestCaseData(f.Form, f.Text).SetName($"A_secret_{i:00}_{f.Form.Replace(' ', '_').Replace('-', '_')}_is_masked_in_free_text"));

    [TestCaseSource(nameof(SecretEncodings))]
    public void Each_encoding_of_a_secret_is_masked_in_free_text(string form, string encoded)
    {
        var redactor = new Redactor([Secret]);

        var text = redactor.Text($"error_description=you sent: {encoded}; please retry");

        text.Should().NotContain(encoded, form).And.Contain(Redactor.Mask).And.StartWith("error_description=you sent: ").And.EndWith("; please retry");
    }

    private static IEnumerable<TestCaseData> BasicEncodings() =>
        SecretForms.OfBasicCredentials("web-app", Secret).DistinctBy(f => f.Text).Select((f, i) => new TestCaseData(f.Form, f.Text).SetName($"A_basic_credential_{i:00}_is_masked_in_free_text"));

    [TestCaseSource(nameof(BasicEncodings))]
    public void Each_encoding_of_a_client_s_basic_credential_is_masked(string form, string encoded)
    {
        var redactor = new Redactor();
        redactor.AddClientCredentials("web-app", Secret);

        redactor.Text($"X-Echo: authorization=Basic {encoded}").Should().Be("X-Echo: authorization=Basic ***", form);
    }

    [Test]
    public void The_basic_credential_of_RFC_6749_2_3_1_form_encodes_id_and_secret_before_base64()
    {
        var expected = Convert.ToBase64String(Encoding.UTF8.GetBytes(Uri.EscapeDataString("web-app") + ":" + Uri.EscapeDataString(Secret)));

        SecretForms.OfBasicCredentials("web-app", Secret).Select(f => f.Text).Should().Contain(expected);
    }

    [TestCase("raw", Token)]
    [TestCase("after a form-encoded '='", "token%3D" + Token)]
    [TestCase("after a JSON-escaped '='", "token\\u003D" + Token)]
    [TestCase("in a query", "?token=" + Token + "&x=1")]
    public void A_spent_token_becomes_its_fingerprint_wherever_it_starts(string where, string text)
    {
        var redactor = new Redactor();
        redactor.AddArtefact(Token);

        var redacted = redactor.Text("echo: " + text);

        redacted.Should().NotContain(Token, where).And.Contain(Redactor.Fingerprint(Token));
    }

    [Test]
    public void A_token_inside_a_longer_word_is_not_mistaken_for_it()
    {
        var redactor = new Redactor();
        redactor.AddArtefact(Token);

        redactor.Text("x" + Token).Should().Be("x" + Token, "a token starts after a character that cannot be part of it");
    }

    [Test]
    public void A_one_time_code_is_masked_as_a_whole_number_only()
    {
        var redactor = new Redactor(["493817"]);

        redactor.Text("passCode=493817, exp=1749381700, iat=174938170").Should().Be("passCode=***, exp=1749381700, iat=174938170");
    }

    [Test]
    public void A_request_teaches_the_redactor_its_basic_credential_form_fields_and_json_credentials()
    {
        var redactor = new Redactor();
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://as.test/token?code_verifier=" + Token);
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("web-app:" + Uri.EscapeDataString(Secret))));

        redactor.LearnRequest(request, null);
        redactor.LearnForm("password=" + Uri.EscapeDataString("An0ther secret!") + "&refresh_token=" + Token + "x");

        redactor.Text($"got {Secret} and {request.Headers.Authorization.Parameter} and An0ther secret! and {Token}x")
            .Should().NotContain(Secret).And.NotContain(request.Headers.Authorization.Parameter).And.NotContain("An0ther").And.NotContain(Token);
    }

    [Test]
    public void A_token_response_teaches_the_redactor_its_opaque_tokens()
    {
        var redactor = new Redactor();

        redactor.LearnResponse("application/json", $$"""{"access_token":"{{Token}}","token_type":"Bearer","refresh_token":"short"}""", new Uri("https://app.test/cb?code=" + Token + "Z&state=s"));

        redactor.Text($"Bearer {Token} was refused; code {Token}Z").Should().Be($"Bearer {Redactor.Fingerprint(Token)} was refused; code {Redactor.Fingerprint(Token + "Z")}");
        redactor.Text("token_type short").Should().Be("token_type ***", "a short artefact is masked, never fingerprinted (a fingerprint of it could be brute-forced)");
    }

    [Test]
    public void A_short_credential_seen_in_traffic_does_not_mask_ordinary_words()
    {
        var redactor = new Redactor();

        redactor.LearnForm("client_secret=secret");

        redactor.Text("client_secret=***").Should().Be("client_secret=***");
        redactor.Text("the client_secret field").Should().Be("the client_secret field");
    }
}
