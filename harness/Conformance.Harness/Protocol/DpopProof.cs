using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;

namespace Conformance.Harness.Protocol;

/// <summary>
/// RFC 9449 §4.2: what one DPoP proof says. The honest values by default; a check changes one member (an old iat,
/// another htm, alg none) and watches the server refuse the proof.
/// </summary>
public sealed record DpopProofClaims
{
    /// <summary>The HTTP method of the request the proof travels with.</summary>
    public required string Htm { get; init; }

    /// <summary>The target URI; written without query and fragment (§4.2).</summary>
    public required Uri Htu { get; init; }

    /// <summary>The access token the proof accompanies at a protected resource; its hash is the ath claim (§4.2).</summary>
    public string? AccessToken { get; init; }

    /// <summary>A server-provided nonce (§8, §9), echoed in the nonce claim.</summary>
    public string? Nonce { get; init; }

    /// <summary>Null leaves the jti claim out (a proof missing a required claim).</summary>
    public string? Jti { get; init; } = Random.Token(18);

    public DateTimeOffset IssuedAt { get; init; } = DateTimeOffset.UtcNow;

    public string Typ { get; init; } = "dpop+jwt";

    /// <summary>ES256 (the proof key's own), or "none" / "HS256", which a server must refuse (§4.3 item 5).</summary>
    public string Alg { get; init; } = "ES256";

    /// <summary>The jwk header also carries the private key (d): a proof §4.3 item 7 makes the server refuse.</summary>
    public bool PrivateKeyInJwk { get; init; }

    /// <summary>Replaces the ath the access token would give (a proof for another token).</summary>
    public string? Ath { get; init; }
}

/// <summary>
/// RFC 9449 §4.1: an ephemeral EC P-256 key the harness proves possession of with DPoP proofs. One per check, never
/// persisted; only its public half (the jwk header) leaves the process.
/// </summary>
public sealed class DpopKey : IDisposable
{
    private readonly ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public DpopKey()
    {
        var p = key.ExportParameters(includePrivateParameters: false);
        var (x, y) = (Base64UrlEncoder.Encode(p.Q.X!), Base64UrlEncoder.Encode(p.Q.Y!));
        PublicJwk = new JsonObject { ["kty"] = "EC", ["crv"] = "P-256", ["x"] = x, ["y"] = y };
        // RFC 7638 §3.2: the required members in lexicographic order, no whitespace.
        var canonical = $"{{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"{x}\",\"y\":\"{y}\"}}";
        Thumbprint = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    /// <summary>The public key as the proof's jwk header (§4.2).</summary>
    public JsonObject PublicJwk { get; }

    /// <summary>The RFC 7638 SHA-256 thumbprint: what a bound token's cnf.jkt names (§6.1).</summary>
    public string Thumbprint { get; }

    /// <summary>A compact JWS proof (§4.2) for the given claims.</summary>
    public string Proof(DpopProofClaims claims)
    {
        // HS256 carries a symmetric jwk and a MAC under it: the forgery a server that honours symmetric algs accepts.
        var secret = RandomNumberGenerator.GetBytes(32);
        var jwk = claims.Alg == "HS256" ? new JsonObject { ["kty"] = "oct", ["k"] = Base64UrlEncoder.Encode(secret) } : PublicJwk.DeepClone();
        if (claims.PrivateKeyInJwk)
        {
            // The key is ephemeral and used for this one proof: showing its private half harms nothing.
            jwk["d"] = Base64UrlEncoder.Encode(key.ExportParameters(includePrivateParameters: true).D!);
        }

        var header = new JsonObject { ["typ"] = claims.Typ, ["alg"] = claims.Alg, ["jwk"] = jwk };
        var payload = new JsonObject
        {
            ["htm"] = claims.Htm,
            ["htu"] = Htu(claims.Htu),
            ["iat"] = claims.IssuedAt.ToUnixTimeSeconds(),
        };
        if (claims.Jti is not null)
        {
            payload["jti"] = claims.Jti;
        }

        if ((claims.Ath ?? (claims.AccessToken is null ? null : Ath(claims.AccessToken))) is { } ath)
        {
            payload["ath"] = ath;
        }

        if (claims.Nonce is not null)
        {
            payload["nonce"] = claims.Nonce;
        }

        var input = Base64UrlEncoder.Encode(header.ToJsonString()) + "." + Base64UrlEncoder.Encode(payload.ToJsonString());
        return input + "." + Signature(claims.Alg, Encoding.ASCII.GetBytes(input), secret);
    }

    public void Dispose() => key.Dispose();

    /// <summary>§4.2: the URI without query and fragment.</summary>
    public static string Htu(Uri uri) => uri.GetLeftPart(UriPartial.Path);

    /// <summary>§4.2: ath = BASE64URL(SHA-256(ASCII(access token))).</summary>
    public static string Ath(string accessToken) => Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(accessToken)));

    private string Signature(string alg, byte[] input, byte[] secret) => alg switch
    {
        // JWS ES256 (RFC 7518 §3.4) is the IEEE P1363 r||s form, .NET's default for SignData.
        "ES256" => Base64UrlEncoder.Encode(key.SignData(input, HashAlgorithmName.SHA256)),
        "none" => "",
        // §4.3 item 5 forbids a symmetric alg: anyone can make such a proof with a key of their own.
        "HS256" => Base64UrlEncoder.Encode(HMACSHA256.HashData(secret, input)),
        _ => throw new ArgumentException($"the harness does not sign DPoP proofs with '{alg}'", nameof(alg)),
    };
}
