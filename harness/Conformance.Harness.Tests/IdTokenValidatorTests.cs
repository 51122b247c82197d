using System.Security.Cryptography;
using Conformance.Harness.Assertions;
using Conformance.Harness.Jose;
using Microsoft.IdentityModel.Tokens;

namespace Conformance.Harness.Tests;

/// <summary>
/// The ID token validator against real signed tokens and the forgeries a relying party must refuse, each
/// rejected with a message that names the rule it breaks (OIDC Core §3.1.3.7, §3.2.2.11, §3.3.2.12).
/// </summary>
public class IdTokenValidatorTests
{
    private const string AccessToken = "eyJraWQiOiJrMSJ9.access-token-value.sig";
    private const string Code = "SplxlOBeZQQYbYS6WxSbIA";

    private static readonly IdTokenExpectations Expected = new(JoseTestIssuer.ClientId, JoseTestIssuer.Nonce);

    private static Task<TokenValidation> ValidateAsync(JoseTestIssuer issuer, string idToken, IdTokenExpectations? expected = null) =>
        new IdTokenValidator().ValidateAsync(idToken, issuer.Server, expected ?? Expected);

    private static async Task<TokenValidation> ValidateClaimsAsync(Action<Dictionary<string, object>> change, IdTokenExpectations? expected = null)
    {
        var issuer = new JoseTestIssuer();
        var claims = issuer.IdTokenClaims();
        change(claims);
        return await ValidateAsync(issuer, JoseTestIssuer.Sign(claims), expected).ConfigureAwait(false);
    }

    [Test]
    public async Task An_honest_id_token_is_valid_and_decoded_without_its_signature()
    {
        var issuer = new JoseTestIssuer();
        var idToken = JoseTestIssuer.Sign(issuer.IdTokenClaims());

        var validation = await ValidateAsync(issuer, idToken);

        validation.Should().BeValid("it is signed by the server's published key and names the server, the client and the nonce");
        validation.SignatureVerified.Should().BeTrue();
        validation.Kind.Should().Be("ID token");
        validation.Claim("sub").Should().Be("00u1alice");
        validation.Fingerprint.Should().StartWith("[sha256:");
        validation.Decoded.Should().Contain("\"kid\":\"k1\"").And.Contain("00u1alice").And.NotContain(idToken.Split('.')[2]);
        issuer.Jwks.Fetches.Should().Be(1, "a known kid needs no refetch");
    }

    [Test]
    public async Task An_id_token_from_the_front_channel_with_matching_at_hash_and_c_hash_is_valid()
    {
        var issuer = new JoseTestIssuer();
        var claims = issuer.IdTokenClaims();
        claims["at_hash"] = JoseTestIssuer.Hash(AccessToken);
        claims["c_hash"] = JoseTestIssuer.Hash(Code);

        var validation = await ValidateAsync(issuer, JoseTestIssuer.Sign(claims),
            Expected with { AccessToken = AccessToken, RequireAtHash = true, Code = Code, RequireCHash = true, MaxAge = 300 });

        validation.Should().BeValid();
    }

    [Test]
    public async Task Alg_none_is_rejected_as_unsigned()
    {
        var issuer = new JoseTestIssuer();

        var validation = await ValidateAsync(issuer, JoseTestIssuer.Unsigned(issuer.IdTokenClaims()));

        validation.Should().BeRejectedFor("alg 'none' is never acceptable: the ID token is unsigned");
        validation.SignatureVerified.Should().BeFalse();
    }

    [Test]
    public async Task Alg_none_is_rejected_even_when_the_server_advertises_it()
    {
        var issuer = new JoseTestIssuer(idTokenAlgs: ["RS256", "none"]);

        var validation = await ValidateAsync(issuer, JoseTestIssuer.Unsigned(issuer.IdTokenClaims()));

        validation.Should().BeRejectedFor("alg 'none'");
    }

    [Test]
    public async Task A_stripped_signature_is_rejected()
    {
        var issuer = new JoseTestIssuer();
        var signed = JoseTestIssuer.Sign(issuer.IdTokenClaims());
        var stripped = signed[..(signed.LastIndexOf('.') + 1)];

        var validation = await ValidateAsync(issuer, stripped);

        validation.Should().BeRejectedFor("the signature is missing");
    }

