using Conformance.Harness.Protocol;
using Conformance.Suites.Run;

namespace Conformance.Suites.Flows;

/// <summary>Authorization code for a confidential web client (RFC 6749 §4.1, OIDC Core §3.1), each client authentication method.</summary>
[TestFixture]
[Category("flow:authorization-code")]
public sealed class AuthorizationCodeTests : ConformanceTest
{
    [TestCaseSource(typeof(Servers), nameof(Servers.WithDrivers))]
    public Task Web_client_with_client_secret_basic_redeems_the_code_for_verified_tokens(string serverName, string driver) =>
        CheckAsync(() => RunAsync(serverName, driver, "client_secret_basic", ClientAuthentication.ClientSecretBasic));

    [TestCaseSource(typeof(Servers), nameof(Servers.WithDrivers))]
    public Task Web_client_with_client_secret_post_redeems_the_code_for_verified_tokens(string serverName, string driver) =>
        CheckAsync(() => RunAsync(serverName, driver, "client_secret_post", ClientAuthentication.ClientSecretPost));

    private static async Task RunAsync(string serverName, string driver, string method, ClientAuthentication authentication)
    {
        var server = Server(serverName);
        RequireMetadata(server, "response_types_supported", "code");
        RequireAuthMethod(server, method);
        var client = Client("web", server);
        var oauth = new OAuthClient(Target.Http, server, client);
        await using var agent = LoginDriver(driver).NewUserAgent();

        var flow = await FlowSteps.CodeFlowAsync(agent, oauth, "openid profile email", pkce: false, authentication).ConfigureAwait(false);

        var idToken = await FlowSteps.ShouldBeValidIdTokenAsync(flow.Tokens.IdToken, server, client, flow.Request.Nonce).ConfigureAwait(false);
        await FlowSteps.ShouldBeLiveAccessTokenAsync(oauth, flow.Tokens.AccessToken!, ["openid"]).ConfigureAwait(false);
        await FlowSteps.ShouldGetUserInfoForAsync(oauth, flow.Tokens.AccessToken!, idToken.Claim("sub")).ConfigureAwait(false);
    }

    private static void RequireAuthMethod(AuthorizationServer server, string method)
    {
        if (!server.Metadata.TokenEndpointAuthMethodsSupported.Contains(method))
        {
            Assert.Ignore($"not applicable: server '{server.Name}' does not list '{method}' in token_endpoint_auth_methods_supported");
        }
    }
}
