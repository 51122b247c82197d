using Conformance.Harness.Checks;
using Conformance.Harness.Login;
using Conformance.Harness.Protocol;
using Conformance.Harness.Target;

namespace Conformance.Checks.Areas;

/// <summary>The OpenID Connect authentication request parameters (OIDC Core §3.1.2.1): prompt, max_age, hints.</summary>
public static partial class OidcRequest
{
    private const string Area = "oidc-request";
    private const string CodeClient = "a redirecting client (web or native) using the authorization code grant with the openid scope";

    public static Check PromptLoginReauthenticates { get; } = Define.Rule(new()
    {
        Id = "OIDC-01",
        Anchors = "OIDF: oidcc-prompt-login",
        Area = Area,
        Level = RequirementLevel.Should,
        Severity = Severity.Medium,
        Requirement = "With prompt=login the OP SHOULD re-authenticate a signed-in user (a later auth_time), or else MUST return an error such as login_required.",
        Specs = "OIDC-Core §3.1.2.1",
        Applicability = CodeClient,
        Remediation = "Treat prompt=login as a demand for a new login even when a session exists; answer login_required when that is impossible.",
        Run = c => ReauthenticatesAsync(c, TimeSpan.FromSeconds(1.2), r => r with { Prompt = "login" }, "prompt=login"),
        Threats = "RFC6819 §4.4.1.12",
    });

    public static Check MaxAgeAuthTime { get; } = Define.Rule(new()
    {
        Id = "OIDC-02",
        Anchors = "OIDF: oidcc-max-age-10000",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Medium,
        Requirement = "When the authentication request carries max_age, the ID token MUST include an auth_time claim.",
        Specs = "OIDC-Core §3.1.2.1; OIDC-Core §2",
        Applicability = CodeClient,
        Remediation = "Put auth_time, the time of the user's authentication in seconds since the epoch, into every ID token of a request with max_age.",
        Run = async c =>
        {
            var client = Pick.RedirectingClient(c, false, "web", "native");
            c.RequireMetadata("response_types_supported", "code");
            var authorization = await Steps.AuthorizeAsync(c, client, change: r => r with { MaxAge = 10000 }).ConfigureAwait(false);
            c.Precondition(authorization.Response is { IsError: false, Code: not null }, $"the request with max_age=10000 got no code: {Steps.Describe(authorization.Response)}");

            var idToken = await IdTokenAsync(c, client, authorization).ConfigureAwait(false);

            c.Expect(idToken.TryGetPayloadValue<long>("auth_time", out _), "auth_time (a number) in the ID token of a request with max_age=10000",
                idToken.TryGetPayloadValue<object>("auth_time", out var other) ? $"auth_time '{other}' is not a number" : "no auth_time claim");
        },
    });

    public static Check MaxAgeReauthenticates { get; } = Define.Rule(new()
    {
        Id = "OIDC-03",
        Anchors = "OIDF: oidcc-max-age-1",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Medium,
        Requirement = "When more time than max_age allows has passed since the user's authentication, the OP MUST actively re-authenticate the user (or return an error such as login_required).",
        Specs = "OIDC-Core §3.1.2.1; OIDC-Core §3.1.2.3",
        Applicability = CodeClient,
        Remediation = "Compare the session's authentication time with max_age and ask for a new login when it is older.",
        // max_age=1 and a wait of more than two seconds: the session is older than max_age on any reading of seconds.
        Run = c => ReauthenticatesAsync(c, TimeSpan.FromSeconds(2.2), r => r with { MaxAge = 1 }, "max_age=1"),
        Threats = "RFC6819 §4.4.1.12",
    });

