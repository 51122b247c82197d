using Conformance.Harness.Checks;
using Conformance.Harness.Login;
using Conformance.Harness.Protocol;
using Conformance.Harness.Target;

namespace Conformance.Checks.Areas;

/// <summary>The authorization endpoint: redirect URI matching, state, nonce, response modes, prompt, and the front channel's HTTP hygiene.</summary>
public static class AuthorizationEndpoint
{
    private const string Area = "authorization-endpoint";
    private const string Redirecting = "a client with a registered http(s) redirect URI using the authorization code grant";
    private const string CodeClient = "a redirecting client (web or native) using the authorization code grant";
    private const string Implicit = "a SPA client and a server that lists response type id_token";

    public static Check ForeignHostRefused { get; } = Define.Rule(
        "AUTHZ-01", Area, RequirementLevel.Must, Severity.Critical,
        "The authorization server MUST NOT redirect to a redirect_uri on another host than the registered one.",
        "RFC6749 §3.1.2.4; RFC6749 §4.1.2.1; RFC9700 §2.1", Redirecting,
        "Compare the redirect_uri with the registered ones by exact string match and show an error page (no redirect) when none matches.",
        c => RedirectUriRefusedAsync(c, registered => Probes.Compose(registered, host: "conformance-attacker.invalid"), "a redirect_uri on another host"),
        threats: "RFC6819 §4.2.4; RFC9700 §4.1");

    public static Check ExtraPathRefused { get; } = Define.Rule(
        "AUTHZ-02", Area, RequirementLevel.Must, Severity.High,
        "The authorization server MUST refuse, without redirecting, the registered redirect_uri with an added path segment.",
        "RFC9700 §2.1; RFC9700 §4.1.3; RFC6749 §3.1.2.3", Redirecting,
        "Match redirect URIs exactly (RFC 9700 §2.1): no prefix or pattern matching.",
        c => RedirectUriRefusedAsync(c, registered => Probes.Compose(registered, path: registered.AbsolutePath.TrimEnd('/') + "/evil"), "the registered redirect_uri with an extra path segment"),
        threats: "RFC6819 §4.2.4; RFC9700 §4.1");

    public static Check ExtraQueryRefused { get; } = Define.Rule(
        "AUTHZ-03", Area, RequirementLevel.Must, Severity.High,
        "The authorization server MUST refuse, without redirecting, the registered redirect_uri with an added query parameter.",
        "RFC9700 §2.1; RFC9700 §4.1.3; RFC6749 §3.1.2.3", Redirecting,
        "Match redirect URIs exactly, query included (RFC 9700 §2.1).",
        c => RedirectUriRefusedAsync(c, registered => Probes.Compose(registered, query: (registered.Query.Length > 1 ? registered.Query + "&" : "?") + ProbeParameter + "=1"), "the registered redirect_uri with an added query"),
        threats: "RFC6819 §4.2.4; RFC9700 §4.1");

    public static Check CaseChangedRefused { get; } = Define.Rule(
        "AUTHZ-04", Area, RequirementLevel.Must, Severity.Medium,
        "The authorization server MUST refuse, without redirecting, the registered redirect_uri with the case of its path changed.",
        "RFC9700 §2.1; RFC3986 §6.2.1; RFC6749 §3.1.2.3", Redirecting,
        "Compare redirect URIs as exact, case-sensitive strings.",
        c => RedirectUriRefusedAsync(c, registered =>
        {
            var path = registered.AbsolutePath;
            return path.Any(char.IsLetter) ? Probes.Compose(registered, path: new string(path.Select(ch => char.IsUpper(ch) ? char.ToLowerInvariant(ch) : char.ToUpperInvariant(ch)).ToArray())) : null;
        }, "the registered redirect_uri with its path in another case"),
        threats: "RFC6819 §4.2.4; RFC9700 §4.1");

    public static Check StateReturned { get; } = Define.Rule(
        "AUTHZ-05", Area, RequirementLevel.Must, Severity.High,
        "A successful authorization response MUST return the state parameter exactly as the client sent it.",
        "RFC6749 §4.1.2", CodeClient,
        "Echo state byte for byte in every authorization response.",
        async c =>
        {
            var client = Probes.RedirectingClient(c, false, "web", "native");
            var authorization = await Steps.CodeAsync(c, client).ConfigureAwait(false);

            c.Expect(authorization.Response.State == authorization.Request.State, $"state '{authorization.Request.State}'", Observed(authorization.Response.State));
        },
        threats: "RFC6819 §4.4.1.8; RFC9700 §4.7");

