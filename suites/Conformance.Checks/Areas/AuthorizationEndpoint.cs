using Conformance.Harness.Checks;
using Conformance.Harness.Login;
using Conformance.Harness.Protocol;
using Conformance.Harness.Target;

namespace Conformance.Checks.Areas;

/// <summary>The authorization endpoint: redirect URI matching, state, nonce, response modes, prompt, and the front channel's HTTP hygiene.</summary>
public static partial class AuthorizationEndpoint
{
    private const string Area = "authorization-endpoint";
    private const string Redirecting = "a client with a registered http(s) redirect URI using the authorization code grant";
    private const string CodeClient = "a redirecting client (web or native) using the authorization code grant";
    private const string Implicit = "a SPA client and a server that lists response type id_token";

    public static Check ForeignHostRefused { get; } = Define.Rule(new()
    {
        Id = "AUTHZ-01",
        Anchors = "OAuch: AuthEndpoint/InvalidRedirectTest; OIDF: oidcc-ensure-registered-redirect-uri",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Critical,
        Requirement = "The authorization server MUST NOT redirect to a redirect_uri on another host than the registered one.",
        Specs = "RFC6749 §3.1.2.4; RFC6749 §4.1.2.1; RFC9700 §2.1",
        Applicability = Redirecting,
        Remediation = "Compare the redirect_uri with the registered ones by exact string match and show an error page (no redirect) when none matches.",
        Run = c => RedirectUriRefusedAsync(c, registered => Tamper.Uri(registered, host: "conformance-attacker.invalid"), "a redirect_uri on another host"),
        Threats = "RFC6819 §4.2.4; RFC9700 §4.1",
    });

    public static Check ExtraPathRefused { get; } = Define.Rule(new()
    {
        Id = "AUTHZ-02",
        Anchors = "OAuch: AuthEndpoint/InvalidRedirectTest; OAuch: AuthEndpoint/RedirectUriPathMatchedTest",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "The authorization server MUST refuse, without redirecting, the registered redirect_uri with an added path segment.",
        Specs = "RFC9700 §2.1; RFC9700 §4.1.3; RFC6749 §3.1.2.3",
        Applicability = Redirecting,
        Remediation = "Match redirect URIs exactly (RFC 9700 §2.1): no prefix or pattern matching.",
        Run = c => RedirectUriRefusedAsync(c, registered => Tamper.Uri(registered, path: registered.AbsolutePath.TrimEnd('/') + "/evil"), "the registered redirect_uri with an extra path segment"),
        Threats = "RFC6819 §4.2.4; RFC9700 §4.1",
    });

    public static Check ExtraQueryRefused { get; } = Define.Rule(new()
    {
        Id = "AUTHZ-03",
        Anchors = "OAuch: AuthEndpoint/InvalidRedirectTest; OAuch: AuthEndpoint/RedirectUriFullyMatchedTest; OIDF: oidcc-redirect-uri-query-added",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "The authorization server MUST refuse, without redirecting, the registered redirect_uri with an added query parameter.",
        Specs = "RFC9700 §2.1; RFC9700 §4.1.3; RFC6749 §3.1.2.3",
        Applicability = Redirecting,
        Remediation = "Match redirect URIs exactly, query included (RFC 9700 §2.1).",
        Run = c => RedirectUriRefusedAsync(c, registered => Tamper.Uri(registered, query: (registered.Query.Length > 1 ? registered.Query + "&" : "?") + ProbeParameter + "=1"), "the registered redirect_uri with an added query"),
        Threats = "RFC6819 §4.2.4; RFC9700 §4.1",
    });

    public static Check CaseChangedRefused { get; } = Define.Rule(new()
    {
        Id = "AUTHZ-04",
        Anchors = "OAuch: AuthEndpoint/InvalidRedirectTest",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Medium,
        Requirement = "The authorization server MUST refuse, without redirecting, the registered redirect_uri with the case of its path changed.",
        Specs = "RFC9700 §2.1; RFC3986 §6.2.1; RFC6749 §3.1.2.3",
        Applicability = Redirecting,
        Remediation = "Compare redirect URIs as exact, case-sensitive strings.",
        Run = c => RedirectUriRefusedAsync(c, registered =>
        {
            var path = registered.AbsolutePath;
            return path.Any(char.IsLetter) ? Tamper.Uri(registered, path: new string(path.Select(ch => char.IsUpper(ch) ? char.ToLowerInvariant(ch) : char.ToUpperInvariant(ch)).ToArray())) : null;
        }, "the registered redirect_uri with its path in another case"),
        Threats = "RFC6819 §4.2.4; RFC9700 §4.1",
    });

    public static Check StateReturned { get; } = Define.Rule(new()
    {
        Id = "AUTHZ-05",
        Anchors = "OAuch: AuthEndpoint/StatePresentTest",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "A successful authorization response MUST return the state parameter exactly as the client sent it.",
        Specs = "RFC6749 §4.1.2",
        Applicability = CodeClient,
        Remediation = "Echo state byte for byte in every authorization response.",
        Run = async c =>
        {
            var client = Pick.RedirectingClient(c, false, "web", "native");
            var authorization = await Steps.CodeAsync(c, client).ConfigureAwait(false);

            c.Expect(authorization.Response.State == authorization.Request.State, $"state '{authorization.Request.State}'", Observed(authorization.Response.State));
        },
        Threats = "RFC6819 §4.4.1.8; RFC9700 §4.7",
    });

