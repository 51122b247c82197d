using System.Net;
using Conformance.Harness.Checks;
using Conformance.Harness.Protocol;
using Conformance.Suites.Run;

namespace Conformance.Suites.Flows;

/// <summary>Introspection (RFC 7662) and revocation (RFC 7009) as steps of a flow: a token is live, then it is not.</summary>
[TestFixture]
[Category("flow:revocation")]
[Category("flow:introspection")]
public sealed class IntrospectionRevocationTests : ConformanceTest
{
    internal static readonly CheckDefinition RevokeRefresh = new()
    {
        Id = "FLOW-REVOKE-REFRESH",
        Area = "revocation",
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "A refresh token just issued MUST introspect as active; its revocation MUST be answered with 200, after which it MUST introspect as inactive "
            + "and a refresh with it MUST fail with invalid_grant.",
        Specs = Specs("RFC7662 §2.2; RFC7009 §2; RFC7009 §2.2; RFC6749 §5.2"),
        Applicability = "a server publishing revocation_endpoint and introspection_endpoint that issues a refresh token to the 'password' or 'web' client",
        Remediation = "Support revoking refresh tokens (RFC 7009 §2: a MUST), answer 200, and from then on report the token inactive and refuse it as invalid_grant.",
    };

    internal static readonly CheckDefinition RevokeAccess = RevokeRefresh with
    {
        Id = "FLOW-REVOKE-ACCESS",
        Severity = Severity.Medium,
        Requirement = "An access token just issued MUST introspect as active and its revocation MUST be answered with 200; "
            + "afterwards it SHOULD introspect as inactive (RFC 7009 §2: servers SHOULD support revoking access tokens; a token still active warns).",
        Specs = Specs("RFC7662 §2.2; RFC7009 §2; RFC7009 §2.2"),
        Applicability = "a server publishing revocation_endpoint and introspection_endpoint, a confidential client with an access token, and an introspection endpoint that introspects access tokens",
        Remediation = "Answer the revocation of an access token with 200 and report the token inactive from then on.",
    };

    [TestCaseSource(typeof(Servers), nameof(Servers.All))]
    public Task A_revoked_refresh_token_is_reported_inactive_and_can_no_longer_be_used(string serverName) =>
        FlowAsync(RevokeRefresh, async c =>
        {
            RequireEndpoints(c);
            var (oauth, tokens) = await RefreshableTokensAsync(c).ConfigureAwait(false);
            c.Evidence("refresh_token", tokens.RefreshToken);
            var before = await oauth.IntrospectAsync(tokens.RefreshToken!, "refresh_token").ConfigureAwait(false);
            before.Active.Should().BeTrue("RFC 7662 §2.2: a refresh token just issued is active; got {0}", before);

            var status = await oauth.RevokeAsync(tokens.RefreshToken!, "refresh_token").ConfigureAwait(false);

            status.Should().Be(HttpStatusCode.OK, "RFC 7009 §2.2: the server answers 200 when the token was revoked");
            var after = await oauth.IntrospectAsync(tokens.RefreshToken!, "refresh_token").ConfigureAwait(false);
            after.Active.Should().BeFalse("RFC 7009 §2: a revoked token is invalid from then on; got {0}", after);
            var refreshed = await oauth.RefreshAsync(tokens.RefreshToken!).ConfigureAwait(false);
            refreshed.Error.Should().Be("invalid_grant", "RFC 6749 §5.2: a revoked refresh token is an invalid grant; got {0}", refreshed);
        }, serverName);

    [TestCaseSource(typeof(Servers), nameof(Servers.All))]
    public Task A_revoked_access_token_is_reported_inactive(string serverName) =>
        FlowAsync(RevokeAccess, async c =>
        {
            RequireEndpoints(c);
            var (oauth, tokens) = await AccessTokensAsync(c).ConfigureAwait(false);
            c.Evidence("access_token", tokens.AccessToken);
            var before = await oauth.IntrospectAsync(tokens.AccessToken!, "access_token").ConfigureAwait(false);
            c.Require(before.Active is not null, $"the introspection endpoint of '{c.Server.Name}' does not introspect its access tokens ({before}); RFC 7662 leaves the token types to the server");

            before.Active.Should().BeTrue("RFC 7662 §2.2: an access token just issued is active; got {0}", before);

            var status = await oauth.RevokeAsync(tokens.AccessToken!, "access_token").ConfigureAwait(false);

            status.Should().Be(HttpStatusCode.OK, "RFC 7009 §2.2");
            var after = await oauth.IntrospectAsync(tokens.AccessToken!, "access_token").ConfigureAwait(false);
            // RFC 7009 §2: servers MUST support revoking refresh tokens and SHOULD support access tokens: a warning, not a failure.
            c.ExpectShould(after.Active != true, "RFC 7009 §2: the server SHOULD support the revocation of access tokens",
                $"the access token of '{oauth.Client.ClientId}' is still active after its revocation; got {after}");
        }, serverName);

    private static void RequireEndpoints(CheckContext c) =>
        c.Require(c.Server.Metadata.RevocationEndpoint is not null && c.Server.Metadata.IntrospectionEndpoint is not null,
            $"server '{c.Server.Name}' publishes no revocation_endpoint or introspection_endpoint");

    /// <summary>A refresh token: from the password grant when the target offers it, else the web client's code flow (offline_access, prompt=consent).</summary>
    private static async Task<(OAuthClient, TokenResponse)> RefreshableTokensAsync(CheckContext c)
    {
        var server = c.Server;
        if (Offering.MayOffer(server, c.Profile, "password") && c.Profile.Client("password") is { } password && password.ServesServer(server.Name))
        {
            var oauth = c.OAuth(password);
            var tokens = await oauth.PasswordAsync(FlowSteps.PasswordUser, "openid offline_access").ConfigureAwait(false);
            if (tokens.RefreshToken is not null)
            {
                return (oauth, tokens);
            }

            c.Note($"the password grant gave no refresh token ({tokens}); trying the code flow");
        }

        var web = c.Client("web");
        var webOAuth = c.OAuth(web);
        await using var agent = c.LoginDriver.NewUserAgent();
        var flow = await FlowSteps.CodeFlowAsync(agent, webOAuth, "openid offline_access", pkce: true).ConfigureAwait(false);
        c.Require(flow.Tokens.RefreshToken is not null, Offering.NoRefreshToken(server, web.ClientId, "the password grant or the code flow with offline_access"));
        return (webOAuth, flow.Tokens);
    }

    /// <summary>An access token of a confidential client from any grant the target offers: password, client credentials, then the web client's code flow.</summary>
    private static async Task<(OAuthClient, TokenResponse)> AccessTokensAsync(CheckContext c)
    {
        var server = c.Server;
        foreach (var (role, grant) in new[] { ("password", "password"), ("service", "client_credentials") })
        {
            if (!Offering.MayOffer(server, c.Profile, grant) || c.Profile.Client(role) is not { IsConfidential: true } client || !client.ServesServer(server.Name))
            {
                continue;
            }

            var oauth = c.OAuth(client);
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

            c.Note($"the {grant} grant failed ({tokens}); trying the next grant");
        }

        var web = c.Client("web");
        var webOAuth = c.OAuth(web);
        await using var agent = c.LoginDriver.NewUserAgent();
        var flow = await FlowSteps.CodeFlowAsync(agent, webOAuth, "openid", pkce: true).ConfigureAwait(false);
        return (webOAuth, flow.Tokens);
    }
}