    public static Check InvalidScopeRedirectsWithState { get; } = Define.Rule(
        "AUTHZ-06", Area, RequirementLevel.Must, Severity.Medium,
        "An unknown scope MUST either be refused by a redirect with error=invalid_scope and the exact state, or be left out of the grant; it MUST NOT be granted.",
        "RFC6749 §4.1.2.1; RFC6749 §3.3; RFC6749 §5.1; OIDC-Core §3.1.2.1", CodeClient,
        "Refuse scopes the server does not know with invalid_scope (redirected with the client's state), or ignore them and return the granted scope in the token response.",
        async c =>
        {
            // RFC 6749 §3.3 lets a server ignore requested scopes, and OIDC Core §3.1.2.1 says unknown scope values
            // SHOULD be ignored: a refusal and a grant without the scope both pass. Only granting it fails, or a
            // refusal that loses the state.
            c.RequireMetadata("response_types_supported", "code");
            var client = Probes.RedirectingClient(c, false, "web", "native");
            var scope = "conformance.unknown." + Harness.Protocol.Random.Token(6).ToLowerInvariant().Replace('-', 'x').Replace('_', 'y');
            c.Require(!c.Server.Metadata.ScopesSupported.Contains(scope), "the probe scope is listed in scopes_supported");
            Authorization authorization;
            try
            {
                authorization = await Steps.AuthorizeAsync(c, client, "openid " + scope).ConfigureAwait(false);
            }
            catch (LoginFailedException e)
            {
                await BaselineAsync(c, client, pkce: true, "code").ConfigureAwait(false);
                throw new RequirementViolatedException(c.Check.Requirement, "a redirect to the client", "an error page instead of a redirect to the client: " + e.Message);
            }

            var (request, response) = (authorization.Request, authorization.Response);
            if (response.IsError)
            {
                await BaselineAsync(c, client, pkce: true, "code").ConfigureAwait(false);
                c.Expect(response.Error == "invalid_scope" && response.State == request.State,
                    $"a redirect with error 'invalid_scope' and state '{request.State}'", $"{Steps.Describe(response)}, {Observed(response.State)}");
                return;
            }

            c.Precondition(response.Code is not null, $"the request with an unknown scope was neither refused nor answered with a code: {Steps.Describe(response)}");
            c.Note("the server ignored the unknown scope and issued a code");
            var tokens = await Steps.RedeemAsync(c, client, authorization).ConfigureAwait(false);
            c.Evidence("access_token", tokens.AccessToken);

            // What was granted: the scope member, else the token's own scope (JWT claim or introspection), else the
            // request (RFC 6749 §5.1: an absent scope member means the requested scope, unknown scope included).
            var (granted, source) = await BackChannel.GrantedScopesAsync(c, c.OAuth(client), tokens, request.Scope).ConfigureAwait(false);
            var claimed = BackChannel.Jwt(tokens.AccessToken) is { } jwt ? AccessTokenScopes(jwt) : [];
            c.Expect(!granted.Contains(scope) && !claimed.Contains(scope), $"a grant without '{scope}'",
                granted.Contains(scope) ? $"'{scope}' was granted ({source})" : $"the access token's scope claim lists '{scope}'");
        },
        threats: "RFC6819 §4.4.1.8");

    /// <summary>The scopes of a JWT access token: RFC 9068's space-separated scope, or Okta's scp array.</summary>
    private static HashSet<string> AccessTokenScopes(Microsoft.IdentityModel.JsonWebTokens.JsonWebToken jwt)
    {
        var scopes = new HashSet<string>(StringComparer.Ordinal);
        if (jwt.TryGetPayloadValue<string>("scope", out var scope))
        {
            scopes.UnionWith(BackChannel.Scopes(scope));
        }

        if (jwt.TryGetPayloadValue<string[]>("scp", out var scp))
        {
            scopes.UnionWith(scp);
        }

        return scopes;
    }

