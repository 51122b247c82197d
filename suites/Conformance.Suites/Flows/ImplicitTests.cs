using Conformance.Harness.Jose;
using Conformance.Harness.Protocol;
using Conformance.Suites.Run;

namespace Conformance.Suites.Flows;

/// <summary>The implicit flow for a SPA (OIDC Core §3.2): ID tokens straight from the authorization endpoint.</summary>
[TestFixture]
[Category("flow:implicit")]
public sealed class ImplicitTests : ConformanceTest
{
    public static IEnumerable<TestCaseData> Cases() =>
        from data in Servers.WithDrivers()
        from mode in new[] { "fragment", "form_post" }
        select new TestCaseData(data.Arguments[0], data.Arguments[1], mode)
            .SetArgDisplayNames((string)data.Arguments[0]!, (string)data.Arguments[1]!, mode)
            .SetCategory("server:" + data.Arguments[0]).SetCategory("driver:" + data.Arguments[1]).SetCategory("response-mode:" + mode);

    [TestCaseSource(nameof(Cases))]
    public Task Spa_client_gets_a_verified_id_token_and_nothing_else_for_response_type_id_token(string serverName, string driver, string responseMode) =>
        CheckAsync(async () =>
        {
            var (server, client, request, response) = await AuthorizeAsync(serverName, driver, responseMode, "id_token").ConfigureAwait(false);

            await FlowSteps.ShouldBeValidIdTokenAsync(response.IdToken, server, client, request.Nonce, IdTokenExpectations.FromFrontChannel(request, response)).ConfigureAwait(false);
            response.AccessToken.Should().BeNull("OIDC Core §3.2.2.5: response_type id_token returns no access token");
            response.Code.Should().BeNull("OIDC Core §3.2.2.5: the implicit flow returns no code");
            response.Get("refresh_token").Should().BeNull("RFC 6749 §4.2.2: the authorization server MUST NOT issue a refresh token in the implicit grant");
        });

    [TestCaseSource(nameof(Cases))]
    public Task Spa_client_gets_an_id_token_bound_to_its_access_token_for_response_type_id_token_token(string serverName, string driver, string responseMode) =>
        CheckAsync(async () =>
        {
            var (server, client, request, response) = await AuthorizeAsync(serverName, driver, responseMode, "id_token token").ConfigureAwait(false);

            response.AccessToken.Should().NotBeNullOrEmpty("OIDC Core §3.2.2.5: response_type 'id_token token' returns an access token");
            response.Get("token_type").Should().BeEquivalentTo("Bearer", "RFC 6749 §4.2.2: token_type is required");
            response.Get("refresh_token").Should().BeNull("RFC 6749 §4.2.2: the authorization server MUST NOT issue a refresh token in the implicit grant");
            // FromFrontChannel requires at_hash and binds it to this access token (OIDC Core §3.2.2.10, §3.2.2.9).
            var idToken = await FlowSteps.ShouldBeValidIdTokenAsync(response.IdToken, server, client, request.Nonce, IdTokenExpectations.FromFrontChannel(request, response)).ConfigureAwait(false);
            await FlowSteps.ShouldGetUserInfoForAsync(new OAuthClient(Target.Http, server, client), response.AccessToken!, idToken.Claim("sub")).ConfigureAwait(false);
        });

    private static async Task<(AuthorizationServer, Harness.Target.ClientProfile, AuthorizationRequest, AuthorizationResponse)> AuthorizeAsync(
        string serverName, string driver, string responseMode, string responseType)
    {
        var server = Server(serverName);
        RequireMetadata(server, "response_types_supported", responseType);
        if (server.Metadata.Has("response_modes_supported"))
        {
            RequireMetadata(server, "response_modes_supported", responseMode);
        }

        var client = Client("spa", server);
        var oauth = new OAuthClient(Target.Http, server, client);
        var request = oauth.AuthorizationRequest("openid profile", responseType) with { ResponseMode = responseMode };
        await using var agent = LoginDriver(driver).NewUserAgent();

        var response = await FlowSteps.AuthorizeAsync(agent, request, FlowSteps.PasswordUser).ConfigureAwait(false);

        response.ResponseMode.Should().Be(responseMode, "OAuth 2.0 Multiple Response Types §2.1 / Form Post Response Mode §2: the response comes back the way the client asked");
        return (server, client, request, response);
    }
}
