using Conformance.Harness.Checks;
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
    internal static readonly CheckDefinition CodePkce = new()
    {
        Id = "FLOW-CODE-PKCE",
        Area = "authorization-code-pkce",
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "A public client's valid authorization request with an S256 code_challenge MUST be answered with a code and its state unchanged; "
            + "the code with its code_verifier MUST be exchanged for a Bearer access token and an ID token that verifies with the server's keys, "
            + "and userinfo MUST return the ID token's subject for that access token.",
        Specs = Specs("RFC6749 §4.1.2; RFC7636 §4.6; RFC6750 §4; OIDC-Core §3.1.3.3; OIDC-Core §3.1.3.7; OIDC-Core §5.3.2"),
        Applicability = "a server listing response type code and code challenge method S256, a 'native' client, and the login driver of the case",
        Remediation = "Let the native client complete the code flow with PKCE: accept its S256 challenge, exchange the code for the matching verifier, "
            + "sign the ID token with a key of the server's JWKS for this client and nonce, and serve userinfo for the access token.",
    };

    internal static readonly CheckDefinition CodePkceTotp = CodePkce with
    {
        Id = "FLOW-CODE-PKCE-TOTP",
        Requirement = "A user with a TOTP second factor MUST be able to complete the authorization code flow with PKCE of a public client: "
            + "a code with its state unchanged, a Bearer access token and a verifiable ID token for the code and verifier, and userinfo for the same subject.",
        Applicability = "a server listing response type code and code challenge method S256, a 'native' client, a user with a totpSecret, and the login driver of the case",
        Remediation = "Let a user with a second factor finish the login with a current TOTP code and return to the client with a code that the PKCE exchange accepts.",
    };

    [TestCaseSource(typeof(Servers), nameof(Servers.WithDrivers))]
    public Task Native_client_with_pkce_gets_a_verified_id_token_whose_subject_userinfo_confirms(string serverName, string driver) =>
        FlowAsync(CodePkce, c => RunAsync(c, requireTotp: false, driver), serverName, driver);

    [TestCaseSource(typeof(Servers), nameof(Servers.DriversOnFirstServer))]
    public Task Native_client_with_pkce_completes_for_a_user_with_a_totp_second_factor(string serverName, string driver) =>
        FlowAsync(CodePkceTotp, c => RunAsync(c, requireTotp: true, driver), serverName, driver);

    /// <summary>
    /// Each driver's TOTP flow signs in as another TOTP user when the profile has several: a code is good once
    /// (RFC 6238 §5.2) and a user has two or three usable codes at a time, so flows of one user wait for the next
    /// 30-second step, and flows of different users do not.
    /// </summary>
    private static Harness.Target.UserProfile? TotpUserFor(CheckContext c, string driver)
    {
        var users = c.Profile.Users.Where(u => u.TotpSecret is not null).ToList();
        return users.Count == 0 ? null : users[Math.Max(0, c.Profile.Login.Drivers.ToList().IndexOf(driver)) % users.Count];
    }

    private static async Task RunAsync(CheckContext c, bool requireTotp, string driver)
    {
        c.RequireMetadata("response_types_supported", "code");
        c.RequireMetadata("code_challenge_methods_supported", "S256");
        var client = c.Client("native");
        var user = requireTotp ? TotpUserFor(c, driver) : c.Profile.Users[0];
        c.Require(user is not null, "the target profile has no user with a totpSecret");

        var oauth = c.OAuth(client);
        var verifier = CodeVerifier.New();
        var request = oauth.AuthorizationRequest("openid profile email").WithPkce(verifier);

        var authorization = await c.LoginDriver.AuthorizeAsync(request, user!).ConfigureAwait(false);

        authorization.Error.Should().BeNull("the authorization request is valid (RFC 6749 §4.1.2.1), but the server said: {0}", authorization.ErrorDescription);
        authorization.State.Should().Be(request.State, "RFC 6749 §4.1.2: state is returned exactly as sent");
        authorization.Code.Should().NotBeNullOrEmpty("RFC 6749 §4.1.2: a successful response carries a code");

        var tokens = await oauth.RedeemCodeAsync(authorization.Code!, request.RedirectUri, verifier).ConfigureAwait(false);
        c.Evidence("id_token", tokens.IdToken);
        c.Evidence("access_token", tokens.AccessToken);

        tokens.IsSuccess.Should().BeTrue("RFC 7636 §4.6: the verifier matches the challenge, so the code must be exchanged; got {0}", tokens);
        tokens.TokenType.Should().BeEquivalentTo("Bearer", "RFC 6750 §4 / OIDC Core §3.1.3.3");
        tokens.IdToken.Should().NotBeNull("OIDC Core §3.1.3.3: the openid scope yields an ID token");

        var idToken = await FlowSteps.ShouldBeValidIdTokenAsync(tokens.IdToken, c.Server, client, request.Nonce).ConfigureAwait(false);

        var userInfo = await oauth.UserInfoAsync(tokens.AccessToken!).ConfigureAwait(false);

        userInfo.Status.Should().Be(System.Net.HttpStatusCode.OK, "OIDC Core §5.3.2: a valid access token gets the claims; got {0}", userInfo);
        userInfo.Subject.Should().Be(idToken.Claim("sub"), "OIDC Core §5.3.2: the sub of userinfo must equal the sub of the ID token");
    }
}