    public static Check ImplicitRequiresNonce { get; } = Define.Rule(
        "AUTHZ-07", Area, RequirementLevel.Must, Severity.High,
        "An implicit-flow authentication request (response type id_token) without a nonce MUST be refused.",
        "OIDC-Core §3.2.2.1; OIDC-Core §3.2.2.11", Implicit,
        "Require nonce for every response type that returns an ID token from the authorization endpoint; answer invalid_request.",
        async c =>
        {
            var client = ImplicitClient(c);
            var (_, response, page) = await HonestThenChangedAsync(c, client, r => r with { Nonce = null }, pkce: false, responseType: "id_token").ConfigureAwait(false);
            if (response is null)
            {
                c.Note("refused with an error page rather than a redirect: " + page);
                return;
            }

            c.Expect(response.IsError && response.IdToken is null, "an error response (invalid_request) and no ID token", Steps.Describe(response));
        },
        threats: "RFC6819 §4.6.1; RFC9700 §4.5");

    public static Check CodeFlowNonceOptional { get; } = Define.Rule(
        "AUTHZ-08", Area, RequirementLevel.Must, Severity.Low,
        "An authorization code request without a nonce MUST succeed: nonce is OPTIONAL in the code flow.",
        "OIDC-Core §3.1.2.1", CodeClient,
        "Accept code-flow requests without nonce (and then issue ID tokens without a nonce claim).",
        async c =>
        {
            c.RequireMetadata("response_types_supported", "code");
            var client = Probes.RedirectingClient(c, false, "web", "native");
            var (_, response, page) = await HonestThenChangedAsync(c, client, r => r with { Nonce = null }).ConfigureAwait(false);

            c.Expect(response is { IsError: false, Code: not null }, "a successful response with a code", response is null ? "an error page: " + page : Steps.Describe(response));
        });

    public static Check NoTokensInQuery { get; } = Define.Rule(
        "AUTHZ-09", Area, RequirementLevel.Must, Severity.High,
        "The authorization server MUST NOT return an ID token or access token in the query: response_mode=query with response type id_token MUST be refused.",
        "OAuth-MultipleResponseTypes §5; OAuth-MultipleResponseTypes §2.1", Implicit,
        "Refuse response_mode=query for any response type that includes id_token or token.",
        async c =>
        {
            var client = ImplicitClient(c);
            var (_, response, page) = await HonestThenChangedAsync(c, client, r => r with { ResponseMode = "query" }, pkce: false, responseType: "id_token").ConfigureAwait(false);
            if (response is null)
            {
                c.Note("refused with an error page rather than a redirect: " + page);
                return;
            }

            c.Expect(!(response.ResponseMode == "query" && (response.IdToken is not null || response.AccessToken is not null)),
                "an error response, and no token in the query", $"{Steps.Describe(response)} delivered in the {response.ResponseMode}");
        },
        threats: "RFC9700 §4.3.2; RFC6819 §4.4.2.1");

    public static Check PromptNoneWithoutSession { get; } = Define.Rule(
        "AUTHZ-10", Area, RequirementLevel.Must, Severity.Medium,
        "With prompt=none and no session, the authorization server MUST NOT show a login page: it MUST redirect back with an error (login_required, or the more general interaction_required).",
        "OIDC-Core §3.1.2.6; OIDC-Core §3.1.2.1", CodeClient,
        "For prompt=none, never display UI: redirect with login_required (or interaction_required) when the user is not signed in.",
        async c =>
        {
            c.RequireMetadata("response_types_supported", "code");
            var client = Probes.RedirectingClient(c, false, "web", "native");
            var request = c.OAuth(client).AuthorizationRequest().WithPkce(CodeVerifier.New()) with { Prompt = "none" };
            AuthorizationResponse response;
            await using (var agent = c.LoginDriver.NewUserAgent())
            {
                try
                {
                    response = await agent.NavigateAsync(request.ToUri(), request.RedirectUri, c.Cancellation).ConfigureAwait(false);
                }
                catch (LoginFailedException e)
                {
                    // The agent fills in nothing here, so a page instead of a redirect is the server's answer.
                    c.Expect(false, "a redirect to the client with error 'login_required' or 'interaction_required'", "no redirect to the client: " + e.Message);
                    return;
                }
            }

            // OIDC Core §3.1.2.6: both codes MAY be returned for prompt=none; login_required is the precise one.
            c.Expect(response.Error is "login_required" or "interaction_required" && response.Code is null,
                "a redirect to the client with error 'login_required' or 'interaction_required'", Steps.Describe(response));
        });

