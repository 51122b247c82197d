using Conformance.Harness.Http;
using Conformance.Harness.Protocol;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Conformance.Harness.Jose;

/// <summary>What the relying party expected when it asked for the ID token.</summary>
public sealed record IdTokenExpectations(string ClientId, string? Nonce)
{
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromMinutes(2);
}

/// <summary>
/// The one JOSE validator: OIDC Core §3.1.3.7 on Microsoft.IdentityModel. The signature is checked against
/// the issuing server's own JWKS, with only the algorithms that server advertises and never "none".
/// </summary>
public sealed class IdTokenValidator
{
    private static readonly JsonWebTokenHandler Handler = new() { MapInboundClaims = false };

    public async Task<TokenValidation> ValidateAsync(string idToken, AuthorizationServer server, IdTokenExpectations expected, CancellationToken ct = default)
    {
        const string kind = "ID token";
        var fingerprint = Redactor.Fingerprint(idToken);
        JsonWebToken token;
        try
        {
            token = new JsonWebToken(idToken);
        }
        catch (ArgumentException e)
        {
            return new TokenValidation(kind, null, fingerprint, [$"not a compact JWS: {e.Message.Split('\n')[0]}"]);
        }

        var failures = new List<string>();
        var advertised = server.Metadata.IdTokenSigningAlgValuesSupported;
        // OIDC Discovery §3: RS256 MUST be supported when nothing else is said; "none" is never acceptable here
        // because the token came through a flow where the harness is the relying party (OIDC Core §3.1.3.7 step 6).
        var allowed = (advertised.Count > 0 ? advertised : ["RS256"]).Where(a => !a.Equals("none", StringComparison.OrdinalIgnoreCase)).ToList();
        if (token.Alg.Equals("none", StringComparison.OrdinalIgnoreCase) || string.IsNullOrEmpty(token.Alg))
        {
            failures.Add("alg is 'none': the ID token is unsigned");
            return new TokenValidation(kind, token, fingerprint, failures);
        }

        if (!allowed.Contains(token.Alg))
        {
            failures.Add($"alg '{token.Alg}' is not among the server's id_token_signing_alg_values_supported [{string.Join(", ", allowed)}]");
            return new TokenValidation(kind, token, fingerprint, failures);
        }

        var keys = await server.Jwks.ResolveAsync(token.Kid, ct).ConfigureAwait(false);
        if (keys.Count == 0)
        {
            failures.Add(token.Kid is null
                ? $"no signing key in {server.Jwks.JwksUri}"
                : $"kid '{token.Kid}' is not in the JWKS of '{server.Name}' ({server.Jwks.JwksUri}), even after refetching it");
            return new TokenValidation(kind, token, fingerprint, failures);
        }

        var parameters = new TokenValidationParameters
        {
            ValidIssuer = server.Metadata.Issuer ?? server.Issuer.OriginalString,
            ValidAudience = expected.ClientId,
            IssuerSigningKeys = keys,
            ValidAlgorithms = allowed,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateLifetime = true,
            ClockSkew = expected.ClockSkew,
            // Only the keys of this server's JWKS; never a key embedded in the token header (jwk, x5c, jku).
            TryAllIssuerSigningKeys = false,
        };
        var result = await Handler.ValidateTokenAsync(token, parameters).ConfigureAwait(false);
        if (!result.IsValid)
        {
            failures.Add(Describe(result.Exception, token, parameters));
        }

        ValidateClaims(token, server, expected, failures);
        return new TokenValidation(kind, token, fingerprint, failures);
    }

    private static void ValidateClaims(JsonWebToken token, AuthorizationServer server, IdTokenExpectations expected, List<string> failures)
    {
        // §3.1.3.7 step 2: exact match, no trailing-slash tolerance.
        var issuer = server.Metadata.Issuer ?? server.Issuer.OriginalString;
        if (!token.TryGetPayloadValue<string>("iss", out var iss) || iss != issuer)
        {
            AddOnce(failures, $"iss '{iss}' is not the issuer '{issuer}'");
        }

        var audiences = token.Audiences.ToList();
        if (!audiences.Contains(expected.ClientId))
        {
            AddOnce(failures, $"aud [{string.Join(", ", audiences)}] does not contain the client_id '{expected.ClientId}'");
        }

        // §3.1.3.7 steps 4-5: with several audiences azp should be present and must equal our client_id.
        if (token.TryGetPayloadValue<string>("azp", out var azp) && azp != expected.ClientId)
        {
            failures.Add($"azp '{azp}' is not the client_id '{expected.ClientId}'");
        }

        if (!token.TryGetPayloadValue<long>("iat", out var iat))
        {
            failures.Add("iat is missing");
        }
        else if (DateTimeOffset.FromUnixTimeSeconds(iat) > DateTimeOffset.UtcNow + expected.ClockSkew)
        {
            failures.Add($"iat {DateTimeOffset.FromUnixTimeSeconds(iat):u} is in the future beyond the allowed clock skew of {expected.ClockSkew.TotalSeconds:0} s");
        }

        if (!token.TryGetPayloadValue<string>("sub", out var sub) || string.IsNullOrEmpty(sub))
        {
            failures.Add("sub is missing");
        }

        // §3.1.3.7 step 11.
        if (expected.Nonce is not null)
        {
            if (!token.TryGetPayloadValue<string>("nonce", out var nonce))
            {
                failures.Add("nonce is missing although the request sent one");
            }
            else if (nonce != expected.Nonce)
            {
                failures.Add("nonce does not match the one sent in the authorization request");
            }
        }
    }

    private static string Describe(Exception? e, JsonWebToken token, TokenValidationParameters p) => e switch
    {
        SecurityTokenInvalidIssuerException => $"iss '{token.Issuer}' is not the issuer '{p.ValidIssuer}'",
        SecurityTokenInvalidAudienceException => $"aud [{string.Join(", ", token.Audiences)}] does not contain the client_id '{p.ValidAudience}'",
        SecurityTokenExpiredException => $"exp {token.ValidTo:u} has passed (clock skew allowed: {p.ClockSkew.TotalSeconds:0} s)",
        SecurityTokenNotYetValidException => $"nbf {token.ValidFrom:u} is in the future",
        SecurityTokenNoExpirationException => "exp is missing",
        SecurityTokenInvalidAlgorithmException => $"alg '{token.Alg}' is not allowed",
        SecurityTokenSignatureKeyNotFoundException => $"no key of the server's JWKS matches kid '{token.Kid}'",
        SecurityTokenInvalidSignatureException => "the signature does not verify with the server's JWKS",
        null => "invalid for an unknown reason",
        _ => e.Message.Split('\n')[0],
    };

    private static void AddOnce(List<string> failures, string failure)
    {
        var field = failure.Split(' ')[0];
        if (!failures.Any(f => f.StartsWith(field + " ", StringComparison.Ordinal)))
        {
            failures.Add(failure);
        }
    }
}