    public static Check InvalidScopeRedirectsWithState { get; } = Define.Rule(new()
    {
        Id = "AUTHZ-06",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Medium,
        Requirement = "An unknown scope MUST either be refused by a redirect with error=invalid_scope and the exact state, or be left out of the grant; it MUST NOT be granted.",
        Specs = "RFC6749 §4.1.2.1; RFC6749 §3.3; RFC6749 §5.1; OIDC-Core §3.1.2.1",
        Applicability = CodeClient,
        Remediation = "Refuse scopes the server does not know with invalid_scope (redirected with the client's state), or ignore them and return the granted scope in the token response.",
        Run = async c =>
        {
            // RFC 6749 §3.3 lets a server ignore requested scopes, and OIDC Core §3.1.2.1 says unknown scope values
            // SHOULD be ignored: a refusal and a grant without the scope both pass. Only granting it fails, or a
            // refusal that loses the state.
            c.RequireMetadata("response_types_supported", "code");
            var client = Pick.RedirectingClient(c, false, "web", "native");
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
                throw new RequirementViolatedException(c.Definition.Requirement, "a redirect to the client", "an error page instead of a redirect to the client: " + e.Message);
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
        Threats = "RFC6819 §4.4.1.8",
    });

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

    public static Check ImplicitRequiresNonce { get; } = Define.Rule(new()
    {
        Id = "AUTHZ-07",
        Anchors = "OAuch: AuthEndpoint/NonceRequiredTest; OIDF: oidcc-ensure-request-without-nonce-fails",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "An implicit-flow authentication request (response type id_token) without a nonce MUST be refused.",
        Specs = "OIDC-Core §3.2.2.1; OIDC-Core §3.2.2.11",
        Applicability = Implicit,
        Remediation = "Require nonce for every response type that returns an ID token from the authorization endpoint; answer invalid_request.",
        Run = async c =>
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
        Threats = "RFC6819 §4.6.1; RFC9700 §4.5",
    });

    public static Check CodeFlowNonceOptional { get; } = Define.Rule(new()
    {
        Id = "AUTHZ-08",
        Anchors = "OIDF: oidcc-ensure-request-without-nonce-succeeds-for-code-flow",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Low,
        Requirement = "An authorization code request without a nonce MUST succeed: nonce is OPTIONAL in the code flow.",
        Specs = "OIDC-Core §3.1.2.1",
        Applicability = CodeClient,
        Remediation = "Accept code-flow requests without nonce (and then issue ID tokens without a nonce claim).",
        Run = async c =>
        {
            c.RequireMetadata("response_types_supported", "code");
            var client = Pick.RedirectingClient(c, false, "web", "native");
            var (_, response, page) = await HonestThenChangedAsync(c, client, r => r with { Nonce = null }).ConfigureAwait(false);

            c.Expect(response is { IsError: false, Code: not null }, "a successful response with a code", response is null ? "an error page: " + page : Steps.Describe(response));
        },
    });

    public static Check NoTokensInQuery { get; } = Define.Rule(new()
    {
        Id = "AUTHZ-09",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "The authorization server MUST NOT return an ID token or access token in the query: response_mode=query with response type id_token MUST be refused.",
        Specs = "OAuth-MultipleResponseTypes §5; OAuth-MultipleResponseTypes §2.1",
        Applicability = Implicit,
        Remediation = "Refuse response_mode=query for any response type that includes id_token or token.",
        Run = async c =>
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
        Threats = "RFC9700 §4.3.2; RFC6819 §4.4.2.1",
    });

    public static Check PromptNoneWithoutSession { get; } = Define.Rule(new()
    {
        Id = "AUTHZ-10",
        Anchors = "OIDF: oidcc-prompt-none-not-logged-in",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Medium,
        Requirement = "With prompt=none and no session, the authorization server MUST NOT show a login page: it MUST redirect back with an error (login_required, or the more general interaction_required).",
        Specs = "OIDC-Core §3.1.2.6; OIDC-Core §3.1.2.1",
        Applicability = CodeClient,
        Remediation = "For prompt=none, never display UI: redirect with login_required (or interaction_required) when the user is not signed in.",
        Run = async c =>
        {
            c.RequireMetadata("response_types_supported", "code");
            var client = Pick.RedirectingClient(c, false, "web", "native");
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
        },
    });

    public static Check UnknownParameterIgnored { get; } = Define.Rule(new()
    {
        Id = "AUTHZ-11",
        Anchors = "OAuch: AuthEndpoint/UnrecognizedParameterAllowedTest; OIDF: oidcc-ensure-request-with-unknown-parameter-succeeds",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Low,
        Requirement = "The authorization server MUST ignore unrecognized request parameters: a request with one succeeds.",
        Specs = "RFC6749 §3.1",
        Applicability = CodeClient,
        Remediation = "Ignore parameters you do not understand instead of refusing the request.",
        Run = async c =>
        {
            c.RequireMetadata("response_types_supported", "code");
            var client = Pick.RedirectingClient(c, false, "web", "native");
            var (_, response, page) = await HonestThenChangedAsync(c, client, r => r with
            {
                Extra = new Dictionary<string, string>(r.Extra) { ["conformance_unknown_parameter"] = Harness.Protocol.Random.Token(8) },
            }).ConfigureAwait(false);

            c.Expect(response is { IsError: false, Code: not null }, "a successful response with a code", response is null ? "an error page: " + page : Steps.Describe(response));
        },
    });

    /// <summary>
    /// Sends the authorization request with a tampered redirect_uri through a user agent that stops only there:
    /// reaching it (or getting a code for it) is the violation; an error page is the server refusing.
    /// </summary>
    private static async Task RedirectUriRefusedAsync(CheckContext c, Func<Uri, Uri?> tamper, string what)
    {
        c.RequireMetadata("response_types_supported", "code");
        var client = Pick.RedirectingClient(c, true, "web", "spa", "web2", "native");
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
}
