using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Conformance.Harness.Checks;
using Conformance.Harness.Http;
using Conformance.Harness.Protocol;
using Conformance.Harness.Target;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Conformance.Checks;

/// <summary>An answer to a request built by hand: status, headers and the body, parsed as JSON when it is.</summary>
public sealed class RawResponse
{
    internal RawResponse(HttpResponseMessage response, string body)
    {
        Status = response.StatusCode;
        ContentType = response.Content.Headers.ContentType?.MediaType;
        Body = body;
        headers = response.Headers.Concat(response.Content.Headers)
            .Select(h => new KeyValuePair<string, string>(h.Key, string.Join(", ", h.Value)))
            .ToList();
        Json = JsonBody.Object(body);
    }

    private readonly List<KeyValuePair<string, string>> headers;

    public HttpStatusCode Status { get; }

    public string? ContentType { get; }

    public string Body { get; }

    /// <summary>The body, when it was a JSON object.</summary>
    public JsonElement? Json { get; }

    public string? Header(string name) =>
        headers.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).FirstOrDefault();

    public string? String(string name) =>
        Json is { } j && j.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public string? Error => String("error");

    public bool HasAccessToken => String("access_token") is not null;

    public override string ToString()
    {
        var text = $"HTTP {(int)Status}";
        if (HasAccessToken)
        {
            return text + " with an access_token";
        }

        if (Error is not null)
        {
            text += $", error '{Error}'";
        }

        if (Json is { } j && j.TryGetProperty("active", out var active))
        {
            text += $", active {active.GetRawText()}";
        }

        return text;
    }
}

/// <summary>
/// Helpers for back-channel checks: requests built by hand (two authentication methods, a secret in the query,
/// no authentication at all), and the honest steps against a server other than the one under test (isolation).
/// </summary>
public static class BackChannel
{
    /// <summary>POSTs a form, with an optional Authorization header value and query string. Never retried when <paramref name="oneTime"/>.</summary>
    public static async Task<RawResponse> PostFormAsync(
        CheckContext c,
        Uri endpoint,
        IEnumerable<KeyValuePair<string, string>> form,
        string? authorization = null,
        IEnumerable<KeyValuePair<string, string>>? query = null,
        bool oneTime = false)
    {
        var uri = WithQuery(endpoint, query);
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        if (oneTime)
        {
            request.Options.Set(RateLimitHandler.OneTime, true);
        }

        return await SendAsync(c, request, $"POST {endpoint}").ConfigureAwait(false);
    }

