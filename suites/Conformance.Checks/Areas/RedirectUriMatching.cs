using Conformance.Harness.Checks;
using Conformance.Harness.Login;
using Conformance.Harness.Protocol;
using Conformance.Harness.Target;

namespace Conformance.Checks.Areas;

/// <summary>
/// Exact redirect URI matching (RFC 9700 §2.1, §4.1.3): each rule sends the registered redirect URI changed in one
/// way a lenient comparison lets through, and the server must refuse it without redirecting. AUTHZ-01..04 cover
/// another host, an added path segment, an added query and the path's case.
/// </summary>
public static class RedirectUriMatching
{
    private const string Area = "redirect-uri";
    private const string Redirecting = "a client with a registered http(s) redirect URI using the authorization code grant";
    private const string Specs = "RFC9700 §2.1; RFC9700 §4.1.3; RFC6749 §3.1.2.3; RFC6749 §4.1.2.1";
    private const string Threats = "RFC6819 §4.2.4; RFC9700 §4.1";
    private const string Exact = "Compare redirect_uri with the registered URIs by simple string comparison (RFC 3986 §6.2.1), with no normalisation before it.";
    private const string Probe = "conformance-probe";

    public static Check TrailingSlashRefused { get; } = Variant("RURI-01", Severity.Medium,
        "the registered redirect_uri with a trailing slash added (or removed)",
        uri => uri.AbsolutePath.EndsWith('/') ? Rebuild(uri, path: uri.AbsolutePath.TrimEnd('/')) : Rebuild(uri, path: uri.AbsolutePath + "/"));

    public static Check HostCaseRefused { get; } = Variant("RURI-02", Severity.Low,
        "the registered redirect_uri with its host in upper case",
        uri => uri.Host.Any(char.IsAsciiLetterLower) ? Rebuild(uri, authority: Authority(uri, host: uri.Host.ToUpperInvariant())) : null,
        // Host case is harmless to the browser (RFC 3986 §6.2.2.1), but RFC 9700 §2.1 asks for exact string matching.
        "OAuch: AuthEndpoint/InvalidRedirectTest");

    public static Check OtherPortRefused { get; } = Variant("RURI-03", Severity.High,
        "the registered redirect_uri on another port",
        uri => Rebuild(uri, authority: Authority(uri, port: uri.Port == 8443 ? 9443 : 8443)),
        "OAuch: AuthEndpoint/InvalidRedirectTest");

    public static Check OtherSchemeRefused { get; } = Variant("RURI-04", Severity.High,
        "the registered redirect_uri with its scheme switched between https and http",
        uri => uri.Scheme == "https" ? "http" + uri.OriginalString[5..] : uri.Scheme == "http" ? "https" + uri.OriginalString[4..] : null);

    public static Check UserInfoRefused { get; } = Variant("RURI-05", Severity.High,
        "the registered redirect_uri with user-info before its host (https://attacker@host/...)",
        uri => Rebuild(uri, authority: "conformance-attacker@" + uri.Authority));

    public static Check EncodedTraversalRefused { get; } = Variant("RURI-06", Severity.High,
        "a redirect_uri whose percent-encoded dot segments lead back to the registered path (/x%2F..%2Fcallback)",
        uri => uri.AbsolutePath.Length > 1 ? Rebuild(uri, path: "/conformance-attacker%2F..%2F" + uri.AbsolutePath.TrimStart('/')) : null,
        "OAuch: AuthEndpoint/RedirectUriConfusionTest");

    public static Check PathParameterRefused { get; } = Variant("RURI-07", Severity.Medium,
        "the registered redirect_uri with a ';' path parameter appended to its path",
        uri => Rebuild(uri, path: uri.AbsolutePath + ";" + Probe));

    public static Check SubdomainRefused { get; } = Variant("RURI-08", Severity.High,
        "the registered redirect_uri on a sub-domain of its host",
        uri => uri.HostNameType == UriHostNameType.Dns ? Rebuild(uri, authority: Authority(uri, host: "conformance-attacker." + uri.Host)) : null,
        "OAuch: AuthEndpoint/InvalidRedirectTest");

    public static Check FragmentRefused { get; } = Variant("RURI-09", Severity.Low,
        "the registered redirect_uri with a fragment appended (a redirection endpoint URI has none)",
        uri => uri.OriginalString.Contains('#') ? null : uri.OriginalString + "#" + Probe,
        "", "RFC9700 §2.1; RFC9700 §4.1.3; RFC6749 §3.1.2; RFC6749 §4.1.2.1");

    private static Check Variant(string id, Severity severity, string what, Func<Uri, string?> tamper, string anchors = "", string specs = Specs) => Define.Rule(new()
    {
        Id = id,
        Anchors = anchors,
        Area = Area,
        Level = RequirementLevel.Must,
        Severity = severity,
        Requirement = $"The authorization server MUST refuse, without redirecting, {what}.",
        Specs = specs,
        Applicability = Redirecting,
        Remediation = Exact,
        Run = c => RefusedWithoutRedirectAsync(c, tamper, what),
        Threats = Threats,
    });

