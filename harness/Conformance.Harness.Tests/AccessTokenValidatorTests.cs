using Conformance.Harness.Assertions;
using Conformance.Harness.Jose;
using Microsoft.IdentityModel.Tokens;

namespace Conformance.Harness.Tests;

/// <summary>A resource server's validation of JWT access tokens (RFC 9068 §4) against real and forged tokens.</summary>
public class AccessTokenValidatorTests
{
    private static AccessTokenExpectations ExpectedFor(JoseTestIssuer issuer) =>
        AccessTokenExpectations.For(issuer.Server, JoseTestIssuer.ClientId, ["orders.read"]);

    private static async Task<TokenValidation> ValidateClaimsAsync(Action<Dictionary<string, object>> change, Func<AccessTokenExpectations, AccessTokenExpectations>? adjust = null)
    {
        var issuer = new JoseTestIssuer();
        var claims = issuer.AccessTokenClaims();
        change(claims);
        var expected = ExpectedFor(issuer);
        return await new AccessTokenValidator().ValidateAsync(JoseTestIssuer.Sign(claims), issuer.Server, adjust?.Invoke(expected) ?? expected).ConfigureAwait(false);
    }

    [Test]
    public async Task An_honest_okta_style_access_token_is_valid()
    {
        var validation = await ValidateClaimsAsync(_ => { });

        validation.Should().BeValid("signed by the server's key, for its audience, with cid and scp as Okta issues them");
        validation.Kind.Should().Be("access token");
        validation.SignatureVerified.Should().BeTrue();
    }

    [Test]
    public async Task An_rfc9068_access_token_with_client_id_and_scope_string_is_valid()
    {
        var issuer = new JoseTestIssuer();
        var claims = issuer.AccessTokenClaims();
        claims.Remove("cid");
        claims.Remove("scp");
        claims["client_id"] = JoseTestIssuer.ClientId;
        claims["scope"] = "openid orders.read orders.write";

        var validation = await new AccessTokenValidator().ValidateAsync(
            JoseTestIssuer.Sign(claims, header: new Dictionary<string, object> { ["typ"] = "at+jwt" }), issuer.Server, ExpectedFor(issuer) with { RequireAtJwtType = true });

        validation.Should().BeValid();
    }

    [Test]
    public void The_audience_defaults_to_the_server_profiles_audience()
    {
        AccessTokenExpectations.For(new JoseTestIssuer().Server, "c").Audience.Should().Be(JoseTestIssuer.Audience);
    }

    [Test]
    public async Task Wrong_aud_is_rejected()
    {
        var validation = await ValidateClaimsAsync(c => c["aud"] = "api://another");

        validation.Should().BeRejectedFor("aud ['api://another'] does not contain the audience 'api://default' of 'default'");
    }

    [Test]
    public async Task An_id_token_presented_as_an_access_token_is_rejected_for_its_audience()
    {
        var issuer = new JoseTestIssuer();

        var validation = await new AccessTokenValidator().ValidateAsync(JoseTestIssuer.Sign(issuer.IdTokenClaims()), issuer.Server, ExpectedFor(issuer));

        validation.Should().BeRejectedFor("aud ['web-app'] does not contain the audience 'api://default'");
    }

    [Test]
    public async Task A_missing_scope_is_rejected()
    {
        var validation = await ValidateClaimsAsync(c => c["scp"] = new[] { "openid" });

        validation.Should().BeRejectedFor("scope ['openid'] lacks the expected ['orders.read']");
    }

    [Test]
    public async Task No_scope_claim_at_all_is_rejected()
    {
        var validation = await ValidateClaimsAsync(c => c.Remove("scp"));

        validation.Should().BeRejectedFor("scope is missing (neither scp nor scope)");
    }

    [Test]
    public async Task A_space_separated_scp_string_is_read_as_scopes()
    {
        var validation = await ValidateClaimsAsync(c => c["scp"] = "openid orders.read");

        validation.Should().BeValid();
    }

    [Test]
    public async Task Wrong_cid_is_rejected()
    {
        var validation = await ValidateClaimsAsync(c => c["cid"] = "another-client");

        validation.Should().BeRejectedFor("cid 'another-client' is not the client 'web-app'");
    }

