using System.Net;
using Conformance.Harness.Protocol;
using Conformance.Suites.Run;

namespace Conformance.Suites.Flows;

/// <summary>Introspection (RFC 7662) and revocation (RFC 7009) as steps of a flow: a token is live, then it is not.</summary>
[TestFixture]
[Category("flow:revocation")]
[Category("flow:introspection")]
public sealed class IntrospectionRevocationTests : ConformanceTest
{
    [TestCaseSource(typeof(Servers), nameof(Servers.All))]
    public Task A_revoked_refresh_token_is_reported_inactive_and_can_no_longer_be_used(string serverName) =>
        CheckAsync(async () =>
        {
            var (oauth, tokens) = await TokensAsync(serverName).ConfigureAwait(false);
            var before = await oauth.IntrospectAsync(tokens.RefreshToken!, "refresh_token").ConfigureAwait(false);
            before.Active.Should().BeTrue("RFC 7662 §2.2: a refresh token just issued is active; got {0}", before);

            var status = await oauth.RevokeAsync(tokens.RefreshToken!, "refresh_token").ConfigureAwait(false);

            status.Should().Be(HttpStatusCode.OK, "RFC 7009 §2.2: the server answers 200 when the token was revoked");
            var after = await oauth.IntrospectAsync(tokens.RefreshToken!, "refresh_token").ConfigureAwait(false);
            after.Active.Should().BeFalse("RFC 7009 §2: a revoked token is invalid from then on; got {0}", after);
            var refreshed = await oauth.RefreshAsync(tokens.RefreshToken!).ConfigureAwait(false);
            refreshed.Error.Should().Be("invalid_grant", "RFC 6749 §5.2: a revoked refresh token is an invalid grant; got {0}", refreshed);
        });

    [TestCaseSource(typeof(Servers), nameof(Servers.All))]
    public Task A_revoked_access_token_is_reported_inactive(string serverName) =>
        CheckAsync(async () =>
        {
            var (oauth, tokens) = await TokensAsync(serverName).ConfigureAwait(false);
            var before = await oauth.IntrospectAsync(tokens.AccessToken!, "access_token").ConfigureAwait(false);
            before.Active.Should().BeTrue("RFC 7662 §2.2: an access token just issued is active; got {0}", before);

            var status = await oauth.RevokeAsync(tokens.AccessToken!, "access_token").ConfigureAwait(false);

            status.Should().Be(HttpStatusCode.OK, "RFC 7009 §2.2");
            var after = await oauth.IntrospectAsync(tokens.AccessToken!, "access_token").ConfigureAwait(false);
            after.Active.Should().BeFalse("RFC 7009 §2 / RFC 7662 §2.2: a revoked access token is no longer active; got {0}", after);
        });

    /// <summary>Tokens with a refresh token, from the password grant (no browser needed for a back-channel check).</summary>
    private static async Task<(OAuthClient, TokenResponse)> TokensAsync(string serverName)
    {
        var server = Server(serverName);
        if (server.Metadata.RevocationEndpoint is null || server.Metadata.IntrospectionEndpoint is null)
        {
            Assert.Ignore($"not applicable: server '{server.Name}' publishes no revocation_endpoint or introspection_endpoint");
        }

        RequireMetadata(server, "grant_types_supported", "password");
        var client = Client("password", server);
        var oauth = new OAuthClient(Target.Http, server, client);
        var tokens = await oauth.PasswordAsync(FlowSteps.PasswordUser, "openid offline_access").ConfigureAwait(false);
        FlowSteps.ShouldBeSuccessfulTokenResponse(tokens, "RFC 6749 §4.3.3");
        tokens.RefreshToken.Should().NotBeNullOrEmpty("offline_access was requested with the password grant");
        return (oauth, tokens);
    }
}
