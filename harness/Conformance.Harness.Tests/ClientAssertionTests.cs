using System.Security.Cryptography;
using Conformance.Harness.Jose;
using Conformance.Harness.Target;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Conformance.Harness.Tests;

/// <summary>The private_key_jwt signer (RFC 7523 §2.2, OIDC Core §9) and the profile's privateKey.</summary>
public class ClientAssertionTests
{
    private static readonly Uri TokenEndpoint = new("https://id.example.com/oauth2/default/v1/token");

    private static JsonWebKey PrivateJwk(out JsonWebKey publicJwk)
    {
        var key = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(RSA.Create(2048)) { KeyId = "test-key" });
        key.Alg = SecurityAlgorithms.RsaSha256;
        publicJwk = new JsonWebKey { Kty = key.Kty, Kid = key.Kid, N = key.N, E = key.E, Alg = key.Alg };
        return key;
    }

    private static string Json(JsonWebKey key) => System.Text.Json.JsonSerializer.Serialize(new
    {
        kty = key.Kty, kid = key.Kid, alg = key.Alg, n = key.N, e = key.E, d = key.D, p = key.P, q = key.Q, dp = key.DP, dq = key.DQ, qi = key.QI,
    });

    private static async Task<TokenValidationResult> ValidateAsync(string jwt, JsonWebKey publicJwk) =>
        await new JsonWebTokenHandler().ValidateTokenAsync(jwt, new TokenValidationParameters
        {
            IssuerSigningKey = publicJwk,
            ValidIssuer = "jwt-app",
            ValidAudience = TokenEndpoint.AbsoluteUri,
            ValidTypes = [ClientAssertion.Type],
        });

    [Test]
    public async Task An_honest_assertion_is_signed_by_the_client_key_with_iss_sub_aud_exp_and_jti()
    {
        var key = PrivateJwk(out var publicJwk);

        var jwt = ClientAssertion.Sign(ClientAssertionClaims.For("jwt-app", TokenEndpoint), Json(key));

        var result = await ValidateAsync(jwt, publicJwk);
        result.IsValid.Should().BeTrue(result.Exception?.Message);
        var token = new JsonWebToken(jwt);
        token.Subject.Should().Be("jwt-app");
        token.Kid.Should().Be("test-key");
        token.Alg.Should().Be("RS256");
        token.Id.Should().NotBeNullOrEmpty();
        token.ValidTo.Should().BeCloseTo(DateTime.UtcNow.AddMinutes(5), TimeSpan.FromSeconds(30));
    }

    [Test]
    public void Each_honest_assertion_has_its_own_jti()
    {
        ClientAssertionClaims.For("jwt-app", TokenEndpoint).JwtId.Should().NotBe(ClientAssertionClaims.For("jwt-app", TokenEndpoint).JwtId);
    }

    [Test]
    public async Task Changed_claims_are_signed_as_given_so_checks_can_send_an_expired_or_misaddressed_assertion()
    {
        var key = PrivateJwk(out var publicJwk);
        var now = DateTimeOffset.UtcNow;
        var claims = ClientAssertionClaims.For("jwt-app", TokenEndpoint) with { IssuedAt = now.AddHours(-1), ExpiresAt = now.AddMinutes(-55), Audience = "https://elsewhere.test" };

        var token = new JsonWebToken(ClientAssertion.Sign(claims, Json(key)));

        token.ValidTo.Should().BeCloseTo(now.AddMinutes(-55).UtcDateTime, TimeSpan.FromSeconds(2));
        token.Audiences.Should().Equal("https://elsewhere.test");
        (await ValidateAsync(token.EncodedToken, publicJwk)).IsValid.Should().BeFalse();
    }

    [Test]
    public void Nbf_is_sent_only_when_a_check_sets_it()
    {
        var honest = ClientAssertionClaims.For("jwt-app", TokenEndpoint);
        var later = honest with { NotBefore = DateTimeOffset.UtcNow.AddHours(1) };

        honest.ToJson().Should().NotContain("nbf");
        new JsonWebToken(ClientAssertion.Unsigned(later)).ValidFrom.Should().BeCloseTo(later.NotBefore!.Value.UtcDateTime, TimeSpan.FromSeconds(2));
    }

    [Test]
    public void An_unsigned_assertion_has_alg_none_and_an_empty_signature()
    {
        var jwt = ClientAssertion.Unsigned(ClientAssertionClaims.For("jwt-app", TokenEndpoint));

        jwt.Should().EndWith(".");
        new JsonWebToken(jwt).Alg.Should().Be("none");
    }

    [Test]
    public async Task A_stranger_key_signs_what_the_client_key_does_not_verify()
    {
        PrivateJwk(out var publicJwk);

        var jwt = ClientAssertion.Sign(ClientAssertionClaims.For("jwt-app", TokenEndpoint), ClientAssertion.StrangerKey());

        (await ValidateAsync(jwt, publicJwk)).IsValid.Should().BeFalse();
    }

    [Test]
    public void Only_a_private_RSA_or_EC_JWK_is_a_usable_key()
    {
        var key = PrivateJwk(out var publicJwk);

        ClientAssertion.KeyProblem(Json(key)).Should().BeNull();
        ClientAssertion.KeyProblem(System.Text.Json.JsonSerializer.Serialize(new { kty = "RSA", n = publicJwk.N, e = publicJwk.E })).Should().Contain("private part");
        ClientAssertion.KeyProblem("not json").Should().Be("not a JWK in JSON");
        ClientAssertion.KeyProblem("{\"kty\":\"oct\",\"k\":\"AAAA\"}").Should().Contain("oct");
    }

    [Test]
    public void The_profile_takes_the_assertion_client_key_from_the_environment_and_never_shows_it()
    {
        var key = Json(PrivateJwk(out _));
        const string json = """
            {
              "name": "sample",
              "servers": [ { "name": "default", "issuer": "https://id.example.com/oauth2/default" } ],
              "clients": { "assertion": { "id": "jwt-app", "privateKey": "env:JWT_KEY", "scopes": ["orders.read"] } },
              "users": [ { "username": "alice@example.test", "password": "env:PW" } ]
            }
            """;

        var profile = new TargetProfileLoader(n => n switch { "JWT_KEY" => key, "PW" => "pw", _ => null }).Load(json, "test.json");

        var client = profile.Client("assertion")!;
        client.PrivateKey!.Reveal().Should().Be(key);
        client.PrivateKey.ToString().Should().Be("env:JWT_KEY");
        client.IsConfidential.Should().BeTrue();
        profile.Secrets.Should().Contain(client.PrivateKey);
    }
}
