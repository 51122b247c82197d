using System.Globalization;

namespace Conformance.Harness.Http;

/// <summary>
/// Okta's X-Rate-Limit-* headers, read the way its own SDK reads them: the smallest value when a header repeats,
/// and a reset measured against the response's own Date (the local clock may disagree with the server's), plus
/// one second of margin.
/// </summary>
internal static class RateLimitHeaders
{
    public static long? Value(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values)
            ? values.Select(v => long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : (long?)null).Where(n => n is not null).Min()
            : null;

    /// <summary>The wait until X-Rate-Limit-Reset; null when the response has none.</summary>
    public static TimeSpan? UntilReset(HttpResponseMessage response) =>
        Value(response, "X-Rate-Limit-Reset") is { } reset ? UntilServerTime(response, DateTimeOffset.FromUnixTimeSeconds(reset)) : null;

    /// <summary>The wait until a moment on the server's clock, never negative, plus the margin.</summary>
    public static TimeSpan UntilServerTime(HttpResponseMessage response, DateTimeOffset moment)
    {
        var wait = moment - (response.Headers.Date ?? DateTimeOffset.UtcNow);
        return (wait < TimeSpan.Zero ? TimeSpan.Zero : wait) + TimeSpan.FromSeconds(1);
    }
}
