using Conformance.Harness.Checks;
using Conformance.Harness.Login;
using Conformance.Harness.Protocol;

namespace Conformance.Checks.Areas;

/// <summary>
/// RP-Initiated Logout 1.0: what must hold before the OP may redirect after logout. The client is named by a hint
/// the OP can verify, or by client_id; the target must match a registered URI exactly.
/// </summary>
public static partial class Logout
{
    public static Check NoRedirectWithoutClient { get; } = Define.Rule(new()
    {
        Id = "LO-05",
        Anchors = "OIDF: oidcc-rp-initiated-logout-no-id-token-hint (partial)",
        Area = Area,
        // §3: without id_token_hint the OP MUST NOT redirect "unless the OP has other means of confirming the
        // legitimacy of the post-logout redirection target". A URI that some client registered may be such a means
        // (LemonLDAP::NG and OpenIddict accept it), and a black box cannot tell that choice from a missing check, so
        // an immediate redirect is a warning: the hint (or client_id) is what §2 recommends the OP ask for.
        Level = RequirementLevel.Should,
        Severity = Severity.Low,
        Requirement = "A logout request with a post_logout_redirect_uri but neither id_token_hint nor client_id SHOULD NOT be redirected straight to that URI: nothing names the client it is registered for.",
        Specs = "OIDC-RPLogout §3; OIDC-RPLogout §2",
        Applicability = WithEndSession,
        Remediation = "Redirect after logout only when id_token_hint or client_id names the client the post_logout_redirect_uri is registered for; otherwise show a signed-out page (or ask the user).",
        Run = async c =>
        {
            var (_, postLogout) = Client(c);
            var endpoint = c.Server.Metadata.EndSessionEndpoint!;
            var query = $"post_logout_redirect_uri={Uri.EscapeDataString(postLogout.OriginalString)}&state={Harness.Protocol.Random.Token()}";
            var request = new UriBuilder(endpoint) { Query = string.IsNullOrEmpty(endpoint.Query) ? query : endpoint.Query.TrimStart('?') + "&" + query }.Uri;

            // No cookies and no redirects are followed: §3 allows "other means of confirming", such as asking the
            // user, so a page (confirmation, error or signed-out) passes; only an immediate redirect to the URI fails.
            using var response = await RawHttp.GetAsync(c, request).ConfigureAwait(false);
            var location = response.Headers.Location is { } l ? new Uri(request, l) : null;
            var redirected = (int)response.StatusCode is >= 300 and < 400 && location is not null && AuthorizationResponse.IsRedirectTo(location, postLogout);

            c.Expect(!redirected, $"no redirect to {postLogout} (a page, or an error)", redirected ? $"HTTP {(int)response.StatusCode} redirect to {postLogout}" : $"HTTP {(int)response.StatusCode}");
        },
        Threats = "RFC9700 §4.11",
    });

    public static Check AlgNoneHintRefused { get; } = Define.Rule(new()
    {
        Id = "LO-06",
        Anchors = "OIDF: oidcc-rp-initiated-logout-modified-id-token-hint",
        Area = Area,
        // Same level as LO-04: §2 obliges the OP to validate the hint, not to refuse the request; an OP that ignores
        // an unverifiable hint and redirects on client_id alone has broken no MUST, only the hint's purpose.
        Level = RequirementLevel.Should,
        Severity = Severity.Medium,
        Requirement = "The OP SHOULD refuse an id_token_hint whose header says alg none (its claims unsigned), and then not redirect to the post_logout_redirect_uri.",
        Specs = "OIDC-RPLogout §2; OIDC-RPLogout §4",
        Applicability = WithEndSession,
        Remediation = "Validate id_token_hint with your own keys and algorithms only; never accept alg none.",
        Run = c => RefusedHintAsync(c, idToken => Tamper.AlgNone(idToken), "an unsigned (alg none) copy of the user's ID token"),
        Threats = "RFC6819 §4.2.4; RFC9700 §4.11",
    });