    /// <summary>
    /// Sends the request with the tampered redirect_uri. First one GET without following anything: a redirect off
    /// the issuer is judged from its Location alone (never visited), an error status is the refusal. Otherwise (a
    /// login page, or a page on the way to one) the user signs in, with the user agent stopping at the tampered URI.
    /// </summary>
    private static async Task RefusedWithoutRedirectAsync(CheckContext c, Func<Uri, string?> tamper, string what)
    {
        c.RequireMetadata("response_types_supported", "code");
        var client = Pick.RedirectingClient(c, true, "web", "spa", "web2", "native");
        var registered = client.RedirectUri!;
        var text = tamper(registered);
        c.Require(text is not null && Uri.TryCreate(text, UriKind.Absolute, out _), $"the redirect URI {registered} cannot be altered this way");
        var tampered = new Uri(text!);
        var request = c.OAuth(client).AuthorizationRequest().WithPkce(CodeVerifier.New()) with { RedirectUri = tampered };

        using (var first = await RawHttp.GetAsync(c, request.ToUri()).ConfigureAwait(false))
        {
            var status = (int)first.StatusCode;
            var location = RawHttp.Header(first, "Location");
            // Only a redirect to the client (the tampered URI, or the registered one with an error) is judged here;
            // a redirect to a login page, on this host or another, leads to the signed-in run below.
            if (status is >= 300 and < 400 && location is not null && (Reaches(location, text!) || Reaches(location, registered.OriginalString)))
            {
                var reached = Reaches(location, text!);
                var code = CarriesGrant(location);
                c.Expect(!reached && !code, $"an error page and no redirect to {text}",
                    $"HTTP {status} redirect to {(reached ? text : "the registered redirect URI")}" + (code ? " with a code" : ""));
                c.Note($"for {what} the server redirected to the registered redirect URI, without a code");
                return;
            }

            if (status >= 400)
            {
                await RawBaselineAsync(c, client).ConfigureAwait(false);
                c.Note($"refused {what} ({text}) with HTTP {status} and no redirect");
                return;
            }
        }

        Authorization authorization;
        try
        {
            authorization = await Steps.AuthorizeAsync(c, client, change: r => r with { RedirectUri = tampered }).ConfigureAwait(false);
        }
        catch (LoginFailedException e)
        {
            var baseline = await Steps.AuthorizeAsync(c, client).ConfigureAwait(false);
            c.Precondition(baseline.Response is { IsError: false, Code: not null }, $"the honest request did not succeed either: {Steps.Describe(baseline.Response)}");
            c.Note($"refused {what} ({text}) without redirecting: {e.Message}");
            return;
        }

        var response = authorization.Response;
        var arrived = RawHttp.Exchanges(c).Select(e => RawHttp.Header(e, "Location")).Any(l => l is not null && Reaches(l, text!));
        var issued = response.Code is not null || response.IdToken is not null || response.AccessToken is not null;
        c.Expect(!arrived && !issued, $"an error page and no redirect to {text}",
            arrived ? $"redirected to {text} with {Steps.Describe(response)}" : $"{Steps.Describe(response)} for {text}");
    }

    /// <summary>The honest request is not refused outright: the error status above answered the tampered redirect URI.</summary>
    private static async Task RawBaselineAsync(CheckContext c, ClientProfile client)
    {
        var honest = c.OAuth(client).AuthorizationRequest().WithPkce(CodeVerifier.New());
        using var response = await RawHttp.GetAsync(c, honest.ToUri()).ConfigureAwait(false);
        c.Precondition((int)response.StatusCode < 400, $"the honest authorization request was refused too, with HTTP {(int)response.StatusCode}");
    }

    /// <summary>
    /// The raw Location goes to the tampered URI itself, compared as strings (the variants differ from the registered
    /// URI in case, user-info or encoding, which <see cref="Uri"/> would normalise away): the part before the response
    /// parameters is the tampered URI's, byte for byte, and a fragment the tampered URI has is kept.
    /// </summary>
    private static bool Reaches(string location, string tampered) =>
        string.Equals(Base(location), Base(tampered), StringComparison.Ordinal)
        && (tampered.IndexOf('#') is not (var hash and >= 0) || location.Contains(tampered[hash..], StringComparison.Ordinal));

    /// <summary>A code or token in the redirect's query or fragment (either may carry the response).</summary>
    private static bool CarriesGrant(string location) =>
        Uri.TryCreate(location, UriKind.Absolute, out var uri)
        && new[] { uri.Query.TrimStart('?'), uri.Fragment.TrimStart('#') }.Select(AuthorizationResponse.ParseForm)
            .Any(p => p.ContainsKey("code") || p.ContainsKey("access_token") || p.ContainsKey("id_token"));

    /// <summary>The URI before its query and fragment.</summary>
    private static string Base(string uri) => uri.IndexOfAny(['?', '#']) is var cut and >= 0 ? uri[..cut] : uri;

    private static string Rebuild(Uri uri, string? authority = null, string? path = null) =>
        $"{uri.Scheme}://{authority ?? uri.Authority}{path ?? uri.AbsolutePath}{uri.Query}";

    private static string Authority(Uri uri, string? host = null, int? port = null)
    {
        var h = host ?? uri.Host;
        var p = port ?? uri.Port;
        return port is null && uri.IsDefaultPort ? h : $"{h}:{p}";
    }
}
