using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Web;
using Microsoft.IdentityModel.Tokens;

namespace Conformance.Fidelity.Tests;

/// <summary>
/// Tokens for a resource server to verify, got the way Okta documents for a program without a browser: /api/v1/authn,
/// then /authorize with the sessionToken, prompt=none, PKCE and a nonce of the test's own, then /token. The nonce is
/// the test's, so jwt-verifier's nonce check is against a value the issuer had to echo, not one it chose.
/// </summary>
internal static class IssuerTokens
{
    public sealed record Issued(string AccessToken, string IdToken, string Nonce);

    private static readonly Dictionary<string, Issued> Cache = new(StringComparer.Ordinal);

    /// <summary>Alice's tokens from <paramref name="server"/> for the SPA client (one sign-in per server per run).</summary>
    public static async Task<Issued> ForAsync(string server)
    {
        if (Cache.TryGetValue(server, out var cached)) return cached;
        using var handler = new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false };
        using var http = new HttpClient(handler);
        var alice = Fidelity.Issuer.Seed.User("alice@example.test");
        var client = Fidelity.Spa;

        using var authn = await http.PostAsync($"{Fidelity.Base}/api/v1/authn",
            new StringContent(JsonSerializer.Serialize(new { username = alice.Username, password = alice.Password }), Encoding.UTF8, "application/json"));
        var sessionToken = JsonDocument.Parse(await authn.Content.ReadAsStringAsync()).RootElement.GetProperty("sessionToken").GetString()!;

        var verifier = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        var nonce = "n-" + Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(12));
        var query = HttpUtility.ParseQueryString("");
        query["client_id"] = client.ClientId;
        query["response_type"] = "code";
        query["scope"] = "openid profile";
        query["redirect_uri"] = client.RedirectUris[0];
        query["state"] = "fidelity-state";
        query["nonce"] = nonce;
        query["code_challenge"] = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        query["code_challenge_method"] = "S256";
        query["prompt"] = "none";
        query["sessionToken"] = sessionToken;
        using var authorize = await http.GetAsync($"{Fidelity.IssuerOf(server)}/v1/authorize?{query}");
        var location = authorize.Headers.Location ?? throw new AssertionException($"/authorize answered {(int)authorize.StatusCode} without a redirect");
        var code = HttpUtility.ParseQueryString(location.Query)["code"] ?? throw new AssertionException($"/authorize gave no code: {location}");

        using var token = await http.PostAsync($"{Fidelity.IssuerOf(server)}/v1/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = client.RedirectUris[0],
            ["code_verifier"] = verifier,
            ["client_id"] = client.ClientId,
        }));
        var body = await token.Content.ReadAsStringAsync();
        token.StatusCode.Should().Be(HttpStatusCode.OK, body);
        var json = JsonDocument.Parse(body).RootElement;
        var issued = new Issued(json.GetProperty("access_token").GetString()!, json.GetProperty("id_token").GetString()!, nonce);
        Cache[server] = issued;
        return issued;
    }
}
