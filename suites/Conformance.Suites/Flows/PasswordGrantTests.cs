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
            RequireMetadata(server, "grant_types_supported", "password");
            var client = Client("password", server);
            var oauth = new OAuthClient(Target.Http, server, client);

            var tokens = await oauth.PasswordAsync(FlowSteps.PasswordUser, "openid profile offline_access").ConfigureAwait(false);

            FlowSteps.ShouldBeSuccessfulTokenResponse(tokens, "RFC 6749 §4.3.3: valid credentials of an allowed client get an access token");
            var idToken = await FlowSteps.ShouldBeValidIdTokenAsync(tokens.IdToken, server, client, nonce: null).ConfigureAwait(false);
            tokens.RefreshToken.Should().NotBeNullOrEmpty("offline_access was requested and granted for the password grant (RFC 6749 §4.3.3, OIDC Core §11)");
            await FlowSteps.ShouldBeLiveAccessTokenAsync(oauth, tokens.AccessToken!, ["openid"]).ConfigureAwait(false);
            await FlowSteps.ShouldGetUserInfoForAsync(oauth, tokens.AccessToken!, idToken.Claim("sub")).ConfigureAwait(false);
        });
}