    public static Check SilentMaxAgeRefused { get; } = Define.Rule(new()
    {
        Id = "OIDC-12",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Medium,
        Requirement = "A prompt=none request whose max_age the session's authentication is older than MUST NOT get a code: the OP cannot re-authenticate without UI, so it returns an error (login_required).",
        Specs = "OIDC-Core §3.1.2.1; OIDC-Core §3.1.2.6",
        Applicability = CodeClient,
        Remediation = "Check max_age before answering prompt=none from the session; when the authentication is too old, redirect with error=login_required.",
        Run = async c =>
        {
            var client = Pick.RedirectingClient(c, false, "web", "native");
            await using var agent = c.LoginDriver.NewUserAgent();
            var signIn = await Steps.CodeAsync(c, client, agent: agent).ConfigureAwait(false);
            var tokens = await Steps.RedeemAsync(c, client, signIn).ConfigureAwait(false);
            c.Precondition(!string.IsNullOrEmpty(tokens.IdToken), "the token response to a request with the openid scope carried no id_token");
            // More than two seconds: older than max_age=1 on any reading of seconds. Time passed on the target (the
            // embedded issuer's clock moves instead, so the wait costs the run nothing there).
            await c.WaitAsync(TimeSpan.FromSeconds(2.2)).ConfigureAwait(false);

            var response = await SilentAsync(c, client, agent, tokens.IdToken!, r => r with { MaxAge = 1 }).ConfigureAwait(false);

            if (response is null)
            {
                return;
            }

            c.Expect(response.Code is null && response.IsError, "an error (login_required) and no code for prompt=none with max_age=1 after more than a second",
                Steps.Describe(response));
        },
        Threats = "RFC6819 §4.4.1.12",
    });

    public static Check IdTokenHintHonoured { get; } = Define.Rule(new()
    {
        Id = "OIDC-04",
        Anchors = "OIDF: oidcc-id-token-hint; OIDF: oidcc-prompt-none-logged-in",
        Area = Area,
        Level = RequirementLevel.Should,
        Severity = Severity.Low,
        Requirement = "A prompt=none request carrying as id_token_hint an ID token of the signed-in user SHOULD get a positive response, without a page.",
        Specs = "OIDC-Core §3.1.2.1; OIDC-Core §3.1.2.6",
        Applicability = CodeClient,
        Remediation = "Accept an id_token_hint your server issued (even an expired one) and answer from the session when it names the signed-in user.",
        Run = async c =>
        {
            var client = Pick.RedirectingClient(c, false, "web", "native");
            await using var agent = c.LoginDriver.NewUserAgent();
            var signIn = await Steps.CodeAsync(c, client, agent: agent).ConfigureAwait(false);
            var tokens = await Steps.RedeemAsync(c, client, signIn).ConfigureAwait(false);
            c.Precondition(!string.IsNullOrEmpty(tokens.IdToken), "the token response to a request with the openid scope carried no id_token");

            AuthorizationResponse response;
            try
            {
                // A page is this rule's finding here: the signed-in user's own hint should be answered silently.
                response = (await SilentAsync(c, client, agent, tokens.IdToken!, pageIsAnswer: false).ConfigureAwait(false))!;
            }
            catch (LoginFailedException e) when (e is not ScriptLoginPageException)
            {
                c.Expect(false, "a code for prompt=none with the signed-in user's id_token_hint", "a page instead of a redirect: " + e.Message);
                return;
            }

            c.Expect(response is { IsError: false, Code: not null }, "a code for prompt=none with the signed-in user's id_token_hint", Steps.Describe(response));
        },
    });

    public static Check LoginHintAccepted { get; } = Define.Rule(new()
    {
        Id = "OIDC-05",
        Anchors = "OIDF: oidcc-login-hint",
        Area = Area,
        Level = RequirementLevel.Should,
        Severity = Severity.Low,
        Requirement = "A login_hint naming the user SHOULD be used or ignored, not refused: the authentication request succeeds.",
        Specs = "OIDC-Core §3.1.2.1; RFC6749 §3.1",
        Applicability = CodeClient,
        Remediation = "Use login_hint to prefill the login identifier, or ignore it; never refuse the request because of it.",
        Run = c => AcceptedAsync(c, "login_hint", c.User.Username),
    });

    public static Check AcrValuesAccepted { get; } = Define.Rule(new()
    {
        Id = "OIDC-06",
        Anchors = "OIDF: oidcc-ensure-request-with-acr-values-succeeds",
        Area = Area,
        Level = RequirementLevel.Should,
        Severity = Severity.Low,
        Requirement = "Requested acr_values are a voluntary claim: a request with acr_values the OP does not know SHOULD still succeed.",
        Specs = "OIDC-Core §3.1.2.1; OIDC-Core §5.5.1.1",
        Applicability = CodeClient,
        Remediation = "Satisfy acr_values when you can and otherwise authenticate as usual (the acr claim tells the client what was done); refuse only an essential acr request.",
        Run = c => AcceptedAsync(c, "acr_values", "urn:mace:incommon:iap:silver 1"),
    });

