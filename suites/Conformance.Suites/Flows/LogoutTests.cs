using Conformance.Harness.Login;
using Conformance.Harness.Protocol;
using Conformance.Suites.Run;

namespace Conformance.Suites.Flows;

/// <summary>RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0) at the end of a code flow.</summary>
[TestFixture]
[Category("flow:logout")]
public sealed class LogoutTests : ConformanceTest
{
    [TestCaseSource(typeof(Servers), nameof(Servers.WithDrivers))]
    public Task Logout_returns_to_the_registered_uri_with_state_and_ends_the_session(string serverName, string driver) =>
        CheckAsync(async () =>
        {
            var server = Server(serverName);
            if (server.Metadata.EndSessionEndpoint is null)
            {
                Assert.Ignore($"not applicable: server '{server.Name}' publishes no end_session_endpoint");
            }

            var client = Client("web", server);
            if (client.PostLogoutRedirectUri is null)
            {
                Assert.Ignore("not applicable: the web client has no postLogoutRedirectUri in the profile");
            }

            var oauth = new OAuthClient(Target.Http, server, client);
            await using var agent = LoginDriver(driver).NewUserAgent();
            var flow = await FlowSteps.CodeFlowAsync(agent, oauth, "openid", pkce: false).ConfigureAwait(false);
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
                Say.Line($"note: no redirect to the post_logout_redirect_uri after logout (the OP's choice, RP-Initiated Logout §3): {e.Message}");
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
                Say.Line($"note: after logout, prompt=none got a page instead of a redirect (AUTHZ-10): {e.Message}");
            }
        });
}
