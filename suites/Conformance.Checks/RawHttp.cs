using Conformance.Harness.Checks;
using Conformance.Harness.Http;

namespace Conformance.Checks;

/// <summary>
/// Raw HTTP for checks whose observable is a header, a status or a redirect rather than a protocol answer, and the
/// lookups of what this check recorded: requests go through the harness's recording client (no redirects, no
/// cookies). JSON bodies are read by the harness's one reader, <see cref="Harness.Protocol.JsonBody"/>.
/// </summary>
internal static class RawHttp
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
}
