using System.Text.Json;
using Conformance.Harness.Http;
using Conformance.Harness.Protocol;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Conformance.Harness.Jose;

/// <summary>What a resource server expects of a JWT access token of one authorization server (RFC 9068 §4).</summary>
/// <param name="Audience">
/// The audience the resource server knows itself by (the server profile's <c>audience</c>); aud must contain it.
/// Null when the target did not say: aud must then merely be present.
/// </param>
public sealed record AccessTokenExpectations(string? Audience)
{
    /// <summary>The client the token was issued to, expected in <c>cid</c> (Okta) or <c>client_id</c> (RFC 9068 §2.2).</summary>
    public string? ClientId { get; init; }

    /// <summary>Scopes that must all be granted, in <c>scp</c> (array or string) or <c>scope</c> (space-separated, RFC 9068 §2.2.3).</summary>
    public IReadOnlyCollection<string> Scopes { get; init; } = [];

    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Require the header typ "at+jwt" (RFC 9068 §2.1, §4). Off by default: Okta's access tokens carry no typ.</summary>
    public bool RequireAtJwtType { get; init; }

    /// <summary>Algorithms the resource server accepts; asymmetric ones only (RFC 9068 §4: never none).</summary>
    public IReadOnlyCollection<string> Algorithms { get; init; } = JwsAlgorithms.Asymmetric;

    /// <summary>The expectations of a resource server of <paramref name="server"/> for a token issued to <paramref name="clientId"/> with <paramref name="scopes"/>.</summary>
    public static AccessTokenExpectations For(AuthorizationServer server, string? clientId, IEnumerable<string>? scopes = null) =>
        new(server.Profile.Audience) { ClientId = clientId, Scopes = scopes?.ToList() ?? [] };
}

/// <summary>
/// A resource server's view of a JWT access token of a custom authorization server (RFC 9068 §4): signed with a
/// key of that server's JWKS, its issuer, meant for this audience, live, and carrying the client and the scopes
/// asked for. Opaque tokens are judged elsewhere, through introspection (RFC 7662).
/// </summary>
public sealed class AccessTokenValidator
{
    private const string Kind = "access token";

    private static readonly JsonWebTokenHandler Reader = new();

    /// <summary>
    /// Whether <paramref name="token"/> is a JWT at all (a compact JWS or JWE whose header is a JSON object with alg),
    /// rather than an opaque string to be introspected.
    /// </summary>
    public static bool IsJwt(string? token)
    {
        if (string.IsNullOrWhiteSpace(token) || !Reader.CanReadToken(token))
        {
            return false;
        }

        try
        {
            return !string.IsNullOrEmpty(new JsonWebToken(token).Alg);
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    public async Task<TokenValidation> ValidateAsync(string accessToken, AuthorizationServer server, AccessTokenExpectations expected, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(expected);
        var check = new TokenCheck(accessToken, Kind);
        if (check.Token is not { } token)
        {
            return check.Result();
        }

        var failures = check.Failures;

        var verified = await JwsVerifier.VerifyAsync(token, server, expected.Algorithms, "the asymmetric algorithms a resource server accepts", Kind, failures, ct).ConfigureAwait(false);
        if (expected.RequireAtJwtType && !(string.Equals(token.Typ, "at+jwt", StringComparison.OrdinalIgnoreCase)
            || string.Equals(token.Typ, "application/at+jwt", StringComparison.OrdinalIgnoreCase)))
        {
            failures.Add($"typ '{token.Typ}' is not 'at+jwt' (RFC 9068 §2.1, §4)");
        }

        JwsVerifier.Issuer(token, server.Metadata.Issuer ?? server.Issuer.OriginalString, failures);
        var audiences = token.Audiences.ToList();
        if (audiences.Count == 0)
        {
            failures.Add(expected.Audience is null ? "aud is missing (RFC 9068 §2.2)" : $"aud is missing; expected the audience '{expected.Audience}'");
        }
        else if (expected.Audience is not null && !audiences.Contains(expected.Audience, StringComparer.Ordinal))
        {
            failures.Add($"aud {JwsVerifier.List(audiences)} does not contain the audience '{expected.Audience}' of '{server.Name}' (RFC 9068 §4)");
        }

        JwsVerifier.Lifetime(token, expected.ClockSkew, failures);
        if (string.IsNullOrEmpty(JwsVerifier.String(token, "sub")))
        {
            failures.Add("sub is missing (RFC 9068 §2.2)");
        }

        ClientId(token, expected, failures);
        Scopes(token, expected, failures);
        return check.Result(verified);
    }

    /// <summary>The scopes granted, from scp (array, or string as some servers write it) or scope (space-separated).</summary>
    public static IReadOnlyList<string> GrantedScopes(JsonWebToken token)
    {
        var granted = new List<string>();
        foreach (var claim in new[] { "scp", "scope" })
        {
            if (token.TryGetPayloadValue<string[]>(claim, out var array) && array is not null)
            {
                // A string value may come back as a one-element array: split every element.
                granted.AddRange(array.SelectMany(a => (a ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries)));
            }
            else if (token.TryGetPayloadValue<string>(claim, out var text) && text is not null)
            {
                granted.AddRange(text.Split(' ', StringSplitOptions.RemoveEmptyEntries));
            }
        }

        return granted.Distinct(StringComparer.Ordinal).ToList();
    }

    private static void ClientId(JsonWebToken token, AccessTokenExpectations expected, List<string> failures)
    {
        if (expected.ClientId is null)
        {
            return;
        }

        var cid = JwsVerifier.String(token, "cid");
        var clientId = JwsVerifier.String(token, "client_id");
        if (cid is null && clientId is null)
        {
            failures.Add($"client_id (or cid) is missing; expected the client '{expected.ClientId}' (RFC 9068 §2.2)");
            return;
        }

        if (cid is not null && cid != expected.ClientId)
        {
            failures.Add($"cid '{cid}' is not the client '{expected.ClientId}' the token was issued to");
        }

        if (clientId is not null && clientId != expected.ClientId)
        {
            failures.Add($"client_id '{clientId}' is not the client '{expected.ClientId}' the token was issued to");
        }
    }

    private static void Scopes(JsonWebToken token, AccessTokenExpectations expected, List<string> failures)
    {
        if (expected.Scopes.Count == 0)
        {
            return;
        }

        var granted = GrantedScopes(token);
        var missing = expected.Scopes.Where(s => !granted.Contains(s, StringComparer.Ordinal)).ToList();
        if (missing.Count > 0)
        {
            failures.Add(granted.Count == 0
                ? $"scope is missing (neither scp nor scope); expected {JwsVerifier.List(expected.Scopes)}"
                : $"scope {JwsVerifier.List(granted)} lacks the expected {JwsVerifier.List(missing)}");
        }
    }
}
