using Conformance.Harness.Checks;
using Conformance.Suites.Run;

namespace Conformance.Suites.Flows;

/// <summary>Resource owner password credentials (RFC 6749 §4.3) for a trusted confidential client.</summary>
[TestFixture]
[Category("flow:password")]
public sealed class PasswordGrantTests : ConformanceTest
{
    internal static readonly CheckDefinition Password = new()
    {
        Id = "FLOW-PASSWORD",
        Area = "password",
        Level = RequirementLevel.Must,
        Severity = Severity.Medium,
        Requirement = "A trusted confidential client sending valid user credentials MUST get a no-store Bearer access token that is live; "
            + "an ID token, when sent, MUST verify, and userinfo MUST accept the access token for the same subject.",
        Specs = Specs("RFC6749 §4.3.2; RFC6749 §4.3.3; RFC6749 §5.1; OIDC-Core §3.1.3.7; RFC9068 §4; RFC7662 §2.2; OIDC-Core §5.3.2"),
        Applicability = "a server that may offer the password grant and a 'password' client",
        Remediation = "Issue a no-store token response to the password client for valid credentials, with an access token that validates or introspects as active and that userinfo accepts.",
    };

    [TestCaseSource(typeof(Servers), nameof(Servers.All))]
    public Task Trusted_client_exchanges_the_users_password_for_verified_tokens_and_a_refresh_token(string serverName) =>
        FlowAsync(Password, async c =>
        {
            RequireGrant(c, "password");
            var client = c.Client("password");
            var oauth = c.OAuth(client);

            var tokens = await oauth.PasswordAsync(FlowSteps.PasswordUser, "openid profile offline_access").ConfigureAwait(false);
            c.Evidence("id_token", tokens.IdToken);
            c.Evidence("access_token", tokens.AccessToken);

            NotApplicableIfRefused(c, "password", tokens);
            FlowSteps.ShouldBeSuccessfulTokenResponse(tokens, "RFC 6749 §4.3.3: valid credentials of an allowed client get an access token");
            // OpenID Connect does not define the password grant, so an ID token is optional there; one that is
            // sent must still be valid. A refresh token is optional too (RFC 6749 §4.3.3 "optional").
            string? subject = null;
            if (tokens.IdToken is not null)
            {
                subject = (await FlowSteps.ShouldBeValidIdTokenAsync(tokens.IdToken, c.Server, client, nonce: null).ConfigureAwait(false)).Claim("sub");
            }

            c.Note($"id_token {(tokens.IdToken is null ? "absent" : "present")}, refresh_token {(tokens.RefreshToken is null ? "absent" : "present")}");
            await FlowSteps.ShouldBeLiveAccessTokenAsync(oauth, tokens.AccessToken!, ["openid"]).ConfigureAwait(false);
            await FlowSteps.ShouldGetUserInfoForAsync(oauth, tokens.AccessToken!, subject).ConfigureAwait(false);
        }, serverName);
}
