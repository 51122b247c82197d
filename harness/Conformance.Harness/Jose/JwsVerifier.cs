using System.Globalization;
using Conformance.Harness.Protocol;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Conformance.Harness.Jose;

/// <summary>
/// What both validators share: reading the compact JWS, choosing the key from the issuing server's own JWKS,
/// checking the signature with Microsoft.IdentityModel, and the claim rules every JWT obeys. Each broken rule
/// is added to the failure list as a sentence that starts with the field it is about.
/// </summary>
internal static class JwsVerifier
{
    private static readonly JsonWebTokenHandler Handler = new() { MapInboundClaims = false };

    public static JsonWebToken? Parse(string compact, string kind, List<string> failures)
    {
        JsonWebToken token;
        try
        {
            token = new JsonWebToken(compact);
        }
        catch (ArgumentException e)
        {
            failures.Add($"not a compact JWS: {e.Message.Split('\n')[0].TrimEnd()}");
            return null;
        }

        if (token.IsEncrypted)
        {
            failures.Add($"not a compact JWS: the {kind} is encrypted (JWE, alg '{token.Alg}', enc '{token.Enc}'), which the harness does not decrypt");
            return null;
        }

        return token;
    }

    /// <summary>True when the signature verified with a key of <paramref name="server"/>'s JWKS under an allowed alg.</summary>
    public static async Task<bool> VerifyAsync(
        JsonWebToken token, AuthorizationServer server, IReadOnlyCollection<string> allowed, string allowedSource, string kind, List<string> failures, CancellationToken ct)
    {
        var alg = token.Alg;
        if (JwsAlgorithms.IsNone(alg))
        {
            failures.Add(string.IsNullOrEmpty(alg)
                ? $"alg is missing from the header: the {kind} is not a signed JWS"
                : $"alg '{alg}' is never acceptable: the {kind} is unsigned (OIDC Core §3.1.3.7, RFC 8725 §3.1)");
            return false;
        }

        if (JwsAlgorithms.IsSymmetric(alg))
        {
            failures.Add($"alg '{alg}' is a symmetric (HMAC) algorithm: a {kind} must be signed with a private key whose public half is in the JWKS of '{server.Name}'; "
                + "a public key is never an HMAC secret (RFC 8725 §2.1, key confusion)");
            return false;
        }

        if (!allowed.Contains(alg, StringComparer.Ordinal))
        {
            failures.Add($"alg '{alg}' is not among {allowedSource} [{string.Join(", ", allowed)}]");
            return false;
        }

        if (string.IsNullOrEmpty(token.EncodedSignature))
        {
            failures.Add($"the signature is missing: the {kind} claims alg '{alg}' but ends after the payload");
            return false;
        }

        if (token.TryGetHeaderValue<object>("crit", out var crit))
        {
            failures.Add($"the signature cannot be accepted: the header's crit {crit} lists extensions the harness does not understand (RFC 7515 §4.1.11)");
            return false;
        }

        // IdentityModel reads an absent kid as "".
        var kid = string.IsNullOrEmpty(token.Kid) ? null : token.Kid;
        var jwks = server.Jwks;
        var keys = await jwks.ResolveAsync(kid, ct).ConfigureAwait(false);
        if (kid is null)
        {
            if (keys.Count == 0)
            {
                failures.Add($"no signing key in the JWKS of '{server.Name}' ({jwks.JwksUri})");
                return false;
            }

            if (keys.Count > 1)
            {
                failures.Add($"kid is missing from the header although the JWKS of '{server.Name}' holds {keys.Count} signing keys (OIDC Core §10.1)");
                return false;
            }
        }
        else if (keys.Count == 0)
        {
            failures.Add($"kid '{kid}' is not in the JWKS of '{server.Name}' ({jwks.JwksUri}), even after refetching it once");
            return false;
        }

        var forAlg = keys.Where(k => string.IsNullOrEmpty(k.Alg) || k.Alg == alg).ToList();
        if (forAlg.Count == 0)
        {
            failures.Add($"kid '{kid}' of the JWKS of '{server.Name}' is published for alg [{string.Join(", ", keys.Select(k => k.Alg).Distinct())}], not the {kind}'s alg '{alg}'");
            return false;
        }

        var parameters = new TokenValidationParameters
        {
            // Only keys of this server's JWKS, already narrowed to the kid; never a key carried in the token (jwk, x5c, jku).
            IssuerSigningKeys = forAlg,
            TryAllIssuerSigningKeys = true,
            ValidAlgorithms = [alg],
            RequireSignedTokens = true,
            // The claims are judged one rule at a time below, so every broken rule is reported, not just the first.
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = false,
            RequireExpirationTime = false,
            ValidateIssuerSigningKey = false,
        };
        var result = await Handler.ValidateTokenAsync(token, parameters).ConfigureAwait(false);
        if (result.IsValid)
        {
            return true;
        }

        failures.Add(result.Exception switch
        {
            SecurityTokenInvalidSignatureException or SecurityTokenSignatureKeyNotFoundException =>
                $"the signature does not verify with key '{kid ?? forAlg[0].Kid}' of the JWKS of '{server.Name}' ({jwks.JwksUri})",
            SecurityTokenInvalidAlgorithmException => $"alg '{alg}' is not allowed for key '{kid}'",
            null => "the signature could not be verified, for a reason IdentityModel did not give",
            { } e => $"the signature could not be verified: {e.Message.Split('\n')[0].TrimEnd()}",
        });
        return false;
    }

