using System.Net;
using Conformance.Harness.Checks;

namespace Conformance.Checks.Areas;

/// <summary>The userinfo endpoint as a bearer-protected resource (OIDC Core §5.3, RFC 6750).</summary>
public static class UserInfo
{
    private const string Area = "userinfo";
    private const string WebUserInfo = "a userinfo_endpoint and a confidential web client using the code flow";

    private static readonly string[] ProfileClaims = ["name", "given_name", "family_name", "middle_name", "nickname", "preferred_username", "profile", "picture", "website", "gender", "birthdate", "zoneinfo", "locale", "updated_at"];
    private static readonly string[] EmailClaims = ["email", "email_verified"];

    public static Check MissingTokenChallenged { get; } = Define.Rule(new()
    {
        Id = "UI-01",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Low,
        Requirement = "A userinfo request without an access token MUST be answered HTTP 401 with a WWW-Authenticate header for the Bearer scheme.",
        Specs = "RFC6750 §3; RFC6750 §3.1; OIDC-Core §5.3.3",
        Applicability = "a userinfo_endpoint",
        Remediation = "Answer a request without credentials with 401 and 'WWW-Authenticate: Bearer ...' (no error code is needed).",
        Run = async c =>
        {
            var endpoint = c.RequireEndpoint("userinfo_endpoint");

            var response = await BackChannel.GetAsync(c, endpoint).ConfigureAwait(false);

            var challenge = response.Header("WWW-Authenticate");
            c.Expect(response.Status == HttpStatusCode.Unauthorized && challenge is not null && challenge.TrimStart().StartsWith("Bearer", StringComparison.OrdinalIgnoreCase),
                "HTTP 401 with 'WWW-Authenticate: Bearer ...'", $"HTTP {(int)response.Status}, WWW-Authenticate: {challenge ?? "(none)"}");
        },
    });

    public static Check GarbageTokenRefused { get; } = Define.Rule(new()
    {
        Id = "UI-02",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Critical,
        Requirement = "A userinfo request with an access token the server never issued MUST be answered HTTP 401 with error=\"invalid_token\" in WWW-Authenticate.",
        Specs = "RFC6750 §3; RFC6750 §3.1; OIDC-Core §5.3.3",
        Applicability = "a userinfo_endpoint",
        Remediation = "Validate the bearer token (signature, issuer, expiry, revocation) before answering; answer 401 with error=\"invalid_token\".",
        Run = async c =>
        {
            c.RequireEndpoint("userinfo_endpoint");
            var client = c.Profile.Clients.Values.FirstOrDefault(cl => cl.ServesServer(c.Server.Name));
            c.Require(client is not null, $"the target profile has no client for server '{c.Server.Name}'");

            var response = await c.OAuth(client!).UserInfoAsync(BackChannel.GarbageToken(), c.Cancellation).ConfigureAwait(false);

            c.Expect(response.Status == HttpStatusCode.Unauthorized && response.WwwAuthenticate is { } h && h.Contains("error=\"invalid_token\"", StringComparison.Ordinal),
                "HTTP 401, WWW-Authenticate: Bearer error=\"invalid_token\"", response.ToString());
        },
        Threats = "RFC6819 §4.6.3",
    });

