using Conformance.Harness.Checks;
using Conformance.Harness.Login;
using Conformance.Harness.Protocol;
using Conformance.Harness.Target;

namespace Conformance.Checks.Areas;

/// <summary>RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0) and the session it must end.</summary>
public static partial class Logout
{
    private const string Area = "logout";
    private const string WithEndSession = "a server with an end_session_endpoint and a web client with a registered post-logout redirect URI";

    public static Check UnregisteredPostLogoutUriRefused { get; } = Define.Rule(new()
    {
        Id = "LO-01",
        Anchors = "OIDF: oidcc-rp-initiated-logout-bad-post-logout-redirect-uri",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "The OP MUST NOT redirect to a post_logout_redirect_uri that is not registered for the client.",
        Specs = "OIDC-RPLogout §3; OIDC-RPLogout §2",
        Applicability = "a server with an end_session_endpoint and a web client",
        Remediation = "Redirect after logout only to a post_logout_redirect_uri registered for the client named by id_token_hint/client_id (exact match); otherwise show a signed-out page.",
        Run = async c =>
        {
            c.RequireEndpoint("end_session_endpoint");
            var client = Pick.RedirectingClient(c, true, "web", "spa", "web2");
            var template = client.PostLogoutRedirectUri is { Scheme: "https" or "http" } registered ? registered : client.RedirectUri!;
            var foreign = Tamper.Uri(template, host: "conformance-attacker.invalid");
            await using var agent = c.LoginDriver.NewUserAgent();
            var (oauth, idToken) = await SignInAsync(c, client, agent).ConfigureAwait(false);

            AuthorizationResponse response;
            try
            {
                // A confirmation page is answered (RP-Initiated Logout §2 lets the OP ask): only the redirect is judged.
                response = await agent.LogoutAsync(oauth.LogoutRequest(idToken, foreign, Harness.Protocol.Random.Token()), foreign, c.Cancellation).ConfigureAwait(false);
            }
            catch (LoginFailedException e)
            {
                c.Note($"the server did not redirect to the unregistered {foreign}: {e.Message}");
                return;
            }

            c.Expect(false, $"no redirect to the unregistered {foreign}", $"redirected to {foreign}" + (response.State is null ? "" : " with the state"));
        },
        Threats = "RFC6819 §4.2.4; RFC9700 §4.11",
    });

    public static Check StateEchoed { get; } = Define.Rule(new()
    {
        Id = "LO-02",
        Anchors = "OIDF: oidcc-rp-initiated-logout",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Medium,
        Requirement = "The OP MUST pass the state of a logout request back unchanged to the post_logout_redirect_uri.",
        Specs = "OIDC-RPLogout §3; OIDC-RPLogout §2",
        Applicability = WithEndSession,
        Remediation = "Append the request's state, unchanged, as a query parameter of the post-logout redirect.",
        Run = async c =>
        {
            var (client, postLogout) = Client(c);
            await using var agent = c.LoginDriver.NewUserAgent();
            var (oauth, idToken) = await SignInAsync(c, client, agent).ConfigureAwait(false);
            var state = Harness.Protocol.Random.Token();

            AuthorizationResponse response;
            try
            {
                response = await agent.LogoutAsync(oauth.LogoutRequest(idToken, postLogout, state), postLogout, c.Cancellation).ConfigureAwait(false);
            }
            catch (LoginFailedException e) when (e is not ScriptLoginPageException)
            {
                // RP-Initiated Logout §3: redirecting back is the OP's choice; state is owed only on a redirect.
                throw new NotApplicableException($"server '{c.Server.Name}' did not redirect to the registered post_logout_redirect_uri after logout, so there is no state to judge: {e.Message}");
            }

            c.Expect(response.State == state, $"state '{state}' at {postLogout}", response.State is null ? "no state" : $"state '{response.State}'");
        },
        Threats = "RFC6819 §4.4.1.8",
    });

    public static Check SessionEnded { get; } = Define.Rule(new()
    {
        Id = "LO-03",
        Anchors = "OIDF: oidcc-prompt-none-logged-in; OIDF: oidcc-rp-initiated-logout",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "After RP-initiated logout the session MUST be gone: a prompt=none request in the same user agent gets error=login_required.",
        Specs = "OIDC-RPLogout §2; OIDC-Core §3.1.2.6",
        Applicability = WithEndSession,
        Remediation = "End the OP session (and its cookies) on logout, before redirecting to the post_logout_redirect_uri.",
        Run = async c =>
        {
            var (client, postLogout) = Client(c);
            await using var agent = c.LoginDriver.NewUserAgent();
            var (oauth, idToken) = await SignInAsync(c, client, agent).ConfigureAwait(false);
            var before = await SilentAsync(c, oauth, agent, idToken).ConfigureAwait(false);
            c.Precondition(before is { IsError: false, Code: not null }, $"the server keeps no session a prompt=none request can use, even before logout ({Steps.Describe(before)})");

            await LogOutAsync(c, agent, oauth.LogoutRequest(idToken, postLogout, Harness.Protocol.Random.Token()), postLogout).ConfigureAwait(false);
            AuthorizationResponse after;
            try
            {
                after = await SilentAsync(c, oauth, agent, idToken).ConfigureAwait(false);
            }
            catch (LoginFailedException e)
            {
                // A page for prompt=none means no session could answer it: the session is gone. Showing a page at
                // all is AUTHZ-10's finding, not this rule's.
                c.Note("after logout the prompt=none request got a page, not a code: " + e.Message);
                return;
            }

            c.Expect(after.Code is null && after.IsError, "an error (login_required) and no code for prompt=none after logout", Steps.Describe(after));
        },
        Threats = "RFC6819 §4.4.1.8; RFC9700 §4.11",
    });