    public static Check UiLocalesAccepted { get; } = Define.Rule(new()
    {
        Id = "OIDC-09",
        Anchors = "OIDF: oidcc-ui-locales",
        Area = Area,
        Level = RequirementLevel.Should,
        Severity = Severity.Low,
        Requirement = "ui_locales is a preference: a request with ui_locales SHOULD succeed whether or not the OP supports those locales.",
        Specs = "OIDC-Core §3.1.2.1",
        Applicability = CodeClient,
        Remediation = "Use the first supported locale of ui_locales for your pages, or your default; never refuse the request because of it.",
        Run = c => AcceptedAsync(c, "ui_locales", "fr-CA fr en"),
    });

    public static Check ClaimsLocalesAccepted { get; } = Define.Rule(new()
    {
        Id = "OIDC-10",
        Anchors = "OIDF: oidcc-claims-locales",
        Area = Area,
        Level = RequirementLevel.Should,
        Severity = Severity.Low,
        Requirement = "claims_locales is a preference: a request with claims_locales SHOULD succeed whether or not the OP has claims in those languages.",
        Specs = "OIDC-Core §5.2; OIDC-Core §3.1.2.1",
        Applicability = CodeClient,
        Remediation = "Return claims in the preferred languages you have, or in your default; never refuse the request because of claims_locales.",
        Run = c => AcceptedAsync(c, "claims_locales", "fr-CA fr en"),
    });

    public static Check ClaimsParameterHonouredOrIgnored { get; } = Define.Rule(new()
    {
        Id = "OIDC-11",
        Anchors = "OIDF: oidcc-claims-essential",
        Area = Area,
        Level = RequirementLevel.Should,
        Severity = Severity.Low,
        Requirement = "A request with the claims parameter SHOULD succeed: an OP that offers it (claims_parameter_supported) returns the requested essential userinfo claim, one that does not ignores it.",
        Specs = "OIDC-Core §5.5; OIDC-Core §5.5.1; OIDC-Discovery §3; RFC6749 §3.1",
        Applicability = CodeClient + " (and a userinfo_endpoint where claims_parameter_supported is true)",
        Remediation = "Process the claims parameter and release the requested claims the user has, or ignore the parameter (and leave claims_parameter_supported false); never refuse the request.",
        Run = async c =>
        {
            var client = Pick.RedirectingClient(c, false, "web", "native");
            c.RequireMetadata("response_types_supported", "code");
            var offered = c.Server.Metadata.Json.ValueKind == System.Text.Json.JsonValueKind.Object &&
                c.Server.Metadata.Json.TryGetProperty("claims_parameter_supported", out var flag) && flag.ValueKind == System.Text.Json.JsonValueKind.True;
            const string Claims = """{"userinfo":{"name":{"essential":true}}}""";
            var authorization = await Steps.AuthorizeAsync(c, client,
                change: r => r with { Extra = new Dictionary<string, string>(r.Extra) { ["claims"] = Claims } }).ConfigureAwait(false);

            c.Expect(authorization.Response is { IsError: false, Code: not null }, "a code for the request with the claims parameter", Steps.Describe(authorization.Response));
            if (!offered || c.Server.Metadata.UserinfoEndpoint is null)
            {
                c.Note($"server '{c.Server.Name}' does not offer the claims parameter (claims_parameter_supported) or has no userinfo_endpoint: the request only had to succeed");
                return;
            }

            var tokens = await Steps.RedeemAsync(c, client, authorization).ConfigureAwait(false);
            var userInfo = await c.OAuth(client).UserInfoAsync(tokens.AccessToken!, c.Cancellation).ConfigureAwait(false);
            c.Precondition(userInfo.Status == System.Net.HttpStatusCode.OK && userInfo.Claims is not null, $"the honest userinfo request failed: {userInfo}");
            c.Expect(userInfo.Claims!.Value.TryGetProperty("name", out _), "the essential claim 'name' requested for userinfo by the claims parameter",
                $"claims [{string.Join(", ", userInfo.Claims!.Value.EnumerateObject().Select(p => p.Name))}]");
        },
    });

