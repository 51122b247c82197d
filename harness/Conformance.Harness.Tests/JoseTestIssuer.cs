using System.Security.Cryptography;
using System.Text.Json;
using Conformance.Harness.Jose;
using Conformance.Harness.Protocol;
using Conformance.Harness.Target;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Conformance.Harness.Tests;

/// <summary>
/// A test double of one authorization server: its issuer, its discovery metadata, and a JWKS served from memory
/// that counts every fetch and can be changed between fetches (key rotation). Tokens are signed for real with
/// RSA keys generated once per test run.
/// </summary>
internal sealed class JoseTestIssuer
{
    public const string ClientId = "web-app";
    public const string Nonce = "n-0S6_WzA2Mj";
    public const string Audience = "api://default";

    private static readonly Lazy<RsaSecurityKey> Key1 = new(() => NewRsaKey("k1"));
    private static readonly Lazy<RsaSecurityKey> Key2 = new(() => NewRsaKey("k2"));
    private static readonly Lazy<RsaSecurityKey> Attacker = new(() => NewRsaKey("k1"));

    private readonly List<JsonWebKey> published;

    public JoseTestIssuer(string name = "default", IReadOnlyList<string>? idTokenAlgs = null)
    {
        Issuer = $"https://issuer.test/oauth2/{name}";
        published = [PublicJwk(SigningKey)];
        var jwksUri = new Uri(Issuer + "/v1/keys");
        var metadata = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["issuer"] = Issuer,
            ["jwks_uri"] = jwksUri.AbsoluteUri,
            ["authorization_endpoint"] = Issuer + "/v1/authorize",
            ["token_endpoint"] = Issuer + "/v1/token",
            ["id_token_signing_alg_values_supported"] = idTokenAlgs ?? ["RS256"],
        });
        using var document = JsonDocument.Parse(metadata);
        Jwks = new JwksCache(jwksUri, _ =>
        {
            var set = new JsonWebKeySet();
            foreach (var key in published)
            {
                set.Keys.Add(key);
            }

            return Task.FromResult(set);
        });
        Server = AuthorizationServer.Discovered(
            new ServerProfile(name, new Uri(Issuer), Audience, ["openid", "profile"]),
            new ProviderMetadata(document.RootElement, new Uri(Issuer + "/.well-known/openid-configuration")),
            Jwks);
    }

    /// <summary>The server's current signing key, kid "k1", published in its JWKS.</summary>
    public static RsaSecurityKey SigningKey => Key1.Value;

    /// <summary>A key the server has not published yet, kid "k2": rotated in by <see cref="Publish"/>.</summary>
    public static RsaSecurityKey NextKey => Key2.Value;

    /// <summary>Someone else's private key that claims the server's kid "k1".</summary>
    public static RsaSecurityKey AttackerKey => Attacker.Value;

    public string Issuer { get; }

    public JwksCache Jwks { get; }

    public AuthorizationServer Server { get; }

    /// <summary>Adds a key to the JWKS from the next fetch on (the server rotates a key in).</summary>
    public void Publish(RsaSecurityKey key) => published.Add(PublicJwk(key));

    public static RsaSecurityKey NewRsaKey(string kid)
    {
        var rsa = RSA.Create(2048);
        return new RsaSecurityKey(rsa) { KeyId = kid };
    }

    public static JsonWebKey PublicJwk(RsaSecurityKey key)
    {
        var parameters = key.Rsa?.ExportParameters(false) ?? new RSAParameters { Modulus = key.Parameters.Modulus, Exponent = key.Parameters.Exponent };
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(parameters) { KeyId = key.KeyId });
        jwk.Use = "sig";
        return jwk;
    }

    /// <summary>The claims of an honest ID token for <see cref="ClientId"/> and <see cref="Nonce"/>, issued now.</summary>
    public Dictionary<string, object> IdTokenClaims()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return new Dictionary<string, object>
        {
            ["iss"] = Issuer,
            ["sub"] = "00u1alice",
            ["aud"] = ClientId,
            ["iat"] = now,
            ["exp"] = now + 3600,
            ["auth_time"] = now - 10,
            ["nonce"] = Nonce,
        };
    }

    /// <summary>The claims of an honest Okta-style JWT access token for <see cref="Audience"/>.</summary>
    public Dictionary<string, object> AccessTokenClaims()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return new Dictionary<string, object>
        {
            ["iss"] = Issuer,
            ["sub"] = "00u1alice",
            ["aud"] = Audience,
            ["iat"] = now,
            ["exp"] = now + 3600,
            ["jti"] = "AT.abc",
            ["cid"] = ClientId,
            ["scp"] = new[] { "openid", "orders.read" },
        };
    }

    /// <summary>Signs <paramref name="claims"/> for real with <paramref name="key"/> (the server's key by default).</summary>
    public static string Sign(IDictionary<string, object> claims, SecurityKey? key = null, string alg = SecurityAlgorithms.RsaSha256, IDictionary<string, object>? header = null) =>
        new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Claims = claims,
            SigningCredentials = new SigningCredentials(key ?? SigningKey, alg),
            AdditionalHeaderClaims = header,
        });

    /// <summary>An unsigned JWS (alg none): header and payload base64url-encoded, empty signature.</summary>
    public static string Unsigned(IDictionary<string, object> claims, string alg = "none") =>
        Base64UrlEncoder.Encode(JsonSerializer.Serialize(new Dictionary<string, string> { ["alg"] = alg, ["kid"] = "k1" }))
        + "." + Base64UrlEncoder.Encode(JsonSerializer.Serialize(claims)) + ".";

    /// <summary>The at_hash / c_hash of <paramref name="value"/> for <paramref name="alg"/>.</summary>
    public static string Hash(string value, string alg = SecurityAlgorithms.RsaSha256) => JwsAlgorithms.LeftHalfHash(value, alg)!;
}