    [Test]
    public async Task Wrong_client_id_is_rejected()
    {
        var validation = await ValidateClaimsAsync(c =>
        {
            c.Remove("cid");
            c["client_id"] = "another-client";
        });

        validation.Should().BeRejectedFor("client_id 'another-client' is not the client 'web-app'");
    }

    [Test]
    public async Task Missing_client_is_rejected()
    {
        var validation = await ValidateClaimsAsync(c => c.Remove("cid"));

        validation.Should().BeRejectedFor("client_id (or cid) is missing");
    }

    [Test]
    public async Task A_signature_by_another_servers_key_is_rejected()
    {
        var issuer = new JoseTestIssuer();

        var validation = await new AccessTokenValidator().ValidateAsync(
            JoseTestIssuer.Sign(issuer.AccessTokenClaims(), JoseTestIssuer.AttackerKey), issuer.Server, ExpectedFor(issuer));

        validation.Should().BeRejectedFor("the signature does not verify with key 'k1' of the JWKS of 'default'");
    }

    [Test]
    public async Task A_token_of_another_authorization_server_is_rejected_for_its_kid_and_issuer()
    {
        var other = new JoseTestIssuer("aus-second");
        var mine = new JoseTestIssuer();
        var theirs = JoseTestIssuer.Sign(other.AccessTokenClaims(), JoseTestIssuer.NewRsaKey("second-k1"));

        var validation = await new AccessTokenValidator().ValidateAsync(theirs, mine.Server, ExpectedFor(mine));

        validation.Should().BeRejectedFor("kid 'second-k1' is not in the JWKS of 'default'")
            .And.BeRejectedFor("iss 'https://issuer.test/oauth2/aus-second' is not the issuer 'https://issuer.test/oauth2/default'");
        mine.Jwks.Fetches.Should().Be(2, "one refetch for the unknown kid, no more");
    }

    [Test]
    public async Task Alg_none_and_hs256_are_rejected()
    {
        var issuer = new JoseTestIssuer();
        var hmac = new SymmetricSecurityKey(JoseTestIssuer.SigningKey.Rsa.ExportSubjectPublicKeyInfo()) { KeyId = "k1" };

        var none = await new AccessTokenValidator().ValidateAsync(JoseTestIssuer.Unsigned(issuer.AccessTokenClaims()), issuer.Server, ExpectedFor(issuer));
        var confused = await new AccessTokenValidator().ValidateAsync(
            JoseTestIssuer.Sign(issuer.AccessTokenClaims(), hmac, SecurityAlgorithms.HmacSha256), issuer.Server, ExpectedFor(issuer));

        none.Should().BeRejectedFor("alg 'none' is never acceptable: the access token is unsigned");
        confused.Should().BeRejectedFor("alg 'HS256' is a symmetric (HMAC) algorithm");
    }

    [Test]
    public async Task An_expired_access_token_is_rejected()
    {
        var validation = await ValidateClaimsAsync(c => c["exp"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 600);

        validation.Should().BeRejectedFor("has passed");
    }

    [Test]
    public async Task Iat_in_the_future_is_rejected()
    {
        var validation = await ValidateClaimsAsync(c => c["iat"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 3000);

        validation.Should().BeRejectedFor("is in the future");
    }

    [Test]
    public async Task A_missing_at_jwt_typ_is_rejected_only_when_required()
    {
        var lenient = await ValidateClaimsAsync(_ => { });
        var strict = await ValidateClaimsAsync(_ => { }, e => e with { RequireAtJwtType = true });

        lenient.Should().BeValid();
        strict.Should().BeRejectedFor("typ 'JWT' is not 'at+jwt'");
    }

    [TestCase("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln", true)]
    [TestCase("eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0.", true)]
    [TestCase("00D5e000000abcd!AQ4AQFhk2.ZGl0", false)]
    [TestCase("2YotnFZFEjr1zCsicMWpAA", false)]
    [TestCase("a.b.c", false)]
    [TestCase("", false)]
    [TestCase(null, false)]
    public void IsJwt_tells_a_jwt_from_an_opaque_token(string? token, bool isJwt)
    {
        AccessTokenValidator.IsJwt(token).Should().Be(isJwt);
    }

    [Test]
    public void IsJwt_is_true_for_a_signed_token()
    {
        AccessTokenValidator.IsJwt(JoseTestIssuer.Sign(new JoseTestIssuer().AccessTokenClaims())).Should().BeTrue();
    }
}
