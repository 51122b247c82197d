using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Conformance.Harness.Jose;

/// <summary>
/// The claims of a client assertion (RFC 7523 §3, OIDC Core §9 private_key_jwt): iss and sub are the client_id, aud
/// names the authorization server, exp bounds it, jti makes it single use. Checks change one claim at a time.
/// </summary>
public sealed record ClientAssertionClaims(string Issuer, string Subject, string Audience, string JwtId, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt)
{
    /// <summary>
    /// An honest assertion for <paramref name="clientId"/>: aud is the token endpoint URL (OIDC Core §9 "SHOULD be the
    /// URL of the Authorization Server's Token Endpoint"; Okta requires it), valid for five minutes, a fresh jti.
    /// </summary>
    public static ClientAssertionClaims For(string clientId, Uri audience, DateTimeOffset? now = null)
    {
        var at = now ?? DateTimeOffset.UtcNow;
        return new(clientId, clientId, audience.AbsoluteUri, Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16)), at, at.AddMinutes(5));
    }

    /// <summary>RFC 7523 §3: the optional nbf, "the time before which the token MUST NOT be accepted"; absent unless set.</summary>
    public DateTimeOffset? NotBefore { get; init; }

    public string ToJson()
    {
        var json = new JsonObject
        {
            ["iss"] = Issuer,
            ["sub"] = Subject,
            ["aud"] = Audience,
            ["jti"] = JwtId,
            ["iat"] = IssuedAt.ToUnixTimeSeconds(),
            ["exp"] = ExpiresAt.ToUnixTimeSeconds(),
        };
        if (NotBefore is { } notBefore)
        {
            json["nbf"] = notBefore.ToUnixTimeSeconds();
        }

        return json.ToJsonString();
    }
}

/// <summary>Signs client assertions with a client's private JWK (RS256/PS256/ES256 by the key), or leaves them unsigned.</summary>
public static class ClientAssertion
{
    /// <summary>RFC 7523 §2.2.</summary>
    public const string JwtBearerType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    /// <summary>
    /// The JWT "typ" of a client assertion: explicit typing (RFC 8725 §3.11) as the RFC 7523 update
    /// (draft-ietf-oauth-rfc7523bis) defines it. RFC 7523 servers ignore typ; OpenIddict 7 requires this one.
    /// </summary>
    public const string Type = "client-authentication+jwt";

    /// <summary>Signed with <paramref name="privateJwk"/> (JSON text of a private JWK); its kid goes into the header.</summary>
    public static string Sign(ClientAssertionClaims claims, string privateJwk) => Sign(claims, Key(privateJwk));

    public static string Sign(ClientAssertionClaims claims, JsonWebKey key)
    {
        var algorithm = key.Alg is { Length: > 0 } alg ? alg : key.Kty == "EC" ? SecurityAlgorithms.EcdsaSha256 : SecurityAlgorithms.RsaSha256;
        return new JsonWebTokenHandler().CreateToken(claims.ToJson(), new SigningCredentials(key, algorithm), new Dictionary<string, object> { ["typ"] = Type });
    }

    /// <summary>The same claims with "alg":"none" and an empty signature (RFC 7519 §6), which no server may accept as authentication.</summary>
    public static string Unsigned(ClientAssertionClaims claims)
    {
        static string Part(string json) => Base64UrlEncoder.Encode(json);
        return Part("{\"alg\":\"none\",\"typ\":\"" + Type + "\"}") + "." + Part(claims.ToJson()) + ".";
    }

    /// <summary>A fresh RSA key the server has never seen, for an assertion signed by a stranger.</summary>
    public static JsonWebKey StrangerKey()
    {
        var key = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(RSA.Create(2048)) { KeyId = "stranger-" + Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(6)) });
        key.Alg = SecurityAlgorithms.RsaSha256;
        return key;
    }

    public static JsonWebKey Key(string privateJwk) => new(privateJwk);

    /// <summary>Why the text is not a usable private JWK, or null when it is. Never quotes the key.</summary>
    public static string? KeyProblem(string privateJwk)
    {
        try
        {
            using var document = JsonDocument.Parse(privateJwk);
            var key = new JsonWebKey(privateJwk);
            return key.Kty switch
            {
                "RSA" when string.IsNullOrEmpty(key.D) || string.IsNullOrEmpty(key.N) => "an RSA JWK without its private part (n and d)",
                "EC" when string.IsNullOrEmpty(key.D) || string.IsNullOrEmpty(key.X) => "an EC JWK without its private part (x, y and d)",
                "RSA" or "EC" => null,
                _ => $"a JWK of kty '{key.Kty}' (expected RSA or EC)",
            };
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            return "not a JWK in JSON";
        }
    }
}