    public static Check ForeignHintRefused { get; } = Define.Rule(new()
    {
        Id = "LO-07",
        Area = Area,
        Level = RequirementLevel.Should,
        Severity = Severity.Medium,
        Requirement = "The OP SHOULD refuse an id_token_hint issued by another authorization server (another issuer and keys), and then not redirect to the post_logout_redirect_uri.",
        Specs = "OIDC-RPLogout §2; OIDC-RPLogout §4",
        Applicability = "two authorization servers with an end_session_endpoint, and a web client with a registered post-logout redirect URI on both",
        Remediation = "Accept as id_token_hint only ID tokens this authorization server issued: its own iss and its own signing keys.",
        Run = async c =>
        {
            c.RequireEndpoint("end_session_endpoint");
            var others = BackChannel.ServersWith(c, "web", s => s.Name != c.Server.Name && s.Metadata.Issuer != c.Server.Metadata.Issuer);
            c.Require(others.Count > 0, "no other authorization server with the web client to issue a foreign ID token");
            var (other, otherClient) = others[0];
            var (foreignTokens, failure) = await BackChannel.TokensOnAsync(c, other, otherClient).ConfigureAwait(false);
            c.Precondition(foreignTokens?.IdToken is not null, $"no ID token from server '{other.Name}': {failure ?? "the token response had none"}");
            c.Target.Http.Redactor.AddArtefact(foreignTokens!.IdToken!);

            await RefusedHintAsync(c, _ => foreignTokens.IdToken!, $"an ID token of server '{other.Name}'").ConfigureAwait(false);
        },
        Threats = "RFC6819 §4.2.4; RFC9700 §4.11",
    });

    public static Check PostLogoutUriWithAddedQueryRefused { get; } = Define.Rule(new()
    {
        Id = "LO-08",
        Anchors = "OIDF: oidcc-rp-initiated-logout-query-added-to-post-logout-redirect-uri",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Medium,
        Requirement = "The OP MUST NOT redirect to the registered post_logout_redirect_uri with an added query: the value must match a registered one exactly.",
        Specs = "OIDC-RPLogout §3; OIDC-RPLogout §2",
        Applicability = WithEndSession,
        Remediation = "Compare post_logout_redirect_uri with the registered values as whole strings, query included.",
        Run = async c =>
        {
            var (client, postLogout) = Client(c);
            var added = $"conformance_added={Harness.Protocol.Random.Token(8)}";
            var altered = Tamper.Uri(postLogout, query: string.IsNullOrEmpty(postLogout.Query) ? "?" + added : postLogout.Query + "&" + added);
            await using var agent = c.LoginDriver.NewUserAgent();
            var (oauth, idToken) = await SignInAsync(c, client, agent).ConfigureAwait(false);

            AuthorizationResponse response;
            try
            {
                response = await agent.LogoutAsync(oauth.LogoutRequest(idToken, altered, Harness.Protocol.Random.Token()), altered, c.Cancellation).ConfigureAwait(false);
            }
            catch (LoginFailedException e)
            {
                c.Note($"the server did not redirect to {altered}: {e.Message}");
                return;
            }

            // A redirect to the registered URI without the added query would be the OP's own choice of target; only
            // the altered URI is the violation.
            c.Expect(response.Get("conformance_added") is null, $"no redirect to {altered}", $"redirected to {altered}");
        },
        Threats = "RFC6819 §4.2.4; RFC9700 §4.1.3",
    });

    /// <summary>
    /// Signs in, logs out with a hint made from the user's ID token, and expects no redirect; then proves the server
    /// redirects for the honest hint, or the refusal showed nothing (not applicable), as LO-04 does.
    /// </summary>
    private static async Task RefusedHintAsync(CheckContext c, Func<string, string> hintFrom, string what)
    {
        var (client, postLogout) = Client(c);
        await using var agent = c.LoginDriver.NewUserAgent();
        var (oauth, idToken) = await SignInAsync(c, client, agent).ConfigureAwait(false);
        var hint = hintFrom(idToken);
        c.Target.Http.Redactor.AddArtefact(hint);

        try
        {
            var response = await agent.LogoutAsync(oauth.LogoutRequest(hint, postLogout, Harness.Protocol.Random.Token()), postLogout, c.Cancellation).ConfigureAwait(false);
            c.Expect(false, $"an error page and no redirect for {what} as id_token_hint", $"redirected to {postLogout}" + (response.State is null ? "" : " with the state"));
        }
        catch (LoginFailedException e)
        {
            c.Note($"{what} as id_token_hint was not followed by a redirect: {e.Message}");
        }

        try
        {
            await agent.LogoutAsync(oauth.LogoutRequest(idToken, postLogout, Harness.Protocol.Random.Token()), postLogout, c.Cancellation).ConfigureAwait(false);
        }
        catch (LoginFailedException e) when (e is not ScriptLoginPageException)
        {
            throw new NotApplicableException($"server '{c.Server.Name}' does not redirect to the post_logout_redirect_uri even with a valid id_token_hint, so refusing {what} shows nothing: {e.Message}");
        }
    }
}
