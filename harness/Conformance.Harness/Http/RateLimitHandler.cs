using System.Net;

namespace Conformance.Harness.Http;

/// <summary>The target kept answering 429: the check learned nothing about the rule, so it is inconclusive.</summary>
public sealed class RateLimitedException(string message) : IssuerUnreachableException(message);

/// <summary>
/// Waits out HTTP 429 the way Okta documents it: until X-Rate-Limit-Reset measured against the response's own
/// Date (the local clock may disagree with the server's), else Retry-After, plus one second; a bounded number
/// of times. Requests marked one-time (code redemption, a rotating refresh token, a session token) are never
/// replayed: their outcome must be observed exactly once.
/// </summary>
public sealed class RateLimitHandler(int maxRetries = 3, TimeSpan? maxWait = null) : DelegatingHandler
{
    public static readonly HttpRequestOptionsKey<bool> OneTime = new("conformance.one-time");

    private readonly TimeSpan maxWait = maxWait ?? TimeSpan.FromSeconds(30);

    /// <summary>How long to wait before retrying a 429, from its headers; null when they say nothing usable.</summary>
    public static TimeSpan? WaitFor(HttpResponseMessage response) =>
        RateLimitHeaders.UntilReset(response)
        ?? (response.Headers.RetryAfter is { Delta: { } delta } ? delta + TimeSpan.FromSeconds(1) : (TimeSpan?)null)
        ?? (response.Headers.RetryAfter is { Date: { } date } ? RateLimitHeaders.UntilServerTime(response, date) : (TimeSpan?)null);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var oneTime = request.Options.TryGetValue(OneTime, out var flag) && flag;
        var content = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var attempt = request;
        for (var retry = 0; ; retry++)
        {
            var response = await base.SendAsync(attempt, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.TooManyRequests)
            {
                return response;
            }

            var where = $"{request.Method} {request.RequestUri?.GetLeftPart(UriPartial.Path)}";
            if (oneTime)
            {
                response.Dispose();
                throw new RateLimitedException($"rate limited (HTTP 429) on a one-time step, {where}; not replayed");
            }

            var wait = WaitFor(response) ?? TimeSpan.FromSeconds(1 << retry);
            response.Dispose();
            if (retry >= maxRetries || wait > maxWait)
            {
                throw new RateLimitedException(retry >= maxRetries
                    ? $"rate limited (HTTP 429) {retry + 1} times at {where}"
                    : $"rate limited (HTTP 429) at {where}; the server asks for {wait.TotalSeconds:0} s, more than the {maxWait.TotalSeconds:0} s the harness waits");
            }

            await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            attempt = Clone(request, content);
        }
    }

    private static HttpRequestMessage Clone(HttpRequestMessage request, byte[]? content)
    {
        var clone = new HttpRequestMessage(request.Method, request.RequestUri) { Version = request.Version };
        foreach (var header in request.Headers)
        {
            clone.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        if (content is not null)
        {
            clone.Content = new ByteArrayContent(content);
            foreach (var header in request.Content!.Headers)
            {
                clone.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        foreach (var option in request.Options)
        {
            clone.Options.TryAdd(option.Key, option.Value);
        }

        return clone;
    }
}
