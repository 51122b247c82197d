using Conformance.Harness.Checks;
using Conformance.Harness.Protocol;
using Conformance.Suites.Run;

namespace Conformance.Suites.Flows;

/// <summary>Authorization code for a confidential web client (RFC 6749 §4.1, OIDC Core §3.1), each client authentication method.</summary>
[TestFixture]
[Category("flow:authorization-code")]
public sealed class AuthorizationCodeTests : ConformanceTest
{
    internal static readonly CheckDefinition CodeBasic = new()
    {
        Id = "FLOW-CODE-BASIC",
        Area = "authorization-code",
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "A confidential client authenticating with client_secret_basic MUST get a code for a valid authorization request, with its state unchanged, "
            + "and MUST exchange it for a no-store Bearer token response whose ID token verifies, whose access token is live, and for which userinfo names the same subject.",
        Specs = Specs("RFC6749 §2.3.1; RFC6749 §4.1.2; RFC6749 §4.1.3; RFC6749 §5.1; OIDC-Core §3.1.3.7; RFC9068 §4; RFC7662 §2.2; OIDC-Core §5.3.2"),
        Applicability = "a server listing response type code and client_secret_basic, a 'web' client, and the login driver of the case",
        Remediation = "Let the web client complete the code flow authenticating with HTTP Basic: answer the token request with Cache-Control: no-store, "
            + "an ID token signed for this client and nonce, and an access token that validates (RFC 9068) or introspects as active, and that userinfo accepts.",
    };

    internal static readonly CheckDefinition CodePost = CodeBasic with
    {
        Id = "FLOW-CODE-POST",
        Requirement = "A confidential client authenticating with client_secret_post MUST get a code for a valid authorization request, with its state unchanged, "
            + "and MUST exchange it for a no-store Bearer token response whose ID token verifies, whose access token is live, and for which userinfo names the same subject.",
        Applicability = "a server listing response type code and client_secret_post, a 'web' client, and the login driver of the case",
        Remediation = "Let the web client complete the code flow with its credentials in the form body: answer the token request with Cache-Control: no-store, "
            + "an ID token signed for this client and nonce, and an access token that validates (RFC 9068) or introspects as active, and that userinfo accepts.",
    };

    [TestCaseSource(typeof(Servers), nameof(Servers.WithDrivers))]
    public Task Web_client_with_client_secret_basic_redeems_the_code_for_verified_tokens(string serverName, string driver) =>
        FlowAsync(CodeBasic, c => RunAsync(c, "client_secret_basic", ClientAuthentication.ClientSecretBasic), serverName, driver);

    [TestCaseSource(typeof(Servers), nameof(Servers.WithDrivers))]
    public Task Web_client_with_client_secret_post_redeems_the_code_for_verified_tokens(string serverName, string driver) =>
        FlowAsync(CodePost, c => RunAsync(c, "client_secret_post", ClientAuthentication.ClientSecretPost), serverName, driver);

    private static async Task RunAsync(CheckContext c, string method, ClientAuthentication authentication)
    {
        c.RequireMetadata("response_types_supported", "code");
        c.Require(c.Server.Metadata.TokenEndpointAuthMethodsSupported.Contains(method), $"server '{c.Server.Name}' does not list '{method}' in token_endpoint_auth_methods_supported");
        var client = c.Client("web");
        var oauth = c.OAuth(client);
        await using var agent = c.LoginDriver.NewUserAgent();

        var flow = await FlowSteps.CodeFlowAsync(agent, oauth, "openid profile email", pkce: false, authentication).ConfigureAwait(false);
        c.Evidence("id_token", flow.Tokens.IdToken);
        c.Evidence("access_token", flow.Tokens.AccessToken);

        var idToken = await FlowSteps.ShouldBeValidIdTokenAsync(flow.Tokens.IdToken, c.Server, client, flow.Request.Nonce).ConfigureAwait(false);
        await FlowSteps.ShouldBeLiveAccessTokenAsync(oauth, flow.Tokens.AccessToken!, ["openid"]).ConfigureAwait(false);
        await FlowSteps.ShouldGetUserInfoForAsync(oauth, flow.Tokens.AccessToken!, idToken.Claim("sub")).ConfigureAwait(false);
    }
}
