using System.Text.Json;
using Conformance.Harness.Checks;
using Conformance.Harness.Http;
using Conformance.Harness.Protocol;
using Conformance.Harness.Target;

namespace Conformance.Checks;

/// <summary>
/// Raw HTTP probes and evidence lookups for checks whose observable is a header, a status or a redirect rather
/// than a protocol answer: requests go through the harness's recording client (no redirects, no cookies).
/// </summary>
internal static class Probes
{
    /// <summary>Sends one request through the recording client; transport failures make the check inconclusive.</summary>
    public static async Task<HttpResponseMessage> SendAsync(CheckContext c, HttpRequestMessage request, bool oneTime = false)
    {
        if (oneTime)
        {
            request.Options.Set(RateLimitHandler.OneTime, true);
        }

        var what = $"{request.Method} {c.Target.Http.Redactor.Url(request.RequestUri)}";
        try
        {
            return await c.Target.Http.Client.SendAsync(request, c.Cancellation).ConfigureAwait(false);
        }
        catch (Exception e) when (TransportFailure.Is(e, c.Cancellation))
        {
            throw TransportFailure.Unreachable(what, e, c.Target.Http.Timeout);
        }
    }

    public static Task<HttpResponseMessage> GetAsync(CheckContext c, Uri uri, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, uri);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return SendAsync(c, request);
    }

    /// <summary>All values of a response header (message or content headers), comma-joined; null when absent.</summary>
    public static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values)
        : response.Content.Headers.TryGetValues(name, out var contentValues) ? string.Join(", ", contentValues)
        : null;

    /// <summary>The exchanges this check has made so far (its evidence scope), in order.</summary>
    public static IReadOnlyList<HttpExchange> Exchanges(CheckContext c) => c.Target.Http.Recorder.CurrentScope?.Exchanges ?? [];

    /// <summary>All values of a recorded response header, comma-joined; null when absent.</summary>
    public static string? Header(HttpExchange exchange, string name)
    {
        var values = exchange.ResponseHeaders.Where(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).ToList();
        return values.Count == 0 ? null : string.Join(", ", values);
    }

    /// <summary>The recorded Location of a redirect, resolved against the request URL.</summary>
    public static Uri? Location(HttpExchange exchange) =>
        Header(exchange, "Location") is { } location && Uri.TryCreate(exchange.Url, UriKind.Absolute, out var from) && Uri.TryCreate(from, location, out var to) ? to : null;

    public static JsonElement? Json(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static string? String(JsonElement? json, string name) =>
        json is { ValueKind: JsonValueKind.Object } j && j.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>
    /// The first client of the given roles that serves this server and has a redirect URI (optionally an http(s) one);
    /// not applicable when the profile has none.
    /// </summary>
    public static ClientProfile RedirectingClient(CheckContext c, bool web, params string[] roles)
    {
        var client = roles.Select(r => c.Profile.Client(r))
            .FirstOrDefault(p => p is { RedirectUri: { } uri } && p.ServesServer(c.Server.Name) && (!web || uri.Scheme is "https" or "http"));
        c.Require(client is not null, $"the target profile has no {string.Join(" or ", roles.Select(r => $"'{r}'"))} client with {(web ? "an http(s) " : "a ")}redirectUri for server '{c.Server.Name}'");
        return client!;
    }

    /// <summary>A user other than <see cref="CheckContext.User"/> when the profile has one, so probes that may throttle an account spare the main test user.</summary>
    public static UserProfile SpareUser(CheckContext c, Func<UserProfile, bool>? suitable = null) =>
        c.Profile.Users.Where(u => suitable?.Invoke(u) ?? true).OrderBy(u => u == c.User ? 1 : 0).FirstOrDefault()
        ?? throw new NotApplicableException("the target profile has no suitable test user");

    /// <summary>"scheme://authority" + path + query + fragment, exactly as given (no normalisation of the path's case).</summary>
    public static Uri Compose(Uri template, string? host = null, string? path = null, string? query = null)
    {
        var authority = host is null ? template.Authority : template.IsDefaultPort ? host : $"{host}:{template.Port}";
        var text = $"{template.Scheme}://{authority}{path ?? template.AbsolutePath}{query ?? template.Query}";
        return new Uri(text);
    }

    /// <summary>Flips one character in the middle of a JWS signature, so the token is well formed but its signature is wrong.</summary>
    public static string TamperSignature(string jws)
    {
        var dot = jws.LastIndexOf('.');
        if (dot < 0 || dot == jws.Length - 1)
        {
            return jws + "x";
        }

        var signature = jws[(dot + 1)..].ToCharArray();
        var i = signature.Length / 2;
        signature[i] = signature[i] == 'A' ? 'B' : 'A';
        return jws[..(dot + 1)] + new string(signature);
    }
}