    public static Check UnknownParameterIgnored { get; } = Define.Rule(
        "AUTHZ-11", Area, RequirementLevel.Must, Severity.Low,
        "The authorization server MUST ignore unrecognized request parameters: a request with one succeeds.",
        "RFC6749 §3.1", CodeClient,
        "Ignore parameters you do not understand instead of refusing the request.",
        async c =>
        {
            c.RequireMetadata("response_types_supported", "code");
            var client = Probes.RedirectingClient(c, false, "web", "native");
            var (_, response, page) = await HonestThenChangedAsync(c, client, r => r with
            {
                Extra = new Dictionary<string, string>(r.Extra) { ["conformance_unknown_parameter"] = Harness.Protocol.Random.Token(8) },
            }).ConfigureAwait(false);

            c.Expect(response is { IsError: false, Code: not null }, "a successful response with a code", response is null ? "an error page: " + page : Steps.Describe(response));
        });

    public static Check ReferrerPolicyOnResponse { get; } = Define.Rule(
        "AUTHZ-12", Area, RequirementLevel.Should, Severity.Low,
        "The redirect that carries the authorization response SHOULD send Referrer-Policy: no-referrer (or a strict policy) so the code does not leak through the Referer header.",
        "RFC9700 §4.2.4", CodeClient + " through an HTTP redirect",
        "Send 'Referrer-Policy: no-referrer' on authorization responses and the pages of the authorization endpoint.",
        async c =>
        {
            var client = Probes.RedirectingClient(c, false, "web", "native");
            var authorization = await Steps.CodeAsync(c, client).ConfigureAwait(false);
            var redirect = Probes.Exchanges(c).LastOrDefault(e => e.Status is >= 300 and < 400
                && Probes.Location(e) is { } location && AuthorizationResponse.IsRedirectTo(location, authorization.Request.RedirectUri)
                && (location.Query + location.Fragment).Contains("code=", StringComparison.Ordinal));
            c.Precondition(redirect is not null, "the authorization response did not come as an HTTP redirect carrying the code");
            var policy = Probes.Header(redirect!, "Referrer-Policy");
            // Several policies may be listed; a browser applies the last one it understands.
            var effective = policy?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault()?.ToLowerInvariant();

            c.Expect(effective is "no-referrer" or "same-origin" or "strict-origin" or "strict-origin-when-cross-origin",
                "Referrer-Policy: no-referrer (or same-origin / strict-origin*)",
                $"HTTP {redirect!.Status} to the redirect URI with Referrer-Policy: {policy ?? "(none)"}");
        },
        threats: "RFC9700 §4.2; RFC6819 §4.4.1.1");

    public static Check LoginPageNotFramable { get; } = Define.Rule(
        "AUTHZ-13", Area, RequirementLevel.Must, Severity.Medium,
        "The page the authorization endpoint shows to a user without a session (the login page) MUST forbid framing by other origins (CSP frame-ancestors or X-Frame-Options).",
        "RFC9700 §4.16; RFC6819 §4.4.1.9; RFC7034 §2", CodeClient,
        "Send 'Content-Security-Policy: frame-ancestors 'none'' (or 'self') and 'X-Frame-Options: DENY' on the login, MFA and consent pages.",
        async c =>
        {
            var client = Probes.RedirectingClient(c, false, "web", "native");
            var request = c.OAuth(client).AuthorizationRequest().WithPkce(CodeVerifier.New());
            await using (var agent = c.LoginDriver.NewUserAgent())
            {
                try
                {
                    await agent.NavigateAsync(request.ToUri(), request.RedirectUri, c.Cancellation).ConfigureAwait(false);
                    c.Precondition(false, "a fresh user agent was sent back to the client without seeing a login page");
                }
                catch (LoginFailedException)
                {
                    // Expected: the server showed its login page, which the agent does not fill in here.
                }
            }

            var page = Probes.Exchanges(c).LastOrDefault(e => e.Status == 200 && (Probes.Header(e, "Content-Type") ?? "").Contains("html", StringComparison.OrdinalIgnoreCase));
            c.Precondition(page is not null, "no HTML page was shown to a user without a session");
            var frameOptions = Probes.Header(page!, "X-Frame-Options");
            var csp = Probes.Header(page!, "Content-Security-Policy");

            c.Expect(FramingForbidden(frameOptions, csp), "CSP frame-ancestors without wildcards, or X-Frame-Options DENY / SAMEORIGIN",
                $"{page!.Url}: X-Frame-Options: {frameOptions ?? "(none)"}; Content-Security-Policy: {csp ?? "(none)"}");
        },
        threats: "RFC6819 §4.4.1.9; RFC9700 §4.16");