    [Test]
    public async Task A_payload_swapped_under_a_genuine_signature_is_rejected()
    {
        var issuer = new JoseTestIssuer();
        var genuine = JoseTestIssuer.Sign(issuer.IdTokenClaims()).Split('.');
        var claims = issuer.IdTokenClaims();
        claims["sub"] = "00u1mallory";
        var tampered = JoseTestIssuer.Sign(claims).Split('.');

        var validation = await ValidateAsync(issuer, $"{genuine[0]}.{tampered[1]}.{genuine[2]}");

        validation.Should().BeRejectedFor("the signature does not verify with key 'k1' of the JWKS of 'default'");
    }

    [Test]
    public async Task Hs256_keyed_with_the_servers_rsa_public_key_is_rejected_as_key_confusion()
    {
        var issuer = new JoseTestIssuer();
        var publicKeyBytes = JoseTestIssuer.SigningKey.Rsa.ExportSubjectPublicKeyInfo();
        var hmac = new SymmetricSecurityKey(publicKeyBytes) { KeyId = "k1" };

        var validation = await ValidateAsync(issuer, JoseTestIssuer.Sign(issuer.IdTokenClaims(), hmac, SecurityAlgorithms.HmacSha256));

        validation.Should().BeRejectedFor("alg 'HS256' is a symmetric (HMAC) algorithm");
    }

    [Test]
    public async Task Hs256_keyed_with_the_public_key_pem_is_rejected_even_when_the_server_advertises_hs256()
    {
        var issuer = new JoseTestIssuer(idTokenAlgs: ["RS256", "HS256"]);
        var pem = System.Text.Encoding.ASCII.GetBytes(JoseTestIssuer.SigningKey.Rsa.ExportSubjectPublicKeyInfoPem());
        var hmac = new SymmetricSecurityKey(pem) { KeyId = "k1" };

        var validation = await ValidateAsync(issuer, JoseTestIssuer.Sign(issuer.IdTokenClaims(), hmac, SecurityAlgorithms.HmacSha256));

        validation.Should().BeRejectedFor("symmetric (HMAC)").And.BeRejectedFor("key confusion");
    }

    [Test]
    public async Task An_alg_the_server_does_not_advertise_is_rejected()
    {
        var issuer = new JoseTestIssuer();

        var validation = await ValidateAsync(issuer, JoseTestIssuer.Sign(issuer.IdTokenClaims(), alg: SecurityAlgorithms.RsaSsaPssSha256));

        validation.Should().BeRejectedFor("alg 'PS256' is not among the server's id_token_signing_alg_values_supported [RS256]");
    }

    [Test]
    public async Task A_signature_by_another_servers_key_under_the_servers_kid_is_rejected()
    {
        var issuer = new JoseTestIssuer();

        var validation = await ValidateAsync(issuer, JoseTestIssuer.Sign(issuer.IdTokenClaims(), JoseTestIssuer.AttackerKey));

        validation.Should().BeRejectedFor("the signature does not verify with key 'k1'");
        validation.SignatureVerified.Should().BeFalse();
    }

    [Test]
    public async Task A_key_embedded_in_the_header_is_never_trusted()
    {
        var issuer = new JoseTestIssuer();
        var attackerJwk = JoseTestIssuer.PublicJwk(JoseTestIssuer.AttackerKey);
        var header = new Dictionary<string, object> { ["jwk"] = new Dictionary<string, object> { ["kty"] = "RSA", ["n"] = attackerJwk.N, ["e"] = attackerJwk.E, ["kid"] = "k1" } };

        var validation = await ValidateAsync(issuer, JoseTestIssuer.Sign(issuer.IdTokenClaims(), JoseTestIssuer.AttackerKey, header: header));

        validation.Should().BeRejectedFor("the signature does not verify");
    }

    [Test]
    public async Task An_unknown_kid_is_rejected_after_exactly_one_refetch_of_the_jwks()
    {
        var issuer = new JoseTestIssuer();
        var stranger = JoseTestIssuer.NewRsaKey("x");

        var validation = await ValidateAsync(issuer, JoseTestIssuer.Sign(issuer.IdTokenClaims(), stranger));

        validation.Should().BeRejectedFor("kid 'x' is not in the JWKS of 'default' (https://issuer.test/oauth2/default/v1/keys), even after refetching it once");
        issuer.Jwks.Fetches.Should().Be(2, "the first load plus exactly one refetch for the unknown kid");
    }