    /// <summary>
    /// A prompt=none request in the user agent with the ID token as id_token_hint (OIDC Core §3.1.2.1: it SHOULD be
    /// there with prompt=none). Null when the server showed a page: no code came from the session then, and a page
    /// for prompt=none is AUTHZ-10's finding.
    /// </summary>
    private static async Task<AuthorizationResponse?> SilentAsync(CheckContext c, ClientProfile client, IUserAgent agent, string idToken,
        Func<AuthorizationRequest, AuthorizationRequest>? change = null, bool pageIsAnswer = true)
    {
        var request = c.OAuth(client).AuthorizationRequest().WithPkce(CodeVerifier.New()) with
        {
            Prompt = "none",
            Extra = new Dictionary<string, string> { ["id_token_hint"] = idToken },
        };
        request = change?.Invoke(request) ?? request;
        try
        {
            return await agent.NavigateAsync(request.ToUri(), request.RedirectUri, c.Cancellation).ConfigureAwait(false);
        }
        catch (LoginFailedException e) when (e is not ScriptLoginPageException && pageIsAnswer)
        {
            c.Note("the prompt=none request got a page, not a redirect: " + e.Message);
            return null;
        }
    }

    /// <summary>
    /// Signs in, waits, then asks again in the same user agent with <paramref name="change"/>: a new authentication
    /// shows as a later auth_time (seconds, hence the wait); an error is the other allowed answer.
    /// </summary>
    private static async Task ReauthenticatesAsync(CheckContext c, TimeSpan wait, Func<AuthorizationRequest, AuthorizationRequest> change, string what)
    {
        var client = Pick.RedirectingClient(c, false, "web", "native");
        await using var agent = c.LoginDriver.NewUserAgent();
        var first = await IdTokenAsync(c, client, await Steps.CodeAsync(c, client, agent: agent).ConfigureAwait(false)).ConfigureAwait(false);
        c.Precondition(first.TryGetPayloadValue<long>("auth_time", out var before),
            "the ID token of the first login has no auth_time, so a new authentication cannot be told apart (OIDC-02 is about auth_time)");
        // The first login is new, in a new user agent: its auth_time is now, give or take clock skew. A value that
        // is not (Glewlwyd writes 0) cannot show a later authentication either, so the rule cannot be judged.
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        c.Precondition(before > now - 3600 && before < now + 300,
            $"the ID token of a login made just now has auth_time {before}, not a time near now ({now}), so a new authentication cannot be told apart");
        // Time passed on the target: a real one waits it out, the embedded issuer moves its clock instead.
        await c.WaitAsync(wait).ConfigureAwait(false);

        var again = await Steps.AuthorizeAsync(c, client, change: change, agent: agent).ConfigureAwait(false);

        if (again.Response.IsError)
        {
            c.Note($"{what} was answered with {Steps.Describe(again.Response)}, which OIDC Core §3.1.2.1 allows when the OP cannot re-authenticate");
            return;
        }

        c.Precondition(again.Response.Code is not null, $"the request with {what} got neither a code nor an error: {Steps.Describe(again.Response)}");
        var second = await IdTokenAsync(c, client, again).ConfigureAwait(false);
        var after = second.TryGetPayloadValue<long>("auth_time", out var value) ? value : (long?)null;
        c.Expect(after > before, $"auth_time later than the first login's {before} (a new authentication for {what})",
            after is null ? "no auth_time in the second ID token" : $"auth_time {after}: the existing session answered");
    }

    /// <summary>A fresh login with one more parameter must still end in a code.</summary>
    private static async Task AcceptedAsync(CheckContext c, string parameter, string value)
    {
        var client = Pick.RedirectingClient(c, false, "web", "native");
        c.RequireMetadata("response_types_supported", "code");
        var authorization = await Steps.AuthorizeAsync(c, client,
            change: r => r with { Extra = new Dictionary<string, string>(r.Extra) { [parameter] = value } }).ConfigureAwait(false);

        c.Expect(authorization.Response is { IsError: false, Code: not null }, $"a code for the request with {parameter}", Steps.Describe(authorization.Response));
    }

    /// <summary>Redeems the code honestly and decodes the ID token (claims only: IDT-01/02 judge its signature).</summary>
    private static async Task<Microsoft.IdentityModel.JsonWebTokens.JsonWebToken> IdTokenAsync(CheckContext c, ClientProfile client, Authorization authorization)
    {
        var tokens = await Steps.RedeemAsync(c, client, authorization).ConfigureAwait(false);
        var idToken = BackChannel.Jwt(tokens.IdToken);
        c.Precondition(idToken is not null, "the token response to a request with the openid scope carried no decodable id_token");
        return idToken!;
    }
}
