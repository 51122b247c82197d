using Conformance.Harness.Checks;

namespace Conformance.Checks.Areas;

/// <summary>The claims of an ID token against the scopes granted (OIDC Core §5.4), as UI-05 judges UserInfo.</summary>
public static class IdTokenScopes
{
    private static readonly string[] ScopeClaims = ["email", "email_verified", "name", "given_name", "family_name", "middle_name", "nickname", "preferred_username",
        "profile", "picture", "website", "gender", "birthdate", "zoneinfo", "locale", "updated_at", "address", "phone_number", "phone_number_verified"];

    public static Check NoClaimsOfScopesNotGranted { get; } = Define.Rule(new()
    {
        Id = "IDT-12",
        Area = "id-token",
        Level = RequirementLevel.Should,
        Severity = Severity.Low,
        Requirement = "An ID token issued for the scope 'openid' alone SHOULD NOT carry the claims of the profile, email, address or phone scopes.",
        Specs = "OIDC-Core §5.4; OIDC-Core §2",
        Applicability = "a confidential web client using the code flow",
        Remediation = "Put the claims of a scope into the ID token only when that scope (or the claims parameter) asked for them.",
        Run = async c =>
        {
            var (_, _, tokens) = await BackChannel.UserTokensAsync(c, "openid").ConfigureAwait(false);
            var granted = BackChannel.Scopes(tokens.Scope ?? "openid");
            c.Precondition(granted.SetEquals(["openid"]), $"the server granted '{tokens.Scope}' for a request of 'openid' only");
            var idToken = BackChannel.Jwt(tokens.IdToken);
            c.Precondition(idToken is not null, "the token response to a request with the openid scope carried no decodable id_token");

            var leaked = ScopeClaims.Where(name => idToken!.TryGetPayloadValue<object>(name, out _)).ToList();

            c.Expect(leaked.Count == 0, "only the ID token's own claims (iss, sub, aud, exp, iat, auth_time, nonce...) for the scope 'openid'",
                $"claims of scopes not granted: {string.Join(", ", leaked)}");
        },
        Threats = "RFC6819 §5.1.5.1",
    });
}
