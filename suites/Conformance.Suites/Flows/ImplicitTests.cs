using Conformance.Harness.Checks;
using Conformance.Harness.Jose;
using Conformance.Harness.Protocol;
using Conformance.Suites.Run;

namespace Conformance.Suites.Flows;

/// <summary>The implicit flow for a SPA (OIDC Core §3.2): ID tokens straight from the authorization endpoint.</summary>
[TestFixture]
[Category("flow:implicit")]
public sealed class ImplicitTests : ConformanceTest
{
    internal static readonly CheckDefinition IdToken = new()
    {
        Id = "FLOW-IMPLICIT-ID-TOKEN",
        Area = "implicit",
        Level = RequirementLevel.Must,
        Severity = Severity.Medium,
        Requirement = "An authorization request with response_type id_token MUST be answered in the response mode asked for, with the state unchanged "
            + "and an ID token that verifies for this client and nonce, and MUST NOT return an access token, a code or a refresh token.",
        Specs = Specs("RFC6749 §4.2.2; OIDC-Core §3.2.2.5; OIDC-Core §3.2.2.11; OAuth-MultipleResponseTypes §2.1; OAuth-FormPost §2"),
        Applicability = "a server listing response type id_token (and the response mode of the case, when it lists modes), a 'spa' client, and the login driver of the case",
        Remediation = "Answer response_type id_token with the ID token alone, signed for this client with the request's nonce, in the fragment or the form post the client asked for.",
    };

    internal static readonly CheckDefinition IdTokenToken = IdToken with
    {
        Id = "FLOW-IMPLICIT-ID-TOKEN-TOKEN",
        Requirement = "An authorization request with response_type 'id_token token' MUST be answered in the response mode asked for, with the state unchanged, "
            + "a Bearer access token and an ID token whose at_hash binds it, no refresh token, and an access token that userinfo accepts for the same subject.",
        Specs = Specs("RFC6749 §4.2.2; OIDC-Core §3.2.2.5; OIDC-Core §3.2.2.9; OIDC-Core §3.2.2.10; OIDC-Core §5.3.2; OAuth-MultipleResponseTypes §2.1; OAuth-FormPost §2"),
        Applicability = "a server listing response type 'id_token token' (and the response mode of the case, when it lists modes), a 'spa' client, and the login driver of the case",
        Remediation = "Answer response_type 'id_token token' with token_type Bearer, an access token and an ID token carrying its at_hash, and no refresh token.",
    };

    public static IEnumerable<TestCaseData> Cases() =>
        from data in Servers.WithDrivers()
        from mode in new[] { "fragment", "form_post" }
        select new TestCaseData(data.Arguments[0], data.Arguments[1], mode)
            .SetArgDisplayNames((string)data.Arguments[0]!, (string)data.Arguments[1]!, mode)
            .SetCategory("server:" + data.Arguments[0]).SetCategory("driver:" + data.Arguments[1]).SetCategory("response-mode:" + mode);

    [TestCaseSource(nameof(Cases))]
    public Task Spa_client_gets_a_verified_id_token_and_nothing_else_for_response_type_id_token(string serverName, string driver, string responseMode) =>
        FlowAsync(IdToken, async c =>
        {
            var (client, request, response) = await AuthorizeAsync(c, responseMode, "id_token").ConfigureAwait(false);

            await FlowSteps.ShouldBeValidIdTokenAsync(response.IdToken, c.Server, client, request.Nonce, IdTokenExpectations.FromFrontChannel(request, response)).ConfigureAwait(false);
            response.AccessToken.Should().BeNull("OIDC Core §3.2.2.5: response_type id_token returns no access token");
            response.Code.Should().BeNull("OIDC Core §3.2.2.5: the implicit flow returns no code");
            response.Get("refresh_token").Should().BeNull("RFC 6749 §4.2.2: the authorization server MUST NOT issue a refresh token in the implicit grant");
        }, serverName, driver);

    [TestCaseSource(nameof(Cases))]
    public Task Spa_client_gets_an_id_token_bound_to_its_access_token_for_response_type_id_token_token(string serverName, string driver, string responseMode) =>
        FlowAsync(IdTokenToken, async c =>
        {
            var (client, request, response) = await AuthorizeAsync(c, responseMode, "id_token token").ConfigureAwait(false);

            response.AccessToken.Should().NotBeNullOrEmpty("OIDC Core §3.2.2.5: response_type 'id_token token' returns an access token");
            response.Get("token_type").Should().BeEquivalentTo("Bearer", "RFC 6749 §4.2.2: token_type is required");
            response.Get("refresh_token").Should().BeNull("RFC 6749 §4.2.2: the authorization server MUST NOT issue a refresh token in the implicit grant");
            // FromFrontChannel requires at_hash and binds it to this access token (OIDC Core §3.2.2.10, §3.2.2.9).
            var idToken = await FlowSteps.ShouldBeValidIdTokenAsync(response.IdToken, c.Server, client, request.Nonce, IdTokenExpectations.FromFrontChannel(request, response)).ConfigureAwait(false);
            await FlowSteps.ShouldGetUserInfoForAsync(c.OAuth(client), response.AccessToken!, idToken.Claim("sub")).ConfigureAwait(false);
        }, serverName, driver);

    private static async Task<(Harness.Target.ClientProfile, AuthorizationRequest, AuthorizationResponse)> AuthorizeAsync(CheckContext c, string responseMode, string responseType)
    {
        c.RequireMetadata("response_types_supported", responseType);
        if (c.Server.Metadata.Has("response_modes_supported"))
        {
            c.RequireMetadata("response_modes_supported", responseMode);
        }

        var client = c.Client("spa");
        var oauth = c.OAuth(client);
        var request = oauth.AuthorizationRequest("openid profile", responseType) with { ResponseMode = responseMode };
        await using var agent = c.LoginDriver.NewUserAgent();

        var response = await FlowSteps.AuthorizeAsync(agent, request, FlowSteps.PasswordUser).ConfigureAwait(false);
        c.Evidence("id_token", response.IdToken);
        c.Evidence("access_token", response.AccessToken);

        response.ResponseMode.Should().Be(responseMode, "OAuth 2.0 Multiple Response Types §2.1 / Form Post Response Mode §2: the response comes back the way the client asked");
        return (client, request, response);
    }
}