    public static Check No307AfterCredentials { get; } = Define.Rule(
        "AUTHZ-14", Area, RequirementLevel.Must, Severity.High,
        "The authorization server MUST NOT use HTTP 307 (or 308) to redirect the user agent after it posted a form that may hold credentials.",
        "RFC9700 §4.12", CodeClient + ", signed in through a login form",
        "Redirect after a POST with 303 (or 302), never 307 or 308, which make the browser re-post the credentials to the next location.",
        async c =>
        {
            var client = Probes.RedirectingClient(c, false, "web", "native");
            await Steps.CodeAsync(c, client).ConfigureAwait(false);
            var posts = Probes.Exchanges(c).Where(e => e.Method == "POST" && e.Status is >= 300 and < 400).ToList();
            c.Require(posts.Count > 0, "the login driver posted no form that was answered by a redirect (e.g. the okta-authn driver signs in through the API)");
            var bad = posts.Where(e => e.Status is 307 or 308).ToList();

            c.Expect(bad.Count == 0, "302 or 303 after every form post",
                string.Join("; ", bad.Select(e => $"POST {e.Url} -> HTTP {e.Status} to {Probes.Header(e, "Location")}")));
        },
        threats: "RFC9700 §4.12");

    public static Check NoCorsOnAuthorize { get; } = Define.Rule(
        "AUTHZ-15", Area, RequirementLevel.Must, Severity.Medium,
        "The authorization endpoint MUST NOT support CORS: it sends no Access-Control-Allow-Origin header, even to a request with an Origin.",
        "RFC9700 §2.6", "any server with an authorization endpoint and a redirecting client",
        "Do not add CORS headers to the authorization endpoint; it is a navigation target, never a fetch target.",
        async c =>
        {
            var client = Probes.RedirectingClient(c, false, "web", "native", "spa");
            var request = c.OAuth(client).AuthorizationRequest().WithPkce(CodeVerifier.New());
            using var response = await Probes.GetAsync(c, request.ToUri(), ("Origin", "https://conformance-attacker.invalid")).ConfigureAwait(false);
            var allow = Probes.Header(response, "Access-Control-Allow-Origin");

            c.Expect(allow is null, "no Access-Control-Allow-Origin header",
                $"HTTP {(int)response.StatusCode} with Access-Control-Allow-Origin: {allow}" + (Probes.Header(response, "Access-Control-Allow-Credentials") is { } cred ? $", Access-Control-Allow-Credentials: {cred}" : ""));
        },
        threats: "RFC9700 §2.6");

    public static Check CodesUnguessable { get; } = Define.Rule(
        "AUTHZ-16", Area, RequirementLevel.Must, Severity.High,
        "Authorization codes MUST be unguessable: at least 128 bits of apparent entropy (22 base64url characters), and never the same in two flows.",
        "RFC6749 §10.10; RFC6819 §5.1.4.2.2", CodeClient,
        "Generate codes from a CSPRNG with at least 128 bits (e.g. 32 random bytes, base64url).",
        async c =>
        {
            var client = Probes.RedirectingClient(c, false, "web", "native");
            var first = await Steps.CodeAsync(c, client).ConfigureAwait(false);
            var second = await Steps.CodeAsync(c, client).ConfigureAwait(false);
            var bits = new[] { first.Code, second.Code }.Select(ApparentBits).Min();

            c.Expect(bits >= 128 && first.Code != second.Code, "two different codes of at least 128 bits each",
                $"codes of {first.Code.Length} and {second.Code.Length} characters (about {bits:0} bits){(first.Code == second.Code ? ", identical in both flows" : "")}");
        },
        threats: "RFC6819 §4.4.1.3; RFC6819 §5.1.4.2.2");

    private const string ProbeParameter = "conformance_probe";