    public static Check QueryTokenRefused { get; } = Define.Rule(new()
    {
        Id = "UI-03",
        Anchors = "OAuch: ApiEndpoint/TokenAsQueryParameterDisabledTest; OAuch: Features/TokenAsQueryParameterTest",
        Area = Area,
        Level = RequirementLevel.Should,
        Severity = Severity.Medium,
        Requirement = "The userinfo endpoint SHOULD NOT accept an access token in the URI query (access_token parameter).",
        Specs = "RFC6750 §2.3; RFC6750 §5.3; RFC9700 §4.3.2",
        Applicability = WebUserInfo,
        Remediation = "Accept bearer tokens only in the Authorization header (or a form body); refuse the access_token query parameter.",
        Run = async c =>
        {
            var endpoint = c.RequireEndpoint("userinfo_endpoint");
            var (client, _, tokens) = await BackChannel.UserTokensAsync(c).ConfigureAwait(false);
            var honest = await c.OAuth(client).UserInfoAsync(tokens.AccessToken!, c.Cancellation).ConfigureAwait(false);
            c.Precondition(honest.Status == HttpStatusCode.OK, $"the honest userinfo request (Authorization header) failed: {honest}");

            var response = await BackChannel.GetAsync(c, endpoint, query: [new("access_token", tokens.AccessToken!)]).ConfigureAwait(false);

            c.Expect(response.Status != HttpStatusCode.OK, "HTTP 400 or 401: a token in the query string is not accepted", $"HTTP {(int)response.Status}" + (response.String("sub") is null ? "" : " with the user's claims"));
        },
        Threats = "RFC6819 §4.6.7; RFC9700 §4.3.2",
    });

    public static Check SubjectMatchesIdToken { get; } = Define.Rule(new()
    {
        Id = "UI-04",
        Anchors = "OIDF: oidcc-server; OIDF: oidcc-userinfo-get",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "The sub claim of the userinfo response MUST equal the sub of the ID token of the same grant.",
        Specs = "OIDC-Core §5.3.2; OIDC-Core §5.3.4",
        Applicability = WebUserInfo,
        Remediation = "Return the claims of the user the access token was issued for, with the same subject identifier as the ID token.",
        Run = async c =>
        {
            c.RequireEndpoint("userinfo_endpoint");
            var (client, _, tokens) = await BackChannel.UserTokensAsync(c).ConfigureAwait(false);
            var idToken = BackChannel.Jwt(tokens.IdToken);
            c.Precondition(idToken is not null, "the code flow returned no decodable ID token");

            var response = await c.OAuth(client).UserInfoAsync(tokens.AccessToken!, c.Cancellation).ConfigureAwait(false);

            c.Precondition(response.Status == HttpStatusCode.OK, $"the honest userinfo request failed: {response}");
            c.Expect(response.Subject == idToken!.Subject, $"sub '{idToken.Subject}' (the ID token's)", $"sub '{response.Subject ?? "(absent)"}'");
        },
    });

    public static Check ClaimsFollowScopes { get; } = Define.Rule(new()
    {
        Id = "UI-05",
        Area = Area,
        Level = RequirementLevel.Should,
        Severity = Severity.Low,
        Requirement = "The userinfo endpoint SHOULD return the email and profile claims only when the email or profile scope was granted.",
        Specs = "OIDC-Core §5.4; OIDC-Core §5.3.2",
        Applicability = WebUserInfo,
        Remediation = "Release the claims of a scope only when that scope was granted to the access token.",
        Run = async c =>
        {
            c.RequireEndpoint("userinfo_endpoint");
            var (client, _, tokens) = await BackChannel.UserTokensAsync(c, "openid").ConfigureAwait(false);
            var granted = BackChannel.Scopes(tokens.Scope ?? "openid");
            c.Precondition(!granted.Contains("email") && !granted.Contains("profile"), $"the server granted '{tokens.Scope}' for a request of 'openid' only");

            var response = await c.OAuth(client).UserInfoAsync(tokens.AccessToken!, c.Cancellation).ConfigureAwait(false);

            c.Precondition(response.Status == HttpStatusCode.OK && response.Claims is not null, $"the honest userinfo request failed: {response}");
            var leaked = EmailClaims.Concat(ProfileClaims).Where(name => response.Claims!.Value.TryGetProperty(name, out _)).ToList();
            c.Expect(leaked.Count == 0, "only sub (and claims of granted scopes) for the scope 'openid'", $"claims of scopes not granted: {string.Join(", ", leaked)}");
        },
        Threats = "RFC6819 §5.1.5.1",
    });
}
