using System.Globalization;
using System.Text.RegularExpressions;
using System.Web;

namespace Conformance.Harness.Http;

/// <summary>
/// At most <paramref name="Limit"/> requests per <paramref name="Window"/> to the paths that match
/// <paramref name="Path"/> (a glob over the URL path: <c>*</c> is any run of characters), counted per value of
/// the query parameter <paramref name="Per"/> when one is named (Okta counts /authorize per client_id).
/// </summary>
public sealed record PaceRule(string Path, int Limit, TimeSpan Window, string? Per = null)
{
    private Regex? pattern;

    public bool Matches(Uri url) =>
        (pattern ??= new Regex("^" + Regex.Escape(Path).Replace("\\*", ".*", StringComparison.Ordinal) + "$", RegexOptions.CultureInvariant))
        .IsMatch(url.AbsolutePath);

    /// <summary>The bucket a request counts against: the rule, and the value of its Per parameter.</summary>
    public string Key(Uri url) =>
        Per is null ? Path : $"{Path}?{Per}={HttpUtility.ParseQueryString(url.Query)[Per]}";

    public override string ToString() =>
        $"{Path}: {Limit} per {Window.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s{(Per is null ? "" : " per " + Per)}";
}

/// <summary>
/// A sliding-window log with reservations: each caller is told how long to wait so that no window of the given
/// length ever holds more than the limit. Time comes from the caller, so it can be tested without waiting.
/// </summary>
public sealed class SlidingWindow(int limit, TimeSpan window)
{
    private readonly Queue<DateTimeOffset> starts = new();
    private readonly Lock gate = new();

    /// <summary>
    /// Reserves the earliest start at or after <paramref name="now"/> (and <paramref name="notBefore"/>, when the
    /// request is held for another reason too) and returns the wait from <paramref name="now"/> until it.
    /// </summary>
    public TimeSpan Reserve(DateTimeOffset now, DateTimeOffset? notBefore = null)
    {
        lock (gate)
        {
            while (starts.Count > 0 && starts.Peek() <= now - window)
            {
                starts.Dequeue();
            }

            // Reserved starts are in order, so the one `limit` back from the end bounds the next.
            var at = starts.Count < limit ? now : starts.ElementAt(starts.Count - limit) + window;
            if (at < now)
            {
                at = now;
            }

            if (notBefore > at)
            {
                at = notBefore.Value;
            }

            // First come, first served: never before an earlier reservation, so the log stays in order.
            if (starts.Count > 0 && starts.Last() > at)
            {
                at = starts.Last();
            }

            starts.Enqueue(at);
            return at - now;
        }
    }
}

/// <summary>
/// Keeps the run inside the target's rate limits instead of running into them: the profile's pace rules
/// (Okta: /authorize per client, /token and /api/v1/authn per user), and an early slow-down whenever a
/// response says its window is nearly spent (X-Rate-Limit-Remaining), held until X-Rate-Limit-Reset measured
/// against the response's Date. 429s that still happen are the <see cref="RateLimitHandler"/>'s to handle.
/// </summary>
public sealed class RequestPacer(IReadOnlyList<PaceRule> rules, TimeProvider? clock = null, TimeSpan? maxHold = null) : DelegatingHandler
{
    private readonly TimeProvider clock = clock ?? TimeProvider.System;
    private readonly TimeSpan maxHold = maxHold ?? TimeSpan.FromSeconds(30);
    private readonly Dictionary<string, SlidingWindow> windows = [];
    private readonly Dictionary<string, DateTimeOffset> heldUntil = [];
    private readonly Lock gate = new();

    /// <summary>Total time requests spent waiting here, for the run's report of what pacing cost.</summary>
    public TimeSpan Waited => TimeSpan.FromTicks(Interlocked.Read(ref waitedTicks));

    private long waitedTicks;

    private static readonly AsyncLocal<Action<TimeSpan>?> WaitObserver = new();

    /// <summary>
    /// Tells the calling flow (a check with a deadline) each time one of its requests is held, so a hold to
    /// respect the target's limits is not counted against its deadline. Dispose to stop observing.
    /// </summary>
    public static IDisposable ObserveWaits(Action<TimeSpan> observer)
    {
        var previous = WaitObserver.Value;
        WaitObserver.Value = observer;
        return new Restore(previous);
    }

    private sealed class Restore(Action<TimeSpan>? previous) : IDisposable
    {
        public void Dispose() => WaitObserver.Value = previous;
    }

    /// <summary>How long the headers say to hold further requests to that path; null when the window is not nearly spent.</summary>
    public static TimeSpan? HoldFor(HttpResponseMessage response)
    {
        if (Header(response, "X-Rate-Limit-Limit") is not { } limit || Header(response, "X-Rate-Limit-Remaining") is not { } remaining
            || Header(response, "X-Rate-Limit-Reset") is not { } reset)
        {
            return null;
        }

        // Limit 0 is Okta's concurrency mode, where the reset is "only a suggested value": nothing to pace by.
        if (limit <= 0 || remaining > Math.Max(1, limit / 20))
        {
            return null;
        }

        var now = response.Headers.Date ?? DateTimeOffset.UtcNow;
        var wait = DateTimeOffset.FromUnixTimeSeconds(reset) - now;
        return (wait < TimeSpan.Zero ? TimeSpan.Zero : wait) + TimeSpan.FromSeconds(1);
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var url = request.RequestUri!;
        var path = url.GetLeftPart(UriPartial.Path);
        var wait = TimeSpan.Zero;
        lock (gate)
        {
            var now = clock.GetUtcNow();
            if (heldUntil.TryGetValue(path, out var until) && until > now)
            {
                wait = until - now;
            }

            foreach (var rule in rules.Where(r => r.Matches(url)))
            {
                var key = rule.Key(url);
                if (!windows.TryGetValue(key, out var window))
                {
                    windows[key] = window = new SlidingWindow(rule.Limit, rule.Window);
                }

                wait = window.Reserve(now, now + wait);
            }
        }

        if (wait > TimeSpan.Zero)
        {
            Interlocked.Add(ref waitedTicks, wait.Ticks);
            WaitObserver.Value?.Invoke(wait);
            await Task.Delay(wait, clock, cancellationToken).ConfigureAwait(false);
        }

        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (HoldFor(response) is { } hold && hold <= maxHold)
        {
            lock (gate)
            {
                var until = clock.GetUtcNow() + hold;
                if (!heldUntil.TryGetValue(path, out var current) || current < until)
                {
                    heldUntil[path] = until;
                }
            }
        }

        return response;
    }

    private static long? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values)
            ? values.Select(v => long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : (long?)null).Where(n => n is not null).Min()
            : null;
}
