using Conformance.Harness.Protocol;
using Conformance.Suites.Run;

namespace Conformance.Suites.Flows;

/// <summary>Resource owner password credentials (RFC 6749 §4.3) for a trusted confidential client.</summary>
[TestFixture]
[Category("flow:password")]
public sealed class PasswordGrantTests : ConformanceTest
{
    [TestCaseSource(typeof(Servers), nameof(Servers.All))]
    public Task Trusted_client_exchanges_the_users_password_for_verified_tokens_and_a_refresh_token(string serverName) =>
        CheckAsync(async () =>
        {
            var server = Server(serverName);
            RequireGrant(server, "password");
            var client = Client("password", server);
            var oauth = new OAuthClient(Target.Http, server, client);

            var tokens = await oauth.PasswordAsync(FlowSteps.PasswordUser, "openid profile offline_access").ConfigureAwait(false);

            NotApplicableIfRefused(server, "password", tokens);
            FlowSteps.ShouldBeSuccessfulTokenResponse(tokens, "RFC 6749 §4.3.3: valid credentials of an allowed client get an access token");
            // OpenID Connect does not define the password grant, so an ID token is optional there; one that is
            // sent must still be valid. A refresh token is optional too (RFC 6749 §4.3.3 "optional").
            string? subject = null;
            if (tokens.IdToken is not null)
            {
                subject = (await FlowSteps.ShouldBeValidIdTokenAsync(tokens.IdToken, server, client, nonce: null).ConfigureAwait(false)).Claim("sub");
            }

            Say.Line($"note: id_token {(tokens.IdToken is null ? "absent" : "present")}, refresh_token {(tokens.RefreshToken is null ? "absent" : "present")}");
            await FlowSteps.ShouldBeLiveAccessTokenAsync(oauth, tokens.AccessToken!, ["openid"]).ConfigureAwait(false);
            await FlowSteps.ShouldGetUserInfoForAsync(oauth, tokens.AccessToken!, subject).ConfigureAwait(false);
        });
}
