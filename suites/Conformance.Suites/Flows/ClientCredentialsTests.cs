using Conformance.Harness.Protocol;
using Conformance.Suites.Run;

namespace Conformance.Suites.Flows;

/// <summary>Client credentials (RFC 6749 §4.4) for a service client with a custom scope.</summary>
[TestFixture]
[Category("flow:client-credentials")]
public sealed class ClientCredentialsTests : ConformanceTest
{
    [TestCaseSource(typeof(Servers), nameof(Servers.All))]
    public Task Service_client_gets_an_access_token_for_its_custom_scope_and_no_refresh_token(string serverName) =>
        CheckAsync(async () =>
        {
            var server = Server(serverName);
            RequireGrant(server, "client_credentials");
            var client = Client("service", server);
            var scope = ServiceScope(server, client);
            var oauth = new OAuthClient(Target.Http, server, client);

            var tokens = await oauth.ClientCredentialsAsync(scope).ConfigureAwait(false);

            NotApplicableIfRefused(server, "client_credentials", tokens);

            FlowSteps.ShouldBeSuccessfulTokenResponse(tokens, "RFC 6749 §4.4.3: an authenticated client asking for a scope it may have gets an access token");
            // RFC 6749 §4.4.3: a refresh token SHOULD NOT be included (a SHOULD: RT-05 warns about it, the flow goes on).
            if (tokens.RefreshToken is not null)
            {
                Say.Line("note: the client credentials grant returned a refresh token (RFC 6749 §4.4.3 SHOULD NOT; see RT-05)");
            }

            tokens.IdToken.Should().BeNull("no user took part, so there is nothing for an ID token to say (OIDC Core §2)");
            if (tokens.Scope is not null)
            {
                tokens.Scope.Split(' ').Should().Contain(scope, "RFC 6749 §5.1: scope lists what was granted");
            }

            await FlowSteps.ShouldBeLiveAccessTokenAsync(oauth, tokens.AccessToken!, [scope]).ConfigureAwait(false);
        });

    /// <summary>The service client's first scope that this server has: from the server's profile, else from its published scopes.</summary>
    private static string ServiceScope(AuthorizationServer server, Harness.Target.ClientProfile client)
    {
        var known = server.Profile.Scopes.Count > 0 ? server.Profile.Scopes : server.Metadata.ScopesSupported;
        var scope = client.Scopes.FirstOrDefault(known.Contains) ?? (known.Count == 0 ? client.Scopes.FirstOrDefault() : null);
        if (scope is null)
        {
            Assert.Ignore($"not applicable: none of the service client's scopes ({string.Join(", ", client.Scopes)}) belongs to server '{server.Name}'");
        }

        return scope!;
    }
}
