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
            var server = RequireEndpoints(serverName);
            var (oauth, tokens) = await RefreshableTokensAsync(server).ConfigureAwait(false);
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
            var server = RequireEndpoints(serverName);
            var (oauth, tokens) = await AccessTokensAsync(server).ConfigureAwait(false);
            var before = await oauth.IntrospectAsync(tokens.AccessToken!, "access_token").ConfigureAwait(false);
            if (before.Active is null)
            {
                Assert.Ignore($"not applicable: the introspection endpoint of '{server.Name}' does not introspect its access tokens ({before}); RFC 7662 leaves the token types to the server");
            }

            before.Active.Should().BeTrue("RFC 7662 §2.2: an access token just issued is active; got {0}", before);

            var status = await oauth.RevokeAsync(tokens.AccessToken!, "access_token").ConfigureAwait(false);

            status.Should().Be(HttpStatusCode.OK, "RFC 7009 §2.2");
            var after = await oauth.IntrospectAsync(tokens.AccessToken!, "access_token").ConfigureAwait(false);
            if (after.Active == true)
            {
                // RFC 7009 §2: servers MUST support revoking refresh tokens and SHOULD support access tokens.
                Assert.Warn($"RFC 7009 §2 (SHOULD): the access token of '{oauth.Client.ClientId}' is still active after its revocation; got {after}");
            }
        });

    private static AuthorizationServer RequireEndpoints(string serverName)
    {
        var server = Server(serverName);
        if (server.Metadata.RevocationEndpoint is null || server.Metadata.IntrospectionEndpoint is null)
        {
            Assert.Ignore($"not applicable: server '{server.Name}' publishes no revocation_endpoint or introspection_endpoint");
        }

        return server;
    }

    /// <summary>A refresh token: from the password grant when the target offers it, else the web client's code flow (offline_access, prompt=consent).</summary>
    private static async Task<(OAuthClient, TokenResponse)> RefreshableTokensAsync(AuthorizationServer server)
    {
        if (Offering.MayOffer(server, Target.Profile, "password") && Target.Profile.Client("password") is { } password && password.ServesServer(server.Name))
        {
            var oauth = new OAuthClient(Target.Http, server, password);
            var tokens = await oauth.PasswordAsync(FlowSteps.PasswordUser, "openid offline_access").ConfigureAwait(false);
            if (tokens.RefreshToken is not null)
            {
                return (oauth, tokens);
            }

            Say.Line($"note: the password grant gave no refresh token ({tokens}); trying the code flow");
        }

        var web = Client("web", server);
        var webOAuth = new OAuthClient(Target.Http, server, web);
        await using var agent = AnyLoginDriver().NewUserAgent();
        var flow = await FlowSteps.CodeFlowAsync(agent, webOAuth, "openid offline_access", pkce: true).ConfigureAwait(false);
        if (flow.Tokens.RefreshToken is null)
        {
            Assert.Ignore("not applicable: " + Offering.NoRefreshToken(server, web.ClientId, "the password grant or the code flow with offline_access"));
        }

        return (webOAuth, flow.Tokens);
    }

    /// <summary>An access token of a confidential client from any grant the target offers: password, client credentials, then the web client's code flow.</summary>
    private static async Task<(OAuthClient, TokenResponse)> AccessTokensAsync(AuthorizationServer server)
    {
        foreach (var (role, grant) in new[] { ("password", "password"), ("service", "client_credentials") })
        {
            if (!Offering.MayOffer(server, Target.Profile, grant) || Target.Profile.Client(role) is not { IsConfidential: true } client || !client.ServesServer(server.Name))
            {
                continue;
            }

            var oauth = new OAuthClient(Target.Http, server, client);
            var scope = grant == "password" ? "openid" : Checks.BackChannel.ServiceScope(server, client);
            if (scope is null)
            {
                continue;
            }

            var tokens = grant == "password"
                ? await oauth.PasswordAsync(FlowSteps.PasswordUser, scope).ConfigureAwait(false)
                : await oauth.ClientCredentialsAsync(scope).ConfigureAwait(false);
            if (tokens.IsSuccess)
            {
                return (oauth, tokens);
            }

            Say.Line($"note: the {grant} grant failed ({tokens}); trying the next grant");
        }

        var web = Client("web", server);
        var webOAuth = new OAuthClient(Target.Http, server, web);
        await using var agent = AnyLoginDriver().NewUserAgent();
        var flow = await FlowSteps.CodeFlowAsync(agent, webOAuth, "openid", pkce: true).ConfigureAwait(false);
        return (webOAuth, flow.Tokens);
    }
}