    /// <summary>GETs a URL with an optional Authorization header value and query string.</summary>
    public static async Task<RawResponse> GetAsync(CheckContext c, Uri endpoint, string? authorization = null, IEnumerable<KeyValuePair<string, string>>? query = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, WithQuery(endpoint, query));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        return await SendAsync(c, request, $"GET {endpoint}").ConfigureAwait(false);
    }

    /// <summary>RFC 6749 §2.3.1 client_secret_basic: id and secret form-urlencoded, then Base64.</summary>
    public static string Basic(ClientProfile client, string? secret = null)
    {
        var value = secret ?? client.Secret?.Reveal() ?? throw new InvalidOperationException($"client '{client.Role}' has no secret in the profile");
        var pair = $"{Uri.EscapeDataString(client.ClientId)}:{Uri.EscapeDataString(value)}";
        return "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(pair));
    }

    /// <summary>The same client with a secret that is certainly wrong.</summary>
    public static ClientProfile WithWrongSecret(ClientProfile client) =>
        client with { Secret = new Secret("a deliberately wrong secret", "wrong-" + Conformance.Harness.Protocol.Random.Token(12)) };

    /// <summary>A value no server issued.</summary>
    public static string GarbageToken() => "conformance-garbage-" + Conformance.Harness.Protocol.Random.Token(24);

    /// <summary>A confidential client of the profile for the server under test (web, web2, password, service), or not applicable.</summary>
    public static ClientProfile ConfidentialClient(CheckContext c)
    {
        foreach (var role in new[] { "web", "web2", "password", "service" })
        {
            if (c.Profile.Client(role) is { IsConfidential: true } client && client.ServesServer(c.Server.Name))
            {
                return client;
            }
        }

        throw new NotApplicableException($"the target profile has no confidential client for server '{c.Server.Name}'");
    }

    /// <summary>A scope the service client may ask for at this server (its profile scopes that the server knows), or null.</summary>
    public static string? ServiceScope(AuthorizationServer server, ClientProfile service)
    {
        var known = server.Profile.Scopes.Concat(server.Metadata.ScopesSupported).ToHashSet(StringComparer.Ordinal);
        return service.Scopes.FirstOrDefault(known.Contains);
    }

    /// <summary>
    /// A grant that the token endpoint honours when the client authenticates correctly, as a form without any
    /// client authentication: client_credentials for the service client when it applies, otherwise a fresh
    /// authorization code of the web client. The caller adds the authentication it wants to test.
    /// </summary>
    public static async Task<(ClientProfile Client, List<KeyValuePair<string, string>> Form)> LiveGrantAsync(CheckContext c)
    {
        if (c.Profile.Client("service") is { IsConfidential: true } service && service.ServesServer(c.Server.Name)
            && Offering.MayOffer(c.Server, c.Profile, "client_credentials") && ServiceScope(c.Server, service) is { } scope)
        {
            var honest = await c.OAuth(service).ClientCredentialsAsync(scope, ct: c.Cancellation).ConfigureAwait(false);
            if (honest.IsSuccess)
            {
                return (service, [new("grant_type", "client_credentials"), new("scope", scope)]);
            }

            c.Note($"the service client's honest client_credentials grant failed ({honest}); using the code flow instead");
        }

        var web = c.Client("web");
        c.Require(web.IsConfidential, "the 'web' client of the profile has no secret");
        var authorization = await Steps.CodeAsync(c, web).ConfigureAwait(false);
        var form = new List<KeyValuePair<string, string>>
        {
            new("grant_type", "authorization_code"),
            new("code", authorization.Code),
            new("redirect_uri", authorization.Request.RedirectUri.OriginalString),
        };
        if (authorization.Verifier is not null)
        {
            form.Add(new("code_verifier", authorization.Verifier.Value));
        }

        return (web, form);
    }

    /// <summary>User tokens from the web client's code flow (PKCE as well, which a confidential client may use).</summary>
    public static async Task<(ClientProfile Client, Authorization Authorization, TokenResponse Tokens)> UserTokensAsync(CheckContext c, string scope = "openid")
    {
        var client = c.Client("web");
        var authorization = await Steps.CodeAsync(c, client, scope).ConfigureAwait(false);
        var tokens = await Steps.RedeemAsync(c, client, authorization).ConfigureAwait(false);
        return (client, authorization, tokens);
    }

    /// <summary>The decoded JWT, or null when the value is not a compact JWS.</summary>
    public static JsonWebToken? Jwt(string? token)
    {
        if (token is null || token.Count(ch => ch == '.') != 2)
        {
            return null;
        }

        try
        {
            return new JsonWebToken(token);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// What a token response granted, and how the harness knows: its scope member; else the access token's own
    /// scope (a JWT's scope or scp claim, or introspection); else the request, which RFC 6749 §5.1 says an absent
    /// scope member means. A server that leaves scope out although it granted less is then judged by what it issued.
    /// </summary>
    public static async Task<(HashSet<string> Scopes, string Source)> GrantedScopesAsync(CheckContext c, OAuthClient oauth, TokenResponse tokens, string requested)
    {
        if (tokens.Scope is not null)
        {
            return (Scopes(tokens.Scope), $"the token response's scope '{tokens.Scope}'");
        }

        if (Jwt(tokens.AccessToken) is { } jwt && (jwt.TryGetPayloadValue<string>("scope", out _) || jwt.TryGetPayloadValue<string[]>("scp", out _)))
        {
            var claimed = jwt.TryGetPayloadValue<string>("scope", out var text) ? Scopes(text) : jwt.GetPayloadValue<string[]>("scp").ToHashSet(StringComparer.Ordinal);
            return (claimed, $"no scope member; the JWT access token's scope claim [{string.Join(" ", claimed)}]");
        }

        if (c.Server.Metadata.IntrospectionEndpoint is not null && oauth.Client.IsConfidential && tokens.AccessToken is not null)
        {
            var introspection = await oauth.IntrospectAsync(tokens.AccessToken, "access_token", ct: c.Cancellation).ConfigureAwait(false);
            if (introspection.Active == true && introspection.String("scope") is { } introspected)
            {
                return (Scopes(introspected), $"no scope member; introspection says scope '{introspected}'");
            }
        }

        return (Scopes(requested), $"no scope member, which means the requested scope '{requested}' (RFC 6749 §5.1)");
    }

    /// <summary>Whether an access token still works: introspection when offered, else the userinfo endpoint; not applicable without either.</summary>
    public static async Task<(bool Live, string Observed)> AccessTokenLiveAsync(CheckContext c, OAuthClient oauth, string accessToken)
    {
        var observed = "";
        if (oauth.Server.Metadata.IntrospectionEndpoint is not null)
        {
            var introspection = await oauth.IntrospectAsync(accessToken, "access_token", ct: c.Cancellation).ConfigureAwait(false);
            if (introspection.Active is { } active)
            {
                return (active, $"introspection: {introspection}");
            }

            // An introspection endpoint may decline a token type (e.g. 400 unsupported_token_type for its own
            // JWT access tokens): that says nothing about the token, so userinfo decides.
            observed = $"introspection: {introspection}; ";
        }

        c.Require(oauth.Server.Metadata.UserinfoEndpoint is not null, $"server '{oauth.Server.Name}' has no introspection answer and no userinfo_endpoint to tell a live access token ({observed.TrimEnd(' ', ';')})");
        var userInfo = await oauth.UserInfoAsync(accessToken, c.Cancellation).ConfigureAwait(false);
        return (userInfo.Status == HttpStatusCode.OK, $"{observed}userinfo: {userInfo}");
    }

    /// <summary>The space-separated scope values of a string.</summary>
    public static HashSet<string> Scopes(string? scope) =>
        (scope ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);

    // ----- several servers (per-target checks) -----

    /// <summary>The servers of the target that discovery reached.</summary>
    public static List<AuthorizationServer> AvailableServers(CheckContext c) =>
        c.Target.Servers.Where(s => s.Unavailable is null).ToList();

    /// <summary>Servers that are available and served by the client of <paramref name="role"/>; not applicable below two.</summary>
    public static List<(AuthorizationServer Server, ClientProfile Client)> ServersWith(CheckContext c, string role, Func<AuthorizationServer, bool>? filter = null)
    {
        var available = AvailableServers(c);
        c.Require(available.Count >= 2, $"the target has {available.Count} reachable authorization server(s); isolation needs two");
        var client = c.Profile.Client(role);
        c.Require(client is not null, $"the target profile has no '{role}' client");
        var servers = available.Where(s => client!.ServesServer(s.Name) && (filter?.Invoke(s) ?? true)).Select(s => (s, client!)).ToList();
        c.Require(servers.Count >= 2, $"fewer than two reachable servers are served by the '{role}' client");
        return servers;
    }

    /// <summary>Every ordered pair (A, B) with A ≠ B.</summary>
    public static IEnumerable<(T A, T B)> Pairs<T>(IReadOnlyList<T> items) =>
        from a in items.Select((x, i) => (x, i))
        from b in items.Select((x, i) => (x, i))
        where a.i != b.i
        select (a.x, b.x);

    /// <summary>The honest code flow at a given server (not necessarily the one under test); null with the reason when it did not work.</summary>
    public static async Task<(Authorization? Authorization, string? Failure)> CodeOnAsync(CheckContext c, AuthorizationServer server, ClientProfile client, string scope = "openid")
    {
        if (!server.Metadata.ResponseTypesSupported.Contains("code"))
        {
            return (null, $"server '{server.Name}' does not list 'code' in response_types_supported");
        }

        var oauth = c.OAuth(client, server);
        var verifier = CodeVerifier.New();
        var request = oauth.AuthorizationRequest(scope).WithPkce(verifier);
        await using var agent = c.LoginDriver.NewUserAgent();
        var response = await agent.AuthorizeAsync(request, c.User, c.Cancellation).ConfigureAwait(false);
        return response is { IsError: false, Code: not null }
            ? (new Authorization(request, verifier, response), null)
            : (null, $"the honest authorization request at '{server.Name}' got no code: {Steps.Describe(response)}");
    }

    /// <summary>The honest code flow and redemption at a given server; null with the reason when it did not work.</summary>
    public static async Task<(TokenResponse? Tokens, string? Failure)> TokensOnAsync(CheckContext c, AuthorizationServer server, ClientProfile client, string scope = "openid")
    {
        var (authorization, failure) = await CodeOnAsync(c, server, client, scope).ConfigureAwait(false);
        if (authorization is null)
        {
            return (null, failure);
        }

        var tokens = await c.OAuth(client, server).RedeemCodeAsync(authorization.Code, authorization.Request.RedirectUri, authorization.Verifier, ct: c.Cancellation).ConfigureAwait(false);
        return tokens.IsSuccess ? (tokens, null) : (null, $"the honest code redemption at '{server.Name}' failed: {tokens}");
    }

    /// <summary>
    /// Ends a check over several pairs: fails with every violation found, is inconclusive when some pair could not
    /// be tested and none failed, passes otherwise.
    /// </summary>
    public static void Conclude(CheckContext c, string expected, List<string> violations, List<string> untested)
    {
        foreach (var u in untested)
        {
            c.Note("not tested: " + u);
        }

        c.Expect(violations.Count == 0, expected, string.Join("; ", violations));
        c.Precondition(untested.Count == 0, string.Join("; ", untested));
    }

    private static Uri WithQuery(Uri endpoint, IEnumerable<KeyValuePair<string, string>>? query)
    {
        if (query is null)
        {
            return endpoint;
        }

        var builder = new UriBuilder(endpoint);
        var added = string.Join('&', query.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
        builder.Query = string.IsNullOrEmpty(builder.Query) ? added : builder.Query.TrimStart('?') + "&" + added;
        return builder.Uri;
    }

    private static async Task<RawResponse> SendAsync(CheckContext c, HttpRequestMessage request, string what)
    {
        try
        {
            using var response = await c.Target.Http.Client.SendAsync(request, c.Cancellation).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(c.Cancellation).ConfigureAwait(false);
            var raw = new RawResponse(response, body);
            c.Target.Http.Redactor.AddArtefact(raw.String("access_token"));
            c.Target.Http.Redactor.AddArtefact(raw.String("refresh_token"));
            return raw;
        }
        catch (Exception e) when (TransportFailure.Is(e, c.Cancellation))
        {
            throw TransportFailure.Unreachable(what, e, c.Target.Http.Timeout);
        }
    }
}
