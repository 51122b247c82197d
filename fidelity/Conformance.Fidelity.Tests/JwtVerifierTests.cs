using System.Text.Json.Nodes;

namespace Conformance.Fidelity.Tests;

/// <summary>
/// Okta's @okta/jwt-verifier (node), as a resource server uses it, on the custom authorization servers' tokens:
/// each server's access tokens verify with its own issuer and audience and with nothing of the other server's
/// ("You can't mix tokens between different authorization servers"), and ID tokens verify with the client id and
/// the nonce. The org server's access tokens are not for jwt-verifier (Okta: only Okta validates them): not tested.
/// </summary>
[TestFixture]
public sealed class JwtVerifierTests
{
    private const string Default = "default";
    private const string Second = "aus-second";

    private static string Other(string server) => server == Default ? Second : Default;

    private static string Audience(string server) => Fidelity.Issuer.Seed.Server(server).Audience!;

    [TestCase(Default)]
    [TestCase(Second)]
    public async Task Access_token_verifies_with_its_servers_issuer_and_audience(string server)
    {
        var tokens = await IssuerTokens.ForAsync(server);
        var answer = VerifyAccess(tokens.AccessToken, Fidelity.IssuerOf(server), Audience(server), new { cid = Fidelity.SpaClientId });
        answer["ok"]!.GetValue<bool>().Should().BeTrue($"jwt-verifier accepts the {server} server's access token with its issuer and audience: {answer["error"]}");
        answer["claims"]!["scp"]!.AsArray().Select(s => s!.GetValue<string>()).Should().Contain("openid");
    }

    [TestCase(Default, "issuer and audience")]
    [TestCase(Default, "issuer")]
    [TestCase(Default, "audience")]
    [TestCase(Second, "issuer and audience")]
    [TestCase(Second, "issuer")]
    [TestCase(Second, "audience")]
    public async Task Access_token_fails_with_the_other_servers(string server, string borrowed)
    {
        var tokens = await IssuerTokens.ForAsync(server);
        var other = Other(server);
        var issuer = borrowed.Contains("issuer", StringComparison.Ordinal) ? Fidelity.IssuerOf(other) : Fidelity.IssuerOf(server);
        var audience = borrowed.Contains("audience", StringComparison.Ordinal) ? Audience(other) : Audience(server);
        var answer = VerifyAccess(tokens.AccessToken, issuer, audience);
        answer["ok"]!.GetValue<bool>().Should().BeFalse($"the {server} server's access token must not verify with the {other} server's {borrowed} ({issuer}, {audience})");
        TestContext.Out.WriteLine($"jwt-verifier refused it: {answer["error"]}");
    }

    [TestCase(Default)]
    [TestCase(Second)]
    public async Task Id_token_verifies_with_the_client_id_and_nonce(string server)
    {
        var tokens = await IssuerTokens.ForAsync(server);
        var answer = VerifyId(tokens.IdToken, Fidelity.IssuerOf(server), Fidelity.SpaClientId, tokens.Nonce);
        answer["ok"]!.GetValue<bool>().Should().BeTrue($"jwt-verifier accepts the {server} server's ID token: {answer["error"]}");
        answer["claims"]!["nonce"]!.GetValue<string>().Should().Be(tokens.Nonce);
    }

    [TestCase(Default)]
    [TestCase(Second)]
    public async Task Id_token_fails_with_another_nonce_client_or_server(string server)
    {
        var tokens = await IssuerTokens.ForAsync(server);
        var wrong = new (string What, JsonObject Answer)[]
        {
            ("another nonce", VerifyId(tokens.IdToken, Fidelity.IssuerOf(server), Fidelity.SpaClientId, tokens.Nonce + "-other")),
            ("another client id", VerifyId(tokens.IdToken, Fidelity.IssuerOf(server), "web-app", tokens.Nonce)),
            ("the other server's issuer", VerifyId(tokens.IdToken, Fidelity.IssuerOf(Other(server)), Fidelity.SpaClientId, tokens.Nonce)),
        };
        wrong.Where(w => w.Answer["ok"]!.GetValue<bool>()).Select(w => w.What)
            .Should().BeEmpty("jwt-verifier must refuse the ID token with each of these");
    }

    private static JsonObject VerifyAccess(string token, string issuer, string audience, object? assertClaims = null) =>
        OktaClients.RunNode("verify-jwt.mjs", new { kind = "access", issuer, token, audience, assertClaims });

    private static JsonObject VerifyId(string token, string issuer, string clientId, string nonce) =>
        OktaClients.RunNode("verify-jwt.mjs", new { kind = "id", issuer, token, clientId, nonce });
}
