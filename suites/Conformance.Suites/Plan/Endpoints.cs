namespace Conformance.Suites.Plan;

/// <summary>
/// The endpoint kinds a plan counts requests by, read from a request's path as the reference issuer lays them out
/// (Okta's layout: <c>/oauth2/v1/…</c> for the org server, <c>/oauth2/{id}/v1/…</c> for a custom one).
/// </summary>
internal static class Endpoints
{
    /// <summary>In the order a reader meets them in a flow; the plan prints them in this order.</summary>
    public static readonly IReadOnlyList<string> Kinds =
        ["discovery", "keys", "authorize", "login", "consent", "authn", "token", "userinfo", "introspect", "revoke", "logout", "other"];

    /// <summary>The kinds where a request acts for the test user (a login, a session, the user's claims): counted per user.</summary>
    private static readonly HashSet<string> UserKinds = ["authorize", "login", "consent", "authn", "userinfo", "logout"];

    public static string Classify(Uri url)
    {
        var path = url.AbsolutePath.TrimEnd('/');
        if (path.Contains("/.well-known/", StringComparison.Ordinal))
        {
            return "discovery";
        }

        if (path.StartsWith("/api/v1/authn", StringComparison.Ordinal))
        {
            return "authn";
        }

        if (path.StartsWith("/login", StringComparison.Ordinal))
        {
            return "login";
        }

        if (path.StartsWith("/consent", StringComparison.Ordinal))
        {
            return "consent";
        }

        var last = path[(path.LastIndexOf('/') + 1)..];
        return path.Contains("/v1/", StringComparison.Ordinal) && Kinds.Contains(last) ? last : "other";
    }

    /// <summary>A token request acts for a user unless it is the client credentials grant (no user takes part).</summary>
    public static bool ForUser(string kind, string? body) =>
        UserKinds.Contains(kind) || (kind == "token" && body?.Contains("grant_type=client_credentials", StringComparison.Ordinal) != true);

    /// <summary>
    /// Where a request of this kind would go on a server of the target, for matching the profile's pacing globs.
    /// Okta's layout is assumed (the reference issuer mirrors it); other providers name their paths differently,
    /// which only matters for rules that do not end in the endpoint's own name.
    /// </summary>
    public static string PathOn(Uri issuer, string kind)
    {
        var issuerPath = issuer.AbsolutePath.TrimEnd('/');
        var serverBase = issuerPath.Length == 0 ? "/oauth2" : issuerPath;
        return kind switch
        {
            "discovery" => issuerPath + "/.well-known/openid-configuration",
            "authn" => "/api/v1/authn",
            "login" => "/login",
            "consent" => "/consent",
            "other" => issuerPath + "/",
            _ => $"{serverBase}/v1/{kind}",
        };
    }
}