    [Test]
    public async Task A_key_rotated_in_after_the_first_fetch_is_found_by_the_refetch_and_accepted()
    {
        var issuer = new JoseTestIssuer();
        (await ValidateAsync(issuer, JoseTestIssuer.Sign(issuer.IdTokenClaims()))).Should().BeValid();
        issuer.Jwks.Fetches.Should().Be(1);

        issuer.Publish(JoseTestIssuer.NextKey);
        var validation = await ValidateAsync(issuer, JoseTestIssuer.Sign(issuer.IdTokenClaims(), JoseTestIssuer.NextKey));

        validation.Should().BeValid("OIDC Core §10.1.1: a new kid means the server rolled its keys over");
        issuer.Jwks.Fetches.Should().Be(2, "one refetch found the new key");
        (await ValidateAsync(issuer, JoseTestIssuer.Sign(issuer.IdTokenClaims(), JoseTestIssuer.NextKey))).Should().BeValid();
        issuer.Jwks.Fetches.Should().Be(2, "the rotated key is now cached");
    }

    [Test]
    public async Task A_missing_kid_is_rejected_when_the_jwks_holds_several_keys()
    {
        var issuer = new JoseTestIssuer();
        issuer.Publish(JoseTestIssuer.NextKey);
        var noKid = new RsaSecurityKey(JoseTestIssuer.SigningKey.Rsa);

        var validation = await ValidateAsync(issuer, JoseTestIssuer.Sign(issuer.IdTokenClaims(), noKid));

        validation.Should().BeRejectedFor("kid is missing from the header although the JWKS of 'default' holds 2 signing keys");
    }

    [Test]
    public async Task A_missing_kid_is_accepted_when_the_jwks_holds_one_key()
    {
        var issuer = new JoseTestIssuer();
        var noKid = new RsaSecurityKey(JoseTestIssuer.SigningKey.Rsa);

        var validation = await ValidateAsync(issuer, JoseTestIssuer.Sign(issuer.IdTokenClaims(), noKid));

        validation.Should().BeValid("OIDC Core §10.1: kid is only required when the JWKS holds several keys");
    }

    [TestCase("https://issuer.test/oauth2/default/")]
    [TestCase("https://ISSUER.test/oauth2/default")]
    [TestCase("https://issuer.test/oauth2/aus-second")]
    public async Task Wrong_iss_is_rejected(string iss)
    {
        var validation = await ValidateClaimsAsync(c => c["iss"] = iss);

        validation.Should().BeRejectedFor($"iss '{iss}' is not the issuer 'https://issuer.test/oauth2/default'");
        validation.SignatureVerified.Should().BeTrue("the forgery is in the claims, not the signature");
    }

    [Test]
    public async Task Missing_iss_is_rejected()
    {
        var validation = await ValidateClaimsAsync(c => c.Remove("iss"));

        validation.Should().BeRejectedFor("iss is missing");
    }

    [Test]
    public async Task Wrong_aud_is_rejected()
    {
        var validation = await ValidateClaimsAsync(c => c["aud"] = "another-client");

        validation.Should().BeRejectedFor("aud ['another-client'] does not contain the client_id 'web-app'");
    }

    [Test]
    public async Task Several_aud_without_azp_is_rejected()
    {
        var validation = await ValidateClaimsAsync(c => c["aud"] = new[] { JoseTestIssuer.ClientId, "api://other" });

        validation.Should().BeRejectedFor("azp is missing although aud has several values ['web-app', 'api://other']");
    }

    [Test]
    public async Task Several_aud_with_azp_of_this_client_is_valid()
    {
        var validation = await ValidateClaimsAsync(c =>
        {
            c["aud"] = new[] { JoseTestIssuer.ClientId, "api://other" };
            c["azp"] = JoseTestIssuer.ClientId;
        });

        validation.Should().BeValid();
    }

    [Test]
    public async Task Azp_of_another_client_is_rejected()
    {
        var validation = await ValidateClaimsAsync(c => c["azp"] = "another-client");

        validation.Should().BeRejectedFor("azp 'another-client' is not the client_id 'web-app'");
    }