    public static Check TamperedHintRefused { get; } = Define.Rule(new()
    {
        Id = "LO-04",
        Anchors = "OIDF: oidcc-rp-initiated-logout-modified-id-token-hint (alg none) (partial); OIDF: oidcc-rp-initiated-logout-bad-id-token-hint",
        Area = Area,
        Level = RequirementLevel.Should,
        Severity = Severity.Medium,
        Requirement = "The OP SHOULD refuse an id_token_hint whose signature does not verify, and then not redirect to the post_logout_redirect_uri.",
        Specs = "OIDC-RPLogout §2; OIDC-RPLogout §4",
        Applicability = WithEndSession,
        Remediation = "Verify the signature of id_token_hint with your own keys (an expired token may be accepted) before trusting it to pick the client and its redirect.",
        Run = async c =>
        {
            var (client, postLogout) = Client(c);
            await using var agent = c.LoginDriver.NewUserAgent();
            var (oauth, idToken) = await SignInAsync(c, client, agent).ConfigureAwait(false);
            var tampered = Tamper.Signature(idToken);
            c.Target.Http.Redactor.AddArtefact(tampered);

            try
            {
                var response = await agent.LogoutAsync(oauth.LogoutRequest(tampered, postLogout, Harness.Protocol.Random.Token()), postLogout, c.Cancellation).ConfigureAwait(false);
                c.Expect(false, "an error page and no redirect for an id_token_hint with a broken signature", $"redirected to {postLogout}" + (response.State is null ? "" : " with the state"));
            }
            catch (LoginFailedException e)
            {
                c.Note("the tampered id_token_hint was not followed by a redirect: " + e.Message);
            }

            // The honest hint must still be redirected, or the server never redirects and the check said nothing.
            try
            {
                await agent.LogoutAsync(oauth.LogoutRequest(idToken, postLogout, Harness.Protocol.Random.Token()), postLogout, c.Cancellation).ConfigureAwait(false);
            }
            catch (LoginFailedException e) when (e is not ScriptLoginPageException)
            {
                throw new NotApplicableException($"server '{c.Server.Name}' does not redirect to the post_logout_redirect_uri even with a valid id_token_hint, so refusing a tampered one shows nothing: {e.Message}");
            }
        },
        Threats = "RFC6819 §4.2.4; RFC9700 §4.11",
    });

    /// <summary>Logs out, confirming when asked; a server that then shows a page instead of redirecting has still logged out.</summary>
    private static async Task LogOutAsync(CheckContext c, IUserAgent agent, Uri logout, Uri postLogout)
    {
        try
        {
            await agent.LogoutAsync(logout, postLogout, c.Cancellation).ConfigureAwait(false);
        }
        catch (LoginFailedException e) when (e is not ScriptLoginPageException)
        {
            c.Note("no redirect to the post_logout_redirect_uri after logout (the OP's choice, RP-Initiated Logout §3): " + e.Message);
        }
    }

    private static (ClientProfile Client, Uri PostLogout) Client(CheckContext c)
    {
        c.RequireEndpoint("end_session_endpoint");
        var client = c.Client("web");
        c.Require(client.PostLogoutRedirectUri is not null, "the web client has no postLogoutRedirectUri in the profile");
        return (client, client.PostLogoutRedirectUri!);
    }

    /// <summary>Signs the user in through a code flow in this agent and returns the ID token for the hint.</summary>
    private static async Task<(OAuthClient OAuth, string IdToken)> SignInAsync(CheckContext c, ClientProfile client, IUserAgent agent)
    {
        var authorization = await Steps.CodeAsync(c, client, pkce: true, agent: agent).ConfigureAwait(false);
        var tokens = await Steps.RedeemAsync(c, client, authorization).ConfigureAwait(false);
        c.Precondition(!string.IsNullOrEmpty(tokens.IdToken), "the token response to a request with the openid scope carried no id_token");
        return (c.OAuth(client), tokens.IdToken!);
    }

    /// <summary>
    /// A prompt=none request in the user agent, with the ID token as id_token_hint: OIDC Core §3.1.2.1 says the hint
    /// SHOULD be present with prompt=none, and Glewlwyd refuses prompt=none without one ("id_token mandatory").
    /// </summary>
    private static Task<AuthorizationResponse> SilentAsync(CheckContext c, OAuthClient oauth, IUserAgent agent, string idToken)
    {
        var request = oauth.AuthorizationRequest().WithPkce(CodeVerifier.New()) with
        {
            Prompt = "none",
            Extra = new Dictionary<string, string> { ["id_token_hint"] = idToken },
        };
        return agent.NavigateAsync(request.ToUri(), request.RedirectUri, c.Cancellation);
    }
}
