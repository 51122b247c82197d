using Conformance.Harness.Protocol;
using Conformance.Suites.Run;

namespace Conformance.Suites.Flows;

/// <summary>Refreshing an access token (RFC 6749 §6) and the ID token rules on refresh (OIDC Core §12.2).</summary>
[TestFixture]
[Category("flow:refresh-token")]
public sealed class RefreshTokenTests : ConformanceTest
{
    [TestCaseSource(typeof(Servers), nameof(Servers.WithDrivers))]
    public Task Refreshing_a_code_flow_grant_gives_a_working_access_token_and_an_id_token_for_the_same_user(string serverName, string driver) =>
        CheckAsync(async () =>
        {
            var server = Server(serverName);
            var client = Client("web", server);
            var oauth = new OAuthClient(Target.Http, server, client);
            await using var agent = LoginDriver(driver).NewUserAgent();
            // OIDC Core §11: offline_access goes with prompt=consent (the request adds it); a refresh token is still the server's choice.
            var flow = await FlowSteps.CodeFlowAsync(agent, oauth, "openid profile offline_access", pkce: false).ConfigureAwait(false);
            if (flow.Tokens.RefreshToken is null)
            {
                Assert.Ignore("not applicable: " + Offering.NoRefreshToken(server, client.ClientId, "the code flow with offline_access and prompt=consent"));
            }

            var original = await FlowSteps.ShouldBeValidIdTokenAsync(flow.Tokens.IdToken, server, client, flow.Request.Nonce).ConfigureAwait(false);

            var refreshed = await oauth.RefreshAsync(flow.Tokens.RefreshToken!).ConfigureAwait(false);

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
        });

    [TestCaseSource(typeof(Servers), nameof(Servers.All))]
    public Task Refreshing_a_password_grant_gives_a_working_access_token(string serverName) =>
        CheckAsync(async () =>
        {
            var server = Server(serverName);
            RequireGrant(server, "password");
            var client = Client("password", server);
            var oauth = new OAuthClient(Target.Http, server, client);
            var tokens = await oauth.PasswordAsync(FlowSteps.PasswordUser, "openid offline_access").ConfigureAwait(false);
            NotApplicableIfRefused(server, "password", tokens);
            FlowSteps.ShouldBeSuccessfulTokenResponse(tokens, "RFC 6749 §4.3.3");
            if (tokens.RefreshToken is null)
            {
                Assert.Ignore("not applicable: " + Offering.NoRefreshToken(server, client.ClientId, "the password grant with offline_access"));
            }

            var refreshed = await oauth.RefreshAsync(tokens.RefreshToken!).ConfigureAwait(false);

            FlowSteps.ShouldBeSuccessfulTokenResponse(refreshed, "RFC 6749 §6: a valid refresh token of this client gets a new access token");
            await FlowSteps.ShouldBeLiveAccessTokenAsync(oauth, refreshed.AccessToken!, ["openid"]).ConfigureAwait(false);
        });
}
