using Conformance.Harness.Checks;
using Conformance.Harness.Login;
using Conformance.Harness.Protocol;
using Conformance.Harness.Target;

namespace Conformance.Checks.Areas;

/// <summary>The authorization endpoint's front-channel hygiene: referrer policy, framing, 307 after credentials, CORS, code entropy.</summary>
public static partial class AuthorizationEndpoint
{
    public static Check ReferrerPolicyOnResponse { get; } = Define.Rule(new()
    {
        Id = "AUTHZ-12",
        Anchors = "OAuch: AuthEndpoint/ReferrerPolicyEnforcedTest",
        Area = Area,
        Level = RequirementLevel.Should,
        Severity = Severity.Low,
        Requirement = "The redirect that carries the authorization response SHOULD send Referrer-Policy: no-referrer (or a strict policy) so the code does not leak through the Referer header.",
        Specs = "RFC9700 §4.2.4",
        Applicability = CodeClient + " through an HTTP redirect",
        Remediation = "Send 'Referrer-Policy: no-referrer' on authorization responses and the pages of the authorization endpoint.",
        Run = async c =>
        {
            var client = Pick.RedirectingClient(c, false, "web", "native");
            var authorization = await Steps.CodeAsync(c, client).ConfigureAwait(false);
            var redirect = RawHttp.Exchanges(c).LastOrDefault(e => e.Status is >= 300 and < 400
                && RawHttp.Location(e) is { } location && AuthorizationResponse.IsRedirectTo(location, authorization.Request.RedirectUri)
                && (location.Query + location.Fragment).Contains("code=", StringComparison.Ordinal));
            c.Precondition(redirect is not null, "the authorization response did not come as an HTTP redirect carrying the code");
            var policy = RawHttp.Header(redirect!, "Referrer-Policy");
            // Several policies may be listed; a browser applies the last one it understands.
            var effective = policy?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault()?.ToLowerInvariant();

            c.Expect(effective is "no-referrer" or "same-origin" or "strict-origin" or "strict-origin-when-cross-origin",
                "Referrer-Policy: no-referrer (or same-origin / strict-origin*)",
                $"HTTP {redirect!.Status} to the redirect URI with Referrer-Policy: {policy ?? "(none)"}");
        },
        Threats = "RFC9700 §4.2; RFC6819 §4.4.1.1",
    });

    public static Check LoginPageNotFramable { get; } = Define.Rule(new()
    {
        Id = "AUTHZ-13",
        Anchors = "OAuch: AuthEndpoint/HasContentSecurityPolicyTest; OAuch: AuthEndpoint/HasFrameOptionsTest",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Medium,
        Requirement = "The page the authorization endpoint shows to a user without a session (the login page) MUST forbid framing by other origins (CSP frame-ancestors or X-Frame-Options).",
        Specs = "RFC9700 §4.16; RFC6819 §4.4.1.9; RFC7034 §2",
        Applicability = CodeClient,
        Remediation = "Send 'Content-Security-Policy: frame-ancestors 'none'' (or 'self') and 'X-Frame-Options: DENY' on the login, MFA and consent pages.",
        Run = async c =>
        {
            var client = Pick.RedirectingClient(c, false, "web", "native");
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

            var page = RawHttp.Exchanges(c).LastOrDefault(e => e.Status == 200 && (RawHttp.Header(e, "Content-Type") ?? "").Contains("html", StringComparison.OrdinalIgnoreCase));
            c.Precondition(page is not null, "no HTML page was shown to a user without a session");
            var frameOptions = RawHttp.Header(page!, "X-Frame-Options");
            var csp = RawHttp.Header(page!, "Content-Security-Policy");

            c.Expect(FramingForbidden(frameOptions, csp), "CSP frame-ancestors without wildcards, or X-Frame-Options DENY / SAMEORIGIN",
                $"{page!.Url}: X-Frame-Options: {frameOptions ?? "(none)"}; Content-Security-Policy: {csp ?? "(none)"}");
        },
        Threats = "RFC6819 §4.4.1.9; RFC9700 §4.16",
    });

