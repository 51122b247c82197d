using System.Net;
using Conformance.Harness.Checks;

namespace Conformance.Checks.Areas;

/// <summary>The positive side of OIDC Core §5.4: a granted profile or email scope brings its claims to UserInfo (UI-05 is the negative side).</summary>
public static class UserInfoScopes
{
    private const string Area = "userinfo";
    private const string Applies = "a userinfo_endpoint and a confidential web client using the code flow, at a server that grants the scope";

    private static readonly string[] ProfileClaims = ["name", "given_name", "family_name", "middle_name", "nickname", "preferred_username", "profile", "picture", "website", "gender", "birthdate", "zoneinfo", "locale", "updated_at"];

    public static Check ProfileScopeReleasesClaims { get; } = Define.Rule(new()
    {
        Id = "UI-06",
        Anchors = "OIDF: oidcc-scope-profile",
        Area = Area,
        Level = RequirementLevel.Should,
        Severity = Severity.Low,
        Requirement = "For an access token granted the profile scope, the userinfo response SHOULD carry the user's profile claims (at least one of those OIDC Core §5.4 lists).",
        Specs = "OIDC-Core §5.4; OIDC-Core §5.3.2",
        Applicability = Applies,
        Remediation = "Release the user's available profile claims (name, given_name, family_name, preferred_username...) when the profile scope was granted.",
        Run = c => ReleasedAsync(c, "profile", ProfileClaims),
    });

    public static Check EmailScopeReleasesClaims { get; } = Define.Rule(new()
    {
        Id = "UI-07",
        Anchors = "OIDF: oidcc-scope-email",
        Area = Area,
        Level = RequirementLevel.Should,
        Severity = Severity.Low,
        Requirement = "For an access token granted the email scope, the userinfo response SHOULD carry the user's email claim.",
        Specs = "OIDC-Core §5.4; OIDC-Core §5.3.2",
        Applicability = Applies,
        Remediation = "Release email (and email_verified) when the email scope was granted and the user has an address.",
        Run = c => ReleasedAsync(c, "email", ["email"]),
    });

    /// <summary>The web client's tokens for "openid {scope}", and the claims of that scope in the userinfo response.</summary>
    private static async Task ReleasedAsync(CheckContext c, string scope, string[] claims)
    {
        c.RequireEndpoint("userinfo_endpoint");
        var supported = c.Server.Metadata.ScopesSupported;
        c.Require(supported.Count == 0 || supported.Contains(scope), $"server '{c.Server.Name}' does not list the {scope} scope in scopes_supported");
        var (client, _, tokens) = await BackChannel.UserTokensAsync(c, "openid " + scope).ConfigureAwait(false);
        var (granted, source) = await BackChannel.GrantedScopesAsync(c, c.OAuth(client), tokens, "openid " + scope).ConfigureAwait(false);
        c.Require(granted.Contains(scope), $"the server did not grant the {scope} scope to the web client ({source})");

        var response = await c.OAuth(client).UserInfoAsync(tokens.AccessToken!, c.Cancellation).ConfigureAwait(false);

        c.Precondition(response.Status == HttpStatusCode.OK && response.Claims is not null, $"the honest userinfo request failed: {response}");
        var present = claims.Where(name => response.Claims!.Value.TryGetProperty(name, out _)).ToList();
        c.Expect(present.Count > 0, $"one of [{string.Join(", ", claims)}] for the granted {scope} scope",
            $"none of them; the response has [{string.Join(", ", response.Claims!.Value.EnumerateObject().Select(p => p.Name))}]");
    }
}
