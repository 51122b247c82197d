using Conformance.Harness.Checks;
using Conformance.Harness.Protocol;
using Conformance.Suites.Run;

namespace Conformance.Suites.Flows;

/// <summary>Refreshing an access token (RFC 6749 §6) and the ID token rules on refresh (OIDC Core §12.2).</summary>
[TestFixture]
[Category("flow:refresh-token")]
public sealed class RefreshTokenTests : ConformanceTest
{
    internal static readonly CheckDefinition RefreshCode = new()
    {
        Id = "FLOW-REFRESH-CODE",
        Area = "refresh-token",
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "A refresh token of a code flow grant MUST be exchanged for a no-store Bearer access token that userinfo accepts for the same subject; "
            + "an ID token sent on refresh MUST verify and keep the original iss, sub, aud and auth_time, with an iat no earlier than the original's.",
        Specs = Specs("RFC6749 §6; RFC6749 §5.1; OIDC-Core §11; OIDC-Core §12.2; OIDC-Core §5.3.2"),
        Applicability = "a 'web' client to which the server issues a refresh token for offline_access with prompt=consent, and the login driver of the case",
        Remediation = "Honour a valid refresh token of the client with a fresh access token; an ID token issued on refresh must describe the original authentication (OIDC Core §12.2).",
    };

    internal static readonly CheckDefinition RefreshPassword = RefreshCode with
    {
        Id = "FLOW-REFRESH-PASSWORD",
        Severity = Severity.Medium,
        Requirement = "A refresh token of a password grant MUST be exchanged for a no-store Bearer access token that is live.",
        Specs = Specs("RFC6749 §4.3.3; RFC6749 §6; RFC6749 §5.1; RFC9068 §4; RFC7662 §2.2"),
        Applicability = "a server that may offer the password grant, a 'password' client, and a refresh token issued to it for offline_access",
        Remediation = "Honour a valid refresh token of the password client with a fresh access token that validates or introspects as active.",
    };

    [TestCaseSource(typeof(Servers), nameof(Servers.WithDrivers))]
    public Task Refreshing_a_code_flow_grant_gives_a_working_access_token_and_an_id_token_for_the_same_user(string serverName, string driver) =>
        FlowAsync(RefreshCode, async c =>
        {
            var server = c.Server;
            var client = c.Client("web");
            var oauth = c.OAuth(client);
            await using var agent = c.LoginDriver.NewUserAgent();
            // OIDC Core §11: offline_access goes with prompt=consent (the request adds it); a refresh token is still the server's choice.
            var flow = await FlowSteps.CodeFlowAsync(agent, oauth, "openid profile offline_access", pkce: false).ConfigureAwait(false);
            c.Require(flow.Tokens.RefreshToken is not null, Offering.NoRefreshToken(server, client.ClientId, "the code flow with offline_access and prompt=consent"));
            c.Evidence("id_token", flow.Tokens.IdToken);

            var original = await FlowSteps.ShouldBeValidIdTokenAsync(flow.Tokens.IdToken, server, client, flow.Request.Nonce).ConfigureAwait(false);

            var refreshed = await oauth.RefreshAsync(flow.Tokens.RefreshToken!).ConfigureAwait(false);
            c.Evidence("refreshed id_token", refreshed.IdToken);

            FlowSteps.ShouldBeSuccessfulTokenResponse(refreshed, "RFC 6749 §6: a valid refresh token of this client gets a new access token");
            await FlowSteps.ShouldGetUserInfoForAsync(oauth, refreshed.AccessToken!, original.Claim("sub")).ConfigureAwait(false);
            if (refreshed.IdToken is not null)
            {
                // §12.2: no nonce is expected on refresh; everything else must describe the original authentication.
                var renewed = await FlowSteps.IdTokenValidation(refreshed.IdToken, server, client, nonce: null).ConfigureAwait(false);
                renewed.Failures.Should().BeEmpty("OIDC Core §12.2: a refreshed ID token is validated like the first one");
                renewed.Claim("iss").Should().Be(original.Claim("iss"), "OIDC Core §12.2: iss MUST be the same as in the original ID token");
                renewed.Claim("sub").Should().Be(original.Claim("sub"), "OIDC Core §12.2: sub MUST be the same as in the original ID token");
                renewed.Claim("aud").Should().Be(original.Claim("aud"), "OIDC Core §12.2: aud MUST be the same as in the original ID token");
                if (original.Claim("auth_time") is { } authTime)
                {
                    renewed.Claim("auth_time").Should().Be(authTime, "OIDC Core §12.2: auth_time MUST be the time of the original authentication");
                }

                long.Parse(renewed.Claim("iat")!, System.Globalization.CultureInfo.InvariantCulture).Should().BeGreaterThanOrEqualTo(
                    long.Parse(original.Claim("iat")!, System.Globalization.CultureInfo.InvariantCulture),
                    "OIDC Core §12.2: iat MUST represent the time the new ID token is issued");
            }
        }, serverName, driver);

    [TestCaseSource(typeof(Servers), nameof(Servers.All))]
    public Task Refreshing_a_password_grant_gives_a_working_access_token(string serverName) =>
        FlowAsync(RefreshPassword, async c =>
        {
            RequireGrant(c, "password");
            var client = c.Client("password");
            var oauth = c.OAuth(client);
            var tokens = await oauth.PasswordAsync(FlowSteps.PasswordUser, "openid offline_access").ConfigureAwait(false);
            NotApplicableIfRefused(c, "password", tokens);
            FlowSteps.ShouldBeSuccessfulTokenResponse(tokens, "RFC 6749 §4.3.3");
            c.Require(tokens.RefreshToken is not null, Offering.NoRefreshToken(c.Server, client.ClientId, "the password grant with offline_access"));

            var refreshed = await oauth.RefreshAsync(tokens.RefreshToken!).ConfigureAwait(false);

            FlowSteps.ShouldBeSuccessfulTokenResponse(refreshed, "RFC 6749 §6: a valid refresh token of this client gets a new access token");
            await FlowSteps.ShouldBeLiveAccessTokenAsync(oauth, refreshed.AccessToken!, ["openid"]).ConfigureAwait(false);
        }, serverName);
}