    /// <summary>§3.1.3.7 step 2, RFC 9068 §4: byte for byte, no trailing-slash or case tolerance.</summary>
    public static void Issuer(JsonWebToken token, string issuer, List<string> failures)
    {
        if (!token.TryGetPayloadValue<string>("iss", out var iss) || iss is null)
        {
            failures.Add($"iss is missing; expected the issuer '{issuer}'");
        }
        else if (!string.Equals(iss, issuer, StringComparison.Ordinal))
        {
            failures.Add($"iss '{iss}' is not the issuer '{issuer}' (compared byte for byte)");
        }
    }

    /// <summary>exp required and not passed, nbf not in the future, iat required and not in the future; each within the skew.</summary>
    public static void Lifetime(JsonWebToken token, TimeSpan skew, List<string> failures)
    {
        var now = DateTimeOffset.UtcNow;
        var skewText = $"clock skew allowed: {skew.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s";
        if (Time(token, "exp") is not { } exp)
        {
            failures.Add("exp is missing or not a number");
        }
        else if (exp + skew <= now)
        {
            failures.Add($"exp {exp:u} has passed ({skewText})");
        }

        if (Time(token, "nbf") is { } nbf && nbf - skew > now)
        {
            failures.Add($"nbf {nbf:u} is in the future ({skewText})");
        }

        if (Time(token, "iat") is not { } iat)
        {
            failures.Add("iat is missing or not a number");
        }
        else if (iat - skew > now)
        {
            failures.Add($"iat {iat:u} is in the future ({skewText})");
        }
    }

    public static DateTimeOffset? Time(JsonWebToken token, string claim)
    {
        if (!token.TryGetPayloadValue<long>(claim, out var seconds))
        {
            // NumericDate may carry a fraction (RFC 7519 §2).
            if (!token.TryGetPayloadValue<double>(claim, out var fractional) || double.IsNaN(fractional) || double.IsInfinity(fractional))
            {
                return null;
            }

            seconds = (long)Math.Floor(fractional);
        }

        return seconds is < -62135596800 or > 253402300799 ? null : DateTimeOffset.FromUnixTimeSeconds(seconds);
    }

    public static string? String(JsonWebToken token, string claim) =>
        token.TryGetPayloadValue<string>(claim, out var value) ? value : null;

    public static string List(IEnumerable<string> values) => "[" + string.Join(", ", values.Select(v => $"'{v}'")) + "]";
}