    public static Check No307AfterCredentials { get; } = Define.Rule(new()
    {
        Id = "AUTHZ-14",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "The authorization server MUST NOT use HTTP 307 (or 308) to redirect the user agent after it posted a form that may hold credentials.",
        Specs = "RFC9700 §4.12",
        Applicability = CodeClient + ", signed in through a login form",
        Remediation = "Redirect after a POST with 303 (or 302), never 307 or 308, which make the browser re-post the credentials to the next location.",
        Run = async c =>
        {
            var client = Pick.RedirectingClient(c, false, "web", "native");
            await Steps.CodeAsync(c, client).ConfigureAwait(false);
            var posts = RawHttp.Exchanges(c).Where(e => e.Method == "POST" && e.Status is >= 300 and < 400).ToList();
            c.Require(posts.Count > 0, "the login driver posted no form that was answered by a redirect (e.g. the okta-authn driver signs in through the API)");
            var bad = posts.Where(e => e.Status is 307 or 308).ToList();

            c.Expect(bad.Count == 0, "302 or 303 after every form post",
                string.Join("; ", bad.Select(e => $"POST {e.Url} -> HTTP {e.Status} to {RawHttp.Header(e, "Location")}")));
        },
        Threats = "RFC9700 §4.12",
    });

    public static Check NoCorsOnAuthorize { get; } = Define.Rule(new()
    {
        Id = "AUTHZ-15",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.Medium,
        Requirement = "The authorization endpoint MUST NOT support CORS: it sends no Access-Control-Allow-Origin header, even to a request with an Origin.",
        Specs = "RFC9700 §2.6",
        Applicability = "any server with an authorization endpoint and a redirecting client",
        Remediation = "Do not add CORS headers to the authorization endpoint; it is a navigation target, never a fetch target.",
        Run = async c =>
        {
            var client = Pick.RedirectingClient(c, false, "web", "native", "spa");
            var request = c.OAuth(client).AuthorizationRequest().WithPkce(CodeVerifier.New());
            using var response = await RawHttp.GetAsync(c, request.ToUri(), ("Origin", "https://conformance-attacker.invalid")).ConfigureAwait(false);
            var allow = RawHttp.Header(response, "Access-Control-Allow-Origin");

            c.Expect(allow is null, "no Access-Control-Allow-Origin header",
                $"HTTP {(int)response.StatusCode} with Access-Control-Allow-Origin: {allow}" + (RawHttp.Header(response, "Access-Control-Allow-Credentials") is { } cred ? $", Access-Control-Allow-Credentials: {cred}" : ""));
        },
        Threats = "RFC9700 §2.6",
    });

    public static Check CodesUnguessable { get; } = Define.Rule(new()
    {
        Id = "AUTHZ-16",
        Anchors = "OAuch: Tokens/AuthorizationCodeEntropyMinReqTest",
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = Severity.High,
        Requirement = "Authorization codes MUST be unguessable: at least 128 bits of apparent entropy (22 base64url characters), and never the same in two flows.",
        Specs = "RFC6749 §10.10; RFC6819 §5.1.4.2.2",
        Applicability = CodeClient,
        Remediation = "Generate codes from a CSPRNG with at least 128 bits (e.g. 32 random bytes, base64url).",
        Run = async c =>
        {
            var client = Pick.RedirectingClient(c, false, "web", "native");
            var first = await Steps.CodeAsync(c, client).ConfigureAwait(false);
            var second = await Steps.CodeAsync(c, client).ConfigureAwait(false);
            var bits = new[] { first.Code, second.Code }.Select(ApparentBits).Min();

            c.Expect(bits >= 128 && first.Code != second.Code, "two different codes of at least 128 bits each",
                $"codes of {first.Code.Length} and {second.Code.Length} characters (about {bits:0} bits){(first.Code == second.Code ? ", identical in both flows" : "")}");
        },
        Threats = "RFC6819 §4.4.1.3; RFC6819 §5.1.4.2.2",
    });

    private const string ProbeParameter = "conformance_probe";

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

    /// <summary>
    /// Length times the bits per character of the smallest usual alphabet the code fits in: hex (4; a UUID's dashes do
    /// not count, so a v4 UUID comes out at 128, not 216), else base64url or anything else (6). Also TOK-09/TOK-10's.
    /// </summary>
    internal static double ApparentBits(string code)
    {
        var digits = code.Replace("-", "", StringComparison.Ordinal);
        return digits.Length > 0 && digits.All(Uri.IsHexDigit) ? digits.Length * 4 : code.TrimEnd('=').Length * 6;
    }
}
