using System.Globalization;
using System.Web;

namespace Conformance.Harness.Http;

/// <summary>
/// At most <paramref name="Limit"/> requests per <paramref name="Window"/> to the paths that match
/// <paramref name="Path"/> (a glob over the URL path: <c>*</c> is any run of characters), counted apart per
/// <paramref name="Per"/> when it is given: <c>user</c> (Okta counts /token and /api/v1/authn per user),
/// <c>client</c> (Okta counts /authorize per client_id, which a token request carries in its form or HTTP Basic),
/// or any other name, a query parameter (<c>client_id</c> as before). Requests that name none share one bucket.
/// </summary>
public sealed record PaceRule(string Path, int Limit, TimeSpan Window, string? Per = null)
{
    /// <summary>Per value: count each user apart (see <see cref="PaceIdentity"/>).</summary>
    public const string PerUser = "user";

    /// <summary>Per value: count each client apart, wherever the request names its client_id.</summary>
    public const string PerClient = "client";

    // No cached state in the record: a rule is its data, and two equal rules compare equal.
    public bool Matches(Uri url)
    {
        var text = url.AbsolutePath;
        var parts = Path.Split('*');
        if (parts.Length == 1)
        {
            return text == Path;
        }

        if (!text.StartsWith(parts[0], StringComparison.Ordinal))
        {
            return false;
        }

        var at = parts[0].Length;
        foreach (var middle in parts[1..^1])
        {
            var found = text.IndexOf(middle, at, StringComparison.Ordinal);
            if (found < 0)
            {
                return false;
            }

            at = found + middle.Length;
        }

        return text.Length - at >= parts[^1].Length && text.EndsWith(parts[^1], StringComparison.Ordinal);
    }

    /// <summary>Whether the bucket depends on who the request is for rather than on its URL alone.</summary>
    public bool NeedsIdentity => Per is PerUser or PerClient;

    /// <summary>The bucket a request counts against: the rule, and the user, client or query parameter it counts per.</summary>
    public string Key(Uri url, PaceIdentity? identity = null) => Per switch
    {
        null => Path,
        PerUser => $"{Path} user={identity?.User}",
        PerClient => $"{Path} client={identity?.Client ?? HttpUtility.ParseQueryString(url.Query)["client_id"]}",
        _ => $"{Path}?{Per}={HttpUtility.ParseQueryString(url.Query)[Per]}",
    };

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
            // After the dequeue every start is within the window, so this is never earlier than now.
            var at = starts.Count < limit ? now : starts.ElementAt(starts.Count - limit) + window;
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
/// (Okta: /authorize per client, /token and /api/v1/authn per user, each told apart by <see cref="PaceIdentity"/>), and an early slow-down whenever a
/// response says its window is nearly spent (X-Rate-Limit-Remaining), held until X-Rate-Limit-Reset measured
/// against the response's Date. 429s that still happen are the <see cref="RateLimitHandler"/>'s to handle.
/// </summary>
public sealed class RequestPacer(IReadOnlyList<PaceRule> rules) : DelegatingHandler
{
    /// <summary>A longer hold is not taken: the request goes, and a 429 is the RateLimitHandler's to wait out.</summary>
    private static readonly TimeSpan MaxHold = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Added to every window: a request is reserved here a few milliseconds before the target counts it, and a target
    /// counting fixed windows (Okta's per-second /token limit) can then see one more in its second than the rule
    /// allows: measured, a refresh refused 429 at the edge of a one-second window. Nothing against per-minute windows.
    /// </summary>
    internal static readonly TimeSpan ArrivalMargin = TimeSpan.FromMilliseconds(50);
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

    /// <summary>
    /// Tells the calling flow's observer of a wait that respects a limit of the target other than a request rate
    /// (a one-time code good once, a new one each 30-second step): it is not counted against the check's deadline.
    /// </summary>
    public static void NoteWait(TimeSpan wait) => WaitObserver.Value?.Invoke(wait);

