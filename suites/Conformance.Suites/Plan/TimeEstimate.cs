using Conformance.Harness.Http;
using Conformance.Harness.Target;

namespace Conformance.Suites.Plan;

/// <summary>One pacing bucket: a rule, and whom it counts apart ("client web-app", "user alice@…") when it counts per user or client.</summary>
internal sealed record PaceBucket(PaceRule Rule, string? Who, int Requests, TimeSpan Floor)
{
    public override string ToString() =>
        $"{Rule.Path}{(Who is null ? "" : $" for {Who}")}: {Requests} requests at {Rule.Limit} per {Rule.Window.TotalSeconds:0} s take at least {TimeEstimate.Text(Floor)}";

    /// <summary>
    /// Whom a planned request counts against, as the pacer keys it (PaceRule.Key): its user, or "no known user" (the
    /// shared bucket); its client; or, for a query parameter such as client_id, the client of the authorization
    /// request, the only one that carries it in its query.
    /// </summary>
    public static string? WhoOf(PaceRule rule, PlannedRequest request) => rule.Per switch
    {
        null => null,
        // A client's own grant (no user) is counted against the client, as the pacer counts it (PaceIdentity).
        PaceRule.PerUser => request.User is { } user ? "user " + user : request.ClientId is { } id && request.Endpoint == "token" ? "client " + id : "no known user",
        PaceRule.PerClient => "client " + (request.ClientId ?? "?"),
        _ => request.Endpoint == "authorize" ? "client " + (request.ClientId ?? "?") : null,
    };
}

/// <summary>
/// How long the run would take under the profile's pacing rules. Two bounds, and the estimate is the larger plus
/// the preflight: the work itself (every request at an assumed round trip, as many at once as the run allows), and
/// the pacing floor (the slowest bucket of a rule cannot go faster than its limit, whatever runs beside it).
/// </summary>
internal sealed record TimeEstimate(TimeSpan Total, TimeSpan Work, TimeSpan Preflight, IReadOnlyList<PaceBucket> Buckets)
{
    /// <summary>A round trip to a hosted tenant, login pages included; the reference issuer on loopback says nothing about it.</summary>
    public static readonly TimeSpan RoundTrip = TimeSpan.FromMilliseconds(250);

    /// <summary>NUnit runs at most this many tests at once (AssemblyInfo's LevelOfParallelism); maxConcurrency may lower it.</summary>
    private const int TestWorkers = 4;

    public PaceBucket? Slowest => Buckets.MaxBy(b => b.Floor);

    public static TimeEstimate For(TargetProfile profile, IReadOnlyList<PlannedRequest> run, IReadOnlyList<PlannedRequest> preflight)
    {
        var issuers = profile.Servers.ToDictionary(s => s.Name, s => s.Issuer);
        var buckets = new Dictionary<(PaceRule, string?), int>();
        foreach (var request in run.Concat(preflight))
        {
            var path = Endpoints.PathOn(issuers[request.Server], request.Endpoint);
            foreach (var rule in profile.Options.Pacing.Where(r => r.Matches(new Uri("https://target.invalid" + path))))
            {
                var key = (rule, PaceBucket.WhoOf(rule, request));
                buckets[key] = buckets.GetValueOrDefault(key) + request.Count;
            }
        }

        var paced = buckets.Select(b => new PaceBucket(b.Key.Item1, b.Key.Item2, b.Value, Floor(b.Key.Item1, b.Value)))
            .OrderByDescending(b => b.Floor).ToList();
        var streams = Math.Max(1, Math.Min(TestWorkers, profile.Options.MaxConcurrency));
        var work = RoundTrip * run.Sum(r => r.Count) / streams;
        // The preflight logs in one at a time, before any check.
        var before = RoundTrip * preflight.Sum(r => r.Count);
        var floor = paced.Count == 0 ? TimeSpan.Zero : paced[0].Floor;
        return new TimeEstimate(before + (floor > work ? floor : work), work, before, paced);
    }

    /// <summary>The first <c>limit</c> go at once; each further <c>limit</c> waits a window (the pacer's sliding window, all queued at the start).</summary>
    private static TimeSpan Floor(PaceRule rule, int requests) =>
        rule.Window * Math.Max(0, (int)Math.Ceiling(requests / (double)rule.Limit) - 1);

    public static string Text(TimeSpan t) =>
        t.TotalHours >= 1 ? $"{(int)t.TotalHours} h {t.Minutes} min" : t.TotalMinutes >= 1 ? $"{(int)t.TotalMinutes} min {t.Seconds} s" : $"{t.TotalSeconds:0} s";
}
