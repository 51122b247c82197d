using Conformance.Harness.Jose;
using Conformance.Harness.Login;
using Conformance.Harness.Protocol;
using Conformance.Suites.Run;

namespace Conformance.Suites.Flows;

/// <summary>
/// Authorization code with PKCE for a public native client (RFC 6749 §4.1, RFC 7636, OIDC Core §3.1),
/// driven end to end: login, code, token, ID token, userinfo.
/// </summary>
[TestFixture]
[Category("flow:authorization-code-pkce")]
public sealed class AuthorizationCodePkceTests : ConformanceTest
{
    [TestCaseSource(typeof(Servers), nameof(Servers.WithDrivers))]
    public Task Native_client_with_pkce_gets_a_verified_id_token_whose_subject_userinfo_confirms(string serverName, string driver) =>
        CheckAsync(() => RunAsync(serverName, driver, requireTotp: false));

    [TestCaseSource(typeof(Servers), nameof(Servers.DriversOnFirstServer))]
    public Task Native_client_with_pkce_completes_for_a_user_with_a_totp_second_factor(string serverName, string driver) =>
        CheckAsync(() => RunAsync(serverName, driver, requireTotp: true));

    private static async Task RunAsync(string serverName, string driver, bool requireTotp)
    {
        var server = Server(serverName);
        RequireMetadata(server, "response_types_supported", "code");
        RequireMetadata(server, "code_challenge_methods_supported", "S256");
        var client = Client("native", server);
        var user = requireTotp ? Target.Profile.Users.FirstOrDefault(u => u.TotpSecret is not null) : Target.Profile.Users[0];
        if (user is null)
        {
            Assert.Ignore("not applicable: the target profile has no user with a totpSecret");
        }

        var oauth = new OAuthClient(Target.Http, server, client);
        var verifier = CodeVerifier.New();
        var request = oauth.AuthorizationRequest("openid profile email").WithPkce(verifier);

        var authorization = await LoginDriver(driver).AuthorizeAsync(request, user!).ConfigureAwait(false);

        authorization.Error.Should().BeNull("the authorization request is valid (RFC 6749 §4.1.2.1), but the server said: {0}", authorization.ErrorDescription);
        authorization.State.Should().Be(request.State, "RFC 6749 §4.1.2: state is returned exactly as sent");
        authorization.Code.Should().NotBeNullOrEmpty("RFC 6749 §4.1.2: a successful response carries a code");

        var tokens = await oauth.RedeemCodeAsync(authorization.Code!, request.RedirectUri, verifier).ConfigureAwait(false);

        tokens.IsSuccess.Should().BeTrue("RFC 7636 §4.6: the verifier matches the challenge, so the code must be exchanged; got {0}", tokens);
        tokens.TokenType.Should().BeEquivalentTo("Bearer", "RFC 6750 §4 / OIDC Core §3.1.3.3");
        tokens.IdToken.Should().NotBeNull("OIDC Core §3.1.3.3: the openid scope yields an ID token");

        var idToken = await FlowSteps.ShouldBeValidIdTokenAsync(tokens.IdToken, server, client, request.Nonce).ConfigureAwait(false);

        var userInfo = await oauth.UserInfoAsync(tokens.AccessToken!).ConfigureAwait(false);

        userInfo.Status.Should().Be(System.Net.HttpStatusCode.OK, "OIDC Core §5.3.2: a valid access token gets the claims; got {0}", userInfo);
        userInfo.Subject.Should().Be(idToken.Claim("sub"), "OIDC Core §5.3.2: the sub of userinfo must equal the sub of the ID token");
    }
}