    [Test]
    public async Task Wrong_nonce_is_rejected()
    {
        var validation = await ValidateClaimsAsync(c => c["nonce"] = "replayed-nonce");

        validation.Should().BeRejectedFor("nonce does not match the one sent in the authorization request");
    }

    [Test]
    public async Task Missing_nonce_is_rejected_when_the_request_sent_one()
    {
        var validation = await ValidateClaimsAsync(c => c.Remove("nonce"));

        validation.Should().BeRejectedFor("nonce is missing although the authorization request sent one");
    }

    [Test]
    public async Task Missing_nonce_is_accepted_when_the_request_sent_none()
    {
        var validation = await ValidateClaimsAsync(c => c.Remove("nonce"), Expected with { Nonce = null });

        validation.Should().BeValid();
    }

    [Test]
    public async Task An_expired_id_token_is_rejected()
    {
        var validation = await ValidateClaimsAsync(c =>
        {
            var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            c["iat"] = now - 7200;
            c["exp"] = now - 3600;
        });

        validation.Should().BeRejectedFor("has passed (clock skew allowed: 120 s)");
        validation.FailuresAbout("exp ").Should().ContainSingle().Which.Should().StartWith("exp ");
    }

    [Test]
    public async Task An_id_token_expired_within_the_clock_skew_is_accepted()
    {
        var validation = await ValidateClaimsAsync(c => c["exp"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 30);

        validation.Should().BeValid("30 s is within the 2 minute clock skew");
    }

    [Test]
    public async Task Missing_exp_is_rejected()
    {
        var validation = await ValidateClaimsAsync(c => c.Remove("exp"));

        validation.Should().BeRejectedFor("exp is missing");
    }

    [Test]
    public async Task Iat_far_in_the_future_is_rejected()
    {
        var validation = await ValidateClaimsAsync(c => c["iat"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 3000);

        validation.Should().BeRejectedFor("is in the future (clock skew allowed: 120 s)");
        validation.FailuresAbout("iat ").Should().ContainSingle();
    }

    [Test]
    public async Task Missing_sub_is_rejected()
    {
        var validation = await ValidateClaimsAsync(c => c.Remove("sub"));

        validation.Should().BeRejectedFor("sub is missing");
    }

    [Test]
    public async Task Wrong_at_hash_is_rejected()
    {
        var validation = await ValidateClaimsAsync(c => c["at_hash"] = JoseTestIssuer.Hash("another-access-token"),
            Expected with { AccessToken = AccessToken });

        validation.Should().BeRejectedFor("at_hash does not match the access token");
    }

    [Test]
    public async Task At_hash_computed_with_sha256_under_rs384_is_rejected_and_with_sha384_accepted()
    {
        var issuer = new JoseTestIssuer(idTokenAlgs: ["RS256", "RS384"]);
        var expected = Expected with { AccessToken = AccessToken, RequireAtHash = true };
        var claims = issuer.IdTokenClaims();
        claims["at_hash"] = JoseTestIssuer.Hash(AccessToken, SecurityAlgorithms.RsaSha256);

        var wrongHash = await ValidateAsync(issuer, JoseTestIssuer.Sign(claims, alg: SecurityAlgorithms.RsaSha384), expected);
        claims["at_hash"] = JoseTestIssuer.Hash(AccessToken, SecurityAlgorithms.RsaSha384);
        var rightHash = await ValidateAsync(issuer, JoseTestIssuer.Sign(claims, alg: SecurityAlgorithms.RsaSha384), expected);

        wrongHash.Should().BeRejectedFor("at_hash does not match the access token: the left half of its SHA384 hash for alg 'RS384'");
        rightHash.Should().BeValid();
        rightHash.Claim("at_hash")!.Length.Should().Be(32, "24 bytes of SHA-384, base64url without padding");
    }

    [Test]
    public async Task Missing_at_hash_is_rejected_when_required_for_id_token_token()
    {
        var validation = await ValidateClaimsAsync(_ => { }, Expected with { AccessToken = AccessToken, RequireAtHash = true });

        validation.Should().BeRejectedFor("at_hash is missing although the ID token came from the authorization endpoint with an access token");
    }

    [Test]
    public async Task Missing_at_hash_is_accepted_for_an_id_token_from_the_token_endpoint()
    {
        var validation = await ValidateClaimsAsync(_ => { }, Expected with { AccessToken = AccessToken });

        validation.Should().BeValid("OIDC Core §3.1.3.6: at_hash is OPTIONAL in the code flow");
    }

    [Test]
    public async Task Wrong_c_hash_is_rejected()
    {
        var validation = await ValidateClaimsAsync(c => c["c_hash"] = JoseTestIssuer.Hash("another-code"), Expected with { Code = Code });

        validation.Should().BeRejectedFor("c_hash does not match the authorization code");
    }

    [Test]
    public async Task Missing_c_hash_is_rejected_when_required_for_the_hybrid_flow()
    {
        var validation = await ValidateClaimsAsync(_ => { }, Expected with { Code = Code, RequireCHash = true });

        validation.Should().BeRejectedFor("c_hash is missing although the ID token came from the authorization endpoint with a code");
    }

    [Test]
    public async Task Auth_time_too_old_for_max_age_is_rejected()
    {
        var validation = await ValidateClaimsAsync(c => c["auth_time"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 3600, Expected with { MaxAge = 60 });

        validation.Should().BeRejectedFor("older than max_age=60 allows");
        validation.FailuresAbout("auth_time ").Should().ContainSingle().Which.Should().StartWith("auth_time ");
    }

    [Test]
    public async Task Missing_auth_time_is_rejected_when_max_age_was_sent()
    {
        var validation = await ValidateClaimsAsync(c => c.Remove("auth_time"), Expected with { MaxAge = 300 });

        validation.Should().BeRejectedFor("auth_time is missing although max_age=300 was sent");
    }

    [Test]
    public async Task Missing_auth_time_is_accepted_when_max_age_was_not_sent()
    {
        var validation = await ValidateClaimsAsync(c => c.Remove("auth_time"));

        validation.Should().BeValid();
    }

    [Test]
    public async Task Every_broken_rule_is_reported_not_just_the_first()
    {
        var validation = await ValidateClaimsAsync(c =>
        {
            c["iss"] = "https://evil.test";
            c["aud"] = "another-client";
            c["nonce"] = "other";
            c["exp"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 3600;
        });

        validation.Failures.Select(f => f.Split(' ')[0]).Should().BeEquivalentTo(["iss", "aud", "exp", "nonce"]);
    }

    [Test]
    public async Task Text_that_is_not_a_jws_is_rejected()
    {
        var validation = await ValidateAsync(new JoseTestIssuer(), "not-a-token");

        validation.Should().BeRejectedFor("not a compact JWS");
        validation.Token.Should().BeNull();
        validation.Decoded.Should().Contain("not decodable");
    }

    [Test]
    public void Front_channel_expectations_follow_the_response_type()
    {
        var request = new Protocol.AuthorizationRequest
        {
            Endpoint = new Uri("https://issuer.test/authorize"),
            ClientId = JoseTestIssuer.ClientId,
            RedirectUri = new Uri("https://app.test/cb"),
            ResponseType = "code id_token token",
            MaxAge = 60,
        };
        var response = new Protocol.AuthorizationResponse(new Dictionary<string, string> { ["code"] = Code, ["access_token"] = AccessToken }, "fragment");

        var expected = IdTokenExpectations.FromFrontChannel(request, response);

        expected.Should().BeEquivalentTo(new
        {
            ClientId = JoseTestIssuer.ClientId,
            request.Nonce,
            MaxAge = 60,
            AccessToken,
            RequireAtHash = true,
            Code,
            RequireCHash = true,
        });
        IdTokenExpectations.FromFrontChannel(request with { ResponseType = "id_token" }, response).Should().Match<IdTokenExpectations>(e => !e.RequireAtHash && !e.RequireCHash);
    }

    [Test]
    public void The_rsa_key_is_a_real_2048_bit_key()
    {
        // Guards the forgeries above: a toy key would make the signature tests meaningless.
        JoseTestIssuer.SigningKey.Rsa.KeySize.Should().Be(2048);
        JoseTestIssuer.SigningKey.Rsa.Should().BeAssignableTo<RSA>();
    }
}
