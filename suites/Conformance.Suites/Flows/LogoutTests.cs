using Conformance.Harness.Checks;
using Conformance.Harness.Login;
using Conformance.Suites.Run;

namespace Conformance.Suites.Flows;

/// <summary>RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0) at the end of a code flow.</summary>
[TestFixture]
[Category("flow:logout")]
public sealed class LogoutTests : ConformanceTest
{
    internal static readonly CheckDefinition Logout = new()
    {
        Id = "FLOW-LOGOUT",
        Area = "logout",
        Level = RequirementLevel.Must,
        Severity = Severity.Medium,
        Requirement = "RP-initiated logout with the ID token MUST end the user's session: when the OP redirects to the registered post_logout_redirect_uri it MUST pass state back unchanged, "
            + "and a prompt=none request afterwards MUST NOT yield a code but an error.",
        Specs = Specs("OIDC-RPLogout §2; OIDC-RPLogout §3; OIDC-Core §3.1.2.1; OIDC-Core §3.1.2.6"),
        Applicability = "a server publishing end_session_endpoint, a 'web' client with a postLogoutRedirectUri, and the login driver of the case",
        Remediation = "End the OP session on an RP-initiated logout request, return state to the registered post-logout URI, and answer prompt=none without a session with login_required.",
    };

    [TestCaseSource(typeof(Servers), nameof(Servers.WithDrivers))]
    public Task Logout_returns_to_the_registered_uri_with_state_and_ends_the_session(string serverName, string driver) =>
        FlowAsync(Logout, async c =>
        {
            c.Require(c.Server.Metadata.EndSessionEndpoint is not null, $"server '{c.Server.Name}' publishes no end_session_endpoint");
            var client = c.Client("web");
            c.Require(client.PostLogoutRedirectUri is not null, "the web client has no postLogoutRedirectUri in the profile");

            var oauth = c.OAuth(client);
            await using var agent = c.LoginDriver.NewUserAgent();
            var flow = await FlowSteps.CodeFlowAsync(agent, oauth, "openid", pkce: false).ConfigureAwait(false);
            c.Evidence("id_token", flow.Tokens.IdToken);
            var state = Harness.Protocol.Random.Token();

            // The OP may ask the user to confirm (RP-Initiated Logout §2): the agent confirms. Redirecting back is
            // the OP's choice (§3); when it does, state comes back unchanged.
            try
            {
                var loggedOut = await agent.LogoutAsync(oauth.LogoutRequest(flow.Tokens.IdToken!, client.PostLogoutRedirectUri, state), client.PostLogoutRedirectUri!).ConfigureAwait(false);
                loggedOut.State.Should().Be(state, "RP-Initiated Logout §3: state is passed back to the post_logout_redirect_uri unchanged");
            }
            catch (LoginFailedException e) when (e is not ScriptLoginPageException)
            {
                c.Note($"no redirect to the post_logout_redirect_uri after logout (the OP's choice, RP-Initiated Logout §3): {e.Message}");
            }

            var silent = oauth.AuthorizationRequest("openid") with { Prompt = "none" };
            try
            {
                var after = await agent.NavigateAsync(silent.ToUri(), silent.RedirectUri).ConfigureAwait(false);
                after.Code.Should().BeNull("OIDC Core §3.1.2.1: after logout there is no session, so prompt=none must not yield a code; got {0}", after.Error ?? "a successful response");
                after.Error.Should().NotBeNull("OIDC Core §3.1.2.6: prompt=none without a session is answered with an error (login_required)");
            }
            catch (LoginFailedException e) when (e is not ScriptLoginPageException)
            {
                // No session answered prompt=none: a page instead of the error redirect is AUTHZ-10's finding.
                c.Note($"after logout, prompt=none got a page instead of a redirect (AUTHZ-10): {e.Message}");
            }
        }, serverName, driver);
}