    /// <summary>
    /// Sends the authorization request with a tampered redirect_uri through a user agent that stops only there:
    /// reaching it (or getting a code for it) is the violation; an error page is the server refusing.
    /// </summary>
    private static async Task RedirectUriRefusedAsync(CheckContext c, Func<Uri, Uri?> tamper, string what)
    {
        c.RequireMetadata("response_types_supported", "code");
        var client = Probes.RedirectingClient(c, true, "web", "spa", "web2", "native");
        var registered = client.RedirectUri!;
        var tampered = tamper(registered);
        c.Require(tampered is not null, $"the redirect URI {registered} cannot be altered this way");
        Authorization authorization;
        try
        {
            authorization = await Steps.AuthorizeAsync(c, client, change: r => r with { RedirectUri = tampered! }).ConfigureAwait(false);
        }
        catch (LoginFailedException e)
        {
            // A page is the server refusing, provided the same login works with the registered redirect URI.
            await BaselineAsync(c, client, pkce: true, responseType: "code").ConfigureAwait(false);
            c.Note($"refused {what} ({tampered}) without redirecting: {e.Message}");
            return;
        }

        var response = authorization.Response;
        // The agent stops at any URI with the tampered URI's scheme, host and path; for an added query the probe
        // parameter tells the tampered URI from the registered one.
        var reached = !AuthorizationResponse.IsRedirectTo(tampered!, registered) || response.Get(ProbeParameter) is not null;
        var issued = response.Code is not null || response.IdToken is not null || response.AccessToken is not null;
        if (!reached && !issued)
        {
            c.Note($"for {what} the server redirected to the registered redirect URI with {Steps.Describe(response)}");
        }

        c.Expect(!reached && !issued, $"an error page and no redirect to {tampered}",
            reached ? $"redirected to {tampered} with {Steps.Describe(response)}" : $"{Steps.Describe(response)} for {tampered}");
    }

    /// <summary>
    /// Sends the changed request in a fresh user agent. When it is refused (an error, or a page instead of a
    /// redirect, returned as the page's description with a null response), the honest request is sent too and
    /// must succeed: only then is the refusal the server's answer to the change.
    /// </summary>
    private static async Task<(AuthorizationRequest Request, AuthorizationResponse? Response, string? Page)> HonestThenChangedAsync(
        CheckContext c, ClientProfile client, Func<AuthorizationRequest, AuthorizationRequest> change, bool pkce = true, string responseType = "code")
    {
        AuthorizationRequest? sent = null;
        (AuthorizationRequest, AuthorizationResponse?, string?) result;
        try
        {
            var changed = await Steps.AuthorizeAsync(c, client, pkce: pkce, responseType: responseType, change: r => sent = change(r)).ConfigureAwait(false);
            result = (changed.Request, changed.Response, null);
        }
        catch (LoginFailedException e)
        {
            result = (sent!, null, e.Message);
        }

        if (result.Item2 is null or { IsError: true })
        {
            await BaselineAsync(c, client, pkce, responseType).ConfigureAwait(false);
        }

        return result;
    }

    private static async Task BaselineAsync(CheckContext c, ClientProfile client, bool pkce, string responseType)
    {
        var baseline = await Steps.AuthorizeAsync(c, client, pkce: pkce, responseType: responseType).ConfigureAwait(false);
        c.Precondition(baseline.Response is { IsError: false } && (baseline.Response.Code ?? baseline.Response.IdToken) is not null,
            $"the honest request ({responseType}) for '{client.Role}' did not succeed either: {Steps.Describe(baseline.Response)}");
    }

    private static ClientProfile ImplicitClient(CheckContext c)
    {
        c.RequireMetadata("response_types_supported", "id_token");
        return c.Client("spa");
    }

    private static string Observed(string? state) => state is null ? "no state" : $"state '{state}'";

    private static bool FramingForbidden(string? frameOptions, string? csp)
    {
        if (frameOptions is not null && frameOptions.Split(',').Select(v => v.Trim()).Any(v => v.Equals("DENY", StringComparison.OrdinalIgnoreCase) || v.Equals("SAMEORIGIN", StringComparison.OrdinalIgnoreCase)))
        {
            return true;
        }

        if (csp is null)
        {
            return false;
        }

        // Every policy is enforced, so one restrictive frame-ancestors directive is enough.
        foreach (var directive in csp.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = directive.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length > 0 && parts[0].Equals("frame-ancestors", StringComparison.OrdinalIgnoreCase)
                && !parts.Skip(1).Any(s => s == "*" || s.EndsWith(':') || s.StartsWith("*", StringComparison.Ordinal)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Length times the bits per character of the smallest usual alphabet the code fits in (hex, base64url, other).</summary>
    private static double ApparentBits(string code)
    {
        double perChar = code.All(Uri.IsHexDigit) ? 4
            : code.All(ch => char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' or '.' or '~' or '+' or '/' or '=') ? 6
            : 6;
        return code.TrimEnd('=').Length * perChar;
    }
}
