using Conformance.Harness.Checks;
using Conformance.Harness.Protocol;
using Conformance.Suites.Run;

namespace Conformance.Suites.Flows;

/// <summary>Client credentials (RFC 6749 §4.4) for a service client with a custom scope.</summary>
[TestFixture]
[Category("flow:client-credentials")]
public sealed class ClientCredentialsTests : ConformanceTest
{
    internal static readonly CheckDefinition ClientCredentials = new()
    {
        Id = "FLOW-CLIENT-CREDENTIALS",
        Area = "client-credentials",
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "An authenticated service client asking for a scope it may have MUST get a no-store Bearer access token, without an ID token, "
            + "that is live for that scope (RFC 9068 validation or introspection).",
        Specs = Specs("RFC6749 §4.4.2; RFC6749 §4.4.3; RFC6749 §5.1; OIDC-Core §2; RFC9068 §4; RFC7662 §2.2"),
        Applicability = "a server that may offer the client_credentials grant and a 'service' client with a scope of that server",
        Remediation = "Issue an access token to the service client for its scope, with Cache-Control: no-store, no ID token, and a token that validates or introspects as active.",
    };

    [TestCaseSource(typeof(Servers), nameof(Servers.All))]
    public Task Service_client_gets_an_access_token_for_its_custom_scope_and_no_refresh_token(string serverName) =>
        FlowAsync(ClientCredentials, async c =>
        {
            RequireGrant(c, "client_credentials");
            var client = c.Client("service");
            var scope = ServiceScope(c, client);
            var oauth = c.OAuth(client);

            var tokens = await oauth.ClientCredentialsAsync(scope).ConfigureAwait(false);
            c.Evidence("access_token", tokens.AccessToken);

            NotApplicableIfRefused(c, "client_credentials", tokens);

            FlowSteps.ShouldBeSuccessfulTokenResponse(tokens, "RFC 6749 §4.4.3: an authenticated client asking for a scope it may have gets an access token");
            // RFC 6749 §4.4.3: a refresh token SHOULD NOT be included (a SHOULD: RT-05 warns about it, the flow goes on).
            if (tokens.RefreshToken is not null)
            {
                c.Note("the client credentials grant returned a refresh token (RFC 6749 §4.4.3 SHOULD NOT; see RT-05)");
            }

            tokens.IdToken.Should().BeNull("no user took part, so there is nothing for an ID token to say (OIDC Core §2)");
            if (tokens.Scope is not null)
            {
                tokens.Scope.Split(' ').Should().Contain(scope, "RFC 6749 §5.1: scope lists what was granted");
            }

            await FlowSteps.ShouldBeLiveAccessTokenAsync(oauth, tokens.AccessToken!, [scope]).ConfigureAwait(false);
        }, serverName);

    /// <summary>The service client's first scope that this server has: from the server's profile, else from its published scopes.</summary>
    private static string ServiceScope(CheckContext c, Harness.Target.ClientProfile client)
    {
        var known = c.Server.Profile.Scopes.Count > 0 ? c.Server.Profile.Scopes : c.Server.Metadata.ScopesSupported;
        var scope = client.Scopes.FirstOrDefault(known.Contains) ?? (known.Count == 0 ? client.Scopes.FirstOrDefault() : null);
        c.Require(scope is not null, $"none of the service client's scopes ({string.Join(", ", client.Scopes)}) belongs to server '{c.Server.Name}'");
        return scope!;
    }
}