    private sealed class Restore(Action<TimeSpan>? previous) : IDisposable
    {
        public void Dispose() => WaitObserver.Value = previous;
    }

    /// <summary>How long the headers say to hold further requests to that path; null when the window is not nearly spent.</summary>
    public static TimeSpan? HoldFor(HttpResponseMessage response)
    {
        // Limit 0 is Okta's concurrency mode, where the reset is "only a suggested value": nothing to pace by.
        // Held only until the reset itself, without the second of margin a 429's retry waits (Okta's SDK): the reset and
        // the Date are both the server's and in whole seconds (a Date rounded down, a reset rounded up), so the wait
        // already errs long. With the margin, Okta's 4-a-second windows cost up to two seconds per hold. Holding only a
        // spent window instead was tried: requests already in flight then met 429s (11 one-time steps inconclusive).
        return RateLimitHeaders.Value(response, "X-Rate-Limit-Limit") is { } limit and > 0
            && RateLimitHeaders.Value(response, "X-Rate-Limit-Remaining") is { } remaining && remaining <= Math.Max(1, limit / 20)
                ? RateLimitHeaders.UntilReset(response) - TimeSpan.FromSeconds(1)
                : null;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var url = request.RequestUri!;
        var path = url.GetLeftPart(UriPartial.Path);
        var matching = rules.Where(r => r.Matches(url)).ToList();
        var identity = matching.Any(r => r.NeedsIdentity) ? await PaceIdentity.OfAsync(request, cancellationToken).ConfigureAwait(false) : null;
        // The headers describe the bucket the server counted this request in. Where a rule counts per user or client
        // (Okta's per-user /token and per-client /authorize limits, okta.md §3.2), that bucket is the user's or the
        // client's on every server of the org (a user's token requests to the org server and to a custom server count
        // together), and a nearly spent window of one user says nothing about another's: the hold is kept per rule
        // and user or client. Otherwise per path, as the headers' bucket is unknown.
        var keyed = matching.Where(r => r.NeedsIdentity).Select(r => r.Key(url, identity)).ToList();
        var holdKey = keyed.Count > 0 ? string.Join("|", keyed) : path;
        var wait = TimeSpan.Zero;
        lock (gate)
        {
            var now = DateTimeOffset.UtcNow;
            if (heldUntil.TryGetValue(holdKey, out var until) && until > now)
            {
                wait = until - now;
            }

            foreach (var rule in matching)
            {
                var key = rule.Key(url, identity);
                if (!windows.TryGetValue(key, out var window))
                {
                    windows[key] = window = new SlidingWindow(rule.Limit, rule.Window + ArrivalMargin);
                }

                wait = window.Reserve(now, now + wait);
            }
        }

        while (wait > TimeSpan.Zero)
        {
            Interlocked.Add(ref waitedTicks, wait.Ticks);
            WaitObserver.Value?.Invoke(wait);
            await Task.Delay(wait, cancellationToken).ConfigureAwait(false);

            // A request queued while others of its bucket were in flight reserved its start before their answers came
            // back; an answer may since have said the server's window is nearly spent (Okta counts /token per user with
            // a window of its own, which a request queued a window later can still fall into). The hold wins, and the
            // request takes a new place in the rules' windows after it, so the held requests do not all go at once.
            lock (gate)
            {
                var now = DateTimeOffset.UtcNow;
                wait = TimeSpan.Zero;
                if (heldUntil.TryGetValue(holdKey, out var until) && until > now)
                {
                    wait = until - now;
                    foreach (var rule in matching)
                    {
                        wait = windows[rule.Key(url, identity)].Reserve(now, now + wait);
                    }
                }
            }
        }

        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (HoldFor(response) is { } hold && hold <= MaxHold)
        {
            lock (gate)
            {
                var until = DateTimeOffset.UtcNow + hold;
                if (!heldUntil.TryGetValue(holdKey, out var current) || current < until)
                {
                    heldUntil[holdKey] = until;
                }
            }
        }

        return response;
    }
}
