using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace Conformance.Harness.Jose;

/// <summary>JWS algorithm facts the validators need (RFC 7518 §3.1), and the OIDC left-half hashes.</summary>
public static class JwsAlgorithms
{
    /// <summary>The asymmetric algorithms a resource server or relying party verifies with a published key.</summary>
    public static IReadOnlyList<string> Asymmetric { get; } =
    [
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512,
    ];

    public static bool IsNone(string? alg) => string.IsNullOrEmpty(alg) || alg.Equals("none", StringComparison.OrdinalIgnoreCase);

    /// <summary>HS256/384/512: a shared secret, never a key from a JWKS (the RS256→HS256 key-confusion attack).</summary>
    public static bool IsSymmetric(string? alg) => alg is not null && alg.StartsWith("HS", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// OIDC Core §3.1.3.6 / §3.3.2.11: the hash function of the JWS alg (SHA-256 for *256 and so on; SHA-512
    /// for EdDSA with Ed25519, OIDC Core errata), or null when the alg names none.
    /// </summary>
    public static HashAlgorithmName? HashOf(string? alg) => alg switch
    {
        null => null,
        _ when alg.Equals("EdDSA", StringComparison.Ordinal) => HashAlgorithmName.SHA512,
        _ when alg.Length == 5 && (alg.StartsWith("RS", StringComparison.Ordinal) || alg.StartsWith("PS", StringComparison.Ordinal)
            || alg.StartsWith("ES", StringComparison.Ordinal) || alg.StartsWith("HS", StringComparison.Ordinal)) => alg[2..] switch
            {
                "256" => HashAlgorithmName.SHA256,
                "384" => HashAlgorithmName.SHA384,
                "512" => HashAlgorithmName.SHA512,
                _ => null,
            },
        _ => null,
    };

    /// <summary>
    /// The at_hash / c_hash of <paramref name="value"/> for a token signed with <paramref name="alg"/>: base64url of the
    /// left-most half of the hash of its ASCII octets. Null when the alg has no hash function.
    /// </summary>
    public static string? LeftHalfHash(string value, string? alg)
    {
        if (HashOf(alg) is not { } name)
        {
            return null;
        }

        var octets = Encoding.ASCII.GetBytes(value);
        byte[] hash;
        if (name == HashAlgorithmName.SHA256)
        {
            hash = SHA256.HashData(octets);
        }
        else if (name == HashAlgorithmName.SHA384)
        {
            hash = SHA384.HashData(octets);
        }
        else
        {
            hash = SHA512.HashData(octets);
        }

        return Base64UrlEncoder.Encode(hash, 0, hash.Length / 2);
    }
}
