using Conformance.Harness.Target;

namespace Conformance.Harness.Protocol;

/// <summary>
/// Whether a server offers a grant, from what it published and what the profile declares. grant_types_supported
/// is OPTIONAL (RFC 8414 §2, OIDC Discovery §3) and often partial in practice: Glewlwyd lists only
/// authorization_code and implicit although it serves refresh_token, password and client_credentials. So a
/// grant is tried when the server lists it, or when the profile declares a client whose role uses it; a refusal
/// of an unlisted grant then makes the dependent checks not applicable, never failed or inconclusive.
/// </summary>
public static class Offering
{
    /// <summary>The profile roles whose clients exist to use a grant.</summary>
    private static readonly IReadOnlyDictionary<string, string> RoleOfGrant = new Dictionary<string, string>
    {
        ["client_credentials"] = "service",
        ["password"] = "password",
    };

    /// <summary>The server lists the grant in grant_types_supported (or the default when it lists none).</summary>
    public static bool Lists(AuthorizationServer server, string grant) => server.Metadata.GrantTypesSupported.Contains(grant);

    /// <summary>Worth trying: listed, declared through a client role of the profile for this server, or (refresh_token) never excluded until the server issues none.</summary>
    public static bool MayOffer(AuthorizationServer server, TargetProfile profile, string grant) =>
        Lists(server, grant)
        || grant == "refresh_token"
        || (RoleOfGrant.TryGetValue(grant, out var role) && profile.Client(role) is { } client && client.ServesServer(server.Name));

    /// <summary>Why the grant is not applicable at this server, or null when it may be tried.</summary>
    public static string? NotOffered(AuthorizationServer server, TargetProfile profile, string grant) =>
        MayOffer(server, profile, grant) ? null
        : RoleOfGrant.TryGetValue(grant, out var role)
            ? $"server '{server.Name}' does not list '{grant}' in grant_types_supported and the profile has no '{role}' client for it"
            : $"server '{server.Name}' does not list '{grant}' in grant_types_supported";

    /// <summary>
    /// RFC 6749 §5.2: unsupported_grant_type, or unauthorized_client (this client may not use the grant). For a
    /// grant the server did not list, either answer means "not offered here" rather than a broken precondition.
    /// </summary>
    public static bool IsRefusalOfGrant(TokenResponse tokens) =>
        !tokens.IsSuccess && tokens.Error is "unsupported_grant_type" or "unauthorized_client";

    /// <summary>The reason a refused, unlisted grant makes a check not applicable; null when the refusal is a finding or a broken precondition.</summary>
    public static string? RefusedAsNotOffered(AuthorizationServer server, string grant, TokenResponse tokens) =>
        IsRefusalOfGrant(tokens) && !Lists(server, grant)
            ? $"server '{server.Name}' does not offer '{grant}' to this client: it is not in grant_types_supported and the server answered {tokens}"
            : null;

    /// <summary>Why a code flow with offline_access gave no refresh token: not applicable (OIDC Core §11 leaves issuing one to the server's policy).</summary>
    public static string NoRefreshToken(AuthorizationServer server, string clientId, string how) =>
        $"server '{server.Name}' issued no refresh token to '{clientId}' for {how}"
        + (Lists(server, "refresh_token") ? " although grant_types_supported lists refresh_token" : "")
        + "; issuing one is the server's policy (RFC 6749 §1.5, OIDC Core §11), so the refresh checks do not apply";
}
