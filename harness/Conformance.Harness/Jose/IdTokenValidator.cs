using System.Globalization;
using Conformance.Harness.Http;
using Conformance.Harness.Protocol;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Conformance.Harness.Jose;

/// <summary>What the relying party expected when it asked for the ID token.</summary>
public sealed record IdTokenExpectations(string ClientId, string? Nonce)
{
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The access token issued with the ID token, if any: a present at_hash must match it (OIDC Core §3.1.3.8, §3.2.2.9).</summary>
    public string? AccessToken { get; init; }

    /// <summary>
    /// at_hash must be present: the ID token came from the authorization endpoint together with an access token
    /// (response_type "id_token token" or "code id_token token"; OIDC Core §3.2.2.10, §3.3.2.11).
    /// </summary>
    public bool RequireAtHash { get; init; }

    /// <summary>The authorization code issued with the ID token, if any: a present c_hash must match it (OIDC Core §3.3.2.10).</summary>
    public string? Code { get; init; }

    /// <summary>c_hash must be present: the ID token came from the authorization endpoint with a code (response_type "code id_token[ token]", OIDC Core §3.3.2.11).</summary>
    public bool RequireCHash { get; init; }

    /// <summary>The max_age sent in the request, in seconds: auth_time is then required and must be recent enough (OIDC Core §3.1.2.1, §3.1.3.7 step 13).</summary>
    public int? MaxAge { get; init; }

    /// <summary>auth_time was requested as an Essential Claim, so it must be present even without max_age (OIDC Core §2).</summary>
    public bool RequireAuthTime { get; init; }

    /// <summary>
    /// The expectations for an ID token returned from the authorization endpoint (implicit or hybrid flow):
    /// client, nonce and max_age of the request; at_hash and c_hash bound to what came with it and required when
    /// the response type makes them so.
    /// </summary>
    public static IdTokenExpectations FromFrontChannel(AuthorizationRequest request, AuthorizationResponse response)
    {
        var types = request.ResponseType.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var withIdToken = types.Contains("id_token");
        return new IdTokenExpectations(request.ClientId, request.Nonce)
        {
            MaxAge = request.MaxAge,
            AccessToken = response.AccessToken,
            RequireAtHash = withIdToken && types.Contains("token"),
            Code = response.Code,
            RequireCHash = withIdToken && types.Contains("code"),
        };
    }
}

/// <summary>
/// The one ID token validator: OIDC Core §3.1.3.7 (and §3.2.2.11, §3.3.2.12 for ID tokens from the authorization
/// endpoint) on Microsoft.IdentityModel. The signature is checked against the issuing server's own JWKS, with only
/// the algorithms that server advertises and never "none" or a symmetric one; then every claim rule is judged on its
/// own, so the result lists every rule the token breaks, each named in words.
/// </summary>
public sealed class IdTokenValidator
{
    private const string Kind = "ID token";

    public async Task<TokenValidation> ValidateAsync(string idToken, AuthorizationServer server, IdTokenExpectations expected, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(expected);
        var check = new TokenCheck(idToken, Kind);
        if (check.Token is not { } token)
        {
            return check.Result();
        }

        var failures = check.Failures;

        // OIDC Discovery §3: RS256 is the default when nothing is advertised; "none" is never acceptable here because
        // the token came through a flow where the harness is the relying party (OIDC Core §3.1.3.7 step 6).
        var advertised = server.Metadata.IdTokenSigningAlgValuesSupported;
        var allowed = (advertised.Count > 0 ? advertised : ["RS256"]).Where(a => !JwsAlgorithms.IsNone(a)).ToList();
        var verified = await JwsVerifier.VerifyAsync(token, server, allowed, "the server's id_token_signing_alg_values_supported", Kind, failures, ct).ConfigureAwait(false);

        // Unverified claims are still judged, so a report shows everything that is wrong; the signature failure
        // is what makes the token unacceptable whatever they say.
        ValidateClaims(token, server, expected, failures);
        return check.Result(verified);
    }

    private static void ValidateClaims(JsonWebToken token, AuthorizationServer server, IdTokenExpectations expected, List<string> failures)
    {
        // §3.1.3.7 step 2.
        JwsVerifier.Issuer(token, server.Metadata.Issuer ?? server.Issuer.OriginalString, failures);

        // §3.1.3.7 step 3: aud contains our client_id.
        var audiences = token.Audiences.ToList();
        if (audiences.Count == 0)
        {
            failures.Add($"aud is missing; expected it to contain the client_id '{expected.ClientId}'");
        }
        else if (!audiences.Contains(expected.ClientId, StringComparer.Ordinal))
        {
            failures.Add($"aud {JwsVerifier.List(audiences)} does not contain the client_id '{expected.ClientId}'");
        }

        // §3.1.3.7 steps 4-5: with several audiences azp must be present, and when present it must be our client_id.
        var azp = JwsVerifier.String(token, "azp");
        if (azp is null && audiences.Count > 1)
        {
            failures.Add($"azp is missing although aud has several values {JwsVerifier.List(audiences)}; it must name the client_id '{expected.ClientId}'");
        }
        else if (azp is not null && azp != expected.ClientId)
        {
            failures.Add($"azp '{azp}' is not the client_id '{expected.ClientId}'");
        }

        // §3.1.3.7 steps 9-10 (and §2: iat and exp are REQUIRED).
        JwsVerifier.Lifetime(token, expected.ClockSkew, failures);

        // §2: sub is REQUIRED.
        if (string.IsNullOrEmpty(JwsVerifier.String(token, "sub")))
        {
            failures.Add("sub is missing");
        }

        // §3.1.3.7 step 11.
        if (expected.Nonce is not null)
        {
            var nonce = JwsVerifier.String(token, "nonce");
            if (nonce is null)
            {
                failures.Add("nonce is missing although the authorization request sent one");
            }
            else if (nonce != expected.Nonce)
            {
                failures.Add("nonce does not match the one sent in the authorization request");
            }
        }

        // §3.1.2.1 max_age, §3.1.3.7 step 13.
        AuthTime(token, expected, failures);

        // §3.1.3.8, §3.2.2.9, §3.2.2.10, §3.3.2.11.
        BoundHash(token, "at_hash", "the access token", expected.AccessToken, expected.RequireAtHash,
            "the ID token came from the authorization endpoint with an access token (OIDC Core §3.2.2.10)", failures);
        // §3.3.2.10, §3.3.2.11.
        BoundHash(token, "c_hash", "the authorization code", expected.Code, expected.RequireCHash,
            "the ID token came from the authorization endpoint with a code (OIDC Core §3.3.2.11)", failures);
    }

    private static void AuthTime(JsonWebToken token, IdTokenExpectations expected, List<string> failures)
    {
        var present = token.TryGetPayloadValue<object>("auth_time", out _);
        var authTime = JwsVerifier.Time(token, "auth_time");
        if (expected.MaxAge is null && !expected.RequireAuthTime)
        {
            if (present && authTime is null)
            {
                failures.Add("auth_time is not a number (OIDC Core §2: seconds since the epoch)");
            }

            return;
        }

        var why = expected.MaxAge is { } m ? $"max_age={m.ToString(CultureInfo.InvariantCulture)} was sent (OIDC Core §3.1.2.1)" : "it was requested as an Essential Claim (OIDC Core §2)";
        if (authTime is null)
        {
            failures.Add(present ? $"auth_time is not a number although {why}" : $"auth_time is missing although {why}");
            return;
        }

        var now = DateTimeOffset.UtcNow;
        var skew = expected.ClockSkew;
        if (authTime - skew > now)
        {
            failures.Add($"auth_time {authTime:u} is in the future (clock skew allowed: {skew.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s)");
        }
        else if (expected.MaxAge is { } maxAge && authTime.Value.AddSeconds(maxAge) + skew < now)
        {
            var age = (long)(now - authTime.Value).TotalSeconds;
            failures.Add($"auth_time {authTime:u} is {age.ToString(CultureInfo.InvariantCulture)} s ago, older than max_age={maxAge.ToString(CultureInfo.InvariantCulture)} allows "
                + $"(clock skew allowed: {skew.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s): the server did not re-authenticate the user (OIDC Core §3.1.2.1)");
        }
    }

    /// <summary>at_hash / c_hash: the left-most half of the hash of the ASCII value, with the hash of the JWS alg, base64url.</summary>
    private static void BoundHash(JsonWebToken token, string claim, string what, string? value, bool required, string whyRequired, List<string> failures)
    {
        var hash = JwsVerifier.String(token, claim);
        if (hash is null)
        {
            if (required)
            {
                failures.Add(token.TryGetPayloadValue<object>(claim, out _)
                    ? $"{claim} is not a string although {whyRequired}"
                    : $"{claim} is missing although {whyRequired}");
            }

            return;
        }

        if (value is null)
        {
            return;
        }

        var expected = JwsAlgorithms.LeftHalfHash(value, token.Alg);
        if (expected is null)
        {
            failures.Add($"{claim} cannot be checked against {what}: alg '{token.Alg}' names no hash function");
        }
        else if (hash != expected)
        {
            failures.Add($"{claim} does not match {what}: the left half of its {JwsAlgorithms.HashOf(token.Alg)?.Name} hash for alg '{token.Alg}' is '{expected}', the ID token says '{hash}'");
        }
    }
}
