using System.Text;
using Conformance.Harness.Target;

namespace Conformance.Suites.Plan;

/// <summary>
/// The plan as text: a summary for the console (what would not run and why, requests, invasive or not, time) and,
/// for plan.txt, the same followed by every check and flow case with its status and requests.
/// </summary>
internal sealed class PlanReport
{
    private static readonly System.Text.RegularExpressions.Regex ServerFolded = new(" for server '[^']*'");

    private readonly PlanInput input;
    private readonly string source;

    public PlanReport(PlanInput input, string source)
    {
        this.input = input;
        this.source = source;
        Items = Planner.Items(input);
        Setup = Planner.Setup(input);
        var sent = Items.Where(i => i.Status != PlanStatus.NotRun).SelectMany(i => i.Requests).ToList();
        Estimate = TimeEstimate.For(input.Profile, sent, Setup);
        Requests = Setup.Concat(sent).ToList();
    }

    public IReadOnlyList<PlannedItem> Items { get; }

    /// <summary>Discovery, keys and the preflight's logins, before any check.</summary>
    public IReadOnlyList<PlannedRequest> Setup { get; }

    /// <summary>Everything the run would send: the set-up, and each check and flow that is not ruled out.</summary>
    public IReadOnlyList<PlannedRequest> Requests { get; }

    public TimeEstimate Estimate { get; }

    public string Summary()
    {
        var profile = input.Profile;
        var o = profile.Options;
        var text = new StringBuilder();
        text.AppendLine("PLAN MODE: nothing was sent to the target (no discovery, no login, no preflight, no connection of any kind).");
        text.AppendLine($"Target '{profile.Name}' from {source}");
        text.AppendLine("  servers: " + string.Join("; ", profile.Servers.Select(s => $"{s.Name} {s.Issuer}")));
        text.AppendLine("  clients: " + string.Join("; ", profile.AllClients.Select(c => $"{c.Role} ({c.ClientId}{(c.Servers.Count == 0 ? "" : ", servers " + string.Join(", ", c.Servers))})")));
        text.AppendLine("  users: " + string.Join("; ", profile.Users.Select(u => u.Username + (u.TotpSecret is null ? "" : " (one-time codes)"))));
        text.AppendLine("  login drivers: " + string.Join("; ", profile.Login.Drivers.Select(d => input.Drivers.GetValueOrDefault(d) is { } why ? $"{d} (cannot run here: {why})" : $"{d} (can run here)")));
        text.AppendLine($"  options: invasive {(o.Invasive ? "true" : "false")}, maxConcurrency {o.MaxConcurrency}, timeout {o.Timeout.TotalSeconds:0} s; pacing: {(o.Pacing.Count == 0 ? "none" : string.Join("; ", o.Pacing))}");
        Section(text, "check", "Checks", $"{input.Checks.Count} checks on {profile.Servers.Count} servers");
        Section(text, "flow", "Flows", $"{input.Flows.Count} flows by server{(profile.Login.Drivers.Count > 0 ? " and login driver" : "")}");
        Invasive(text);
        RequestCounts(text);
        Time(text);
        text.AppendLine($"Counts are ESTIMATES: what each check and flow sent to the embedded reference issuer ({RequestProfile.FileName}, the server case that sent the most), "
            + "scaled to this profile's servers, clients and users. What depends on discovery is counted as if it applies; a tenant's own answers (a refused grant, "
            + "a missing endpoint, retries after 429) change the real numbers.");
        return text.ToString();
    }

    /// <summary>The summary, then every case: status, reason and requests, for plan.txt.</summary>
    public string Full()
    {
        var text = new StringBuilder(Summary());
        text.AppendLine().AppendLine("Every check and flow case (status: reason; requests):");
        foreach (var item in Items)
        {
            var status = item.Status switch { PlanStatus.Runs => "runs", PlanStatus.Depends => "depends", _ => "NOT RUN" };
            var requests = item.Requests.Count == 0 ? "none" : string.Join(", ", item.Requests.Select(r => $"{r.Endpoint}×{r.Count}{(r.ClientId is null ? "" : " " + r.Role)}"));
            text.AppendLine($"  {item.Kind} {item.Name} [{status}]: {item.Reason}; {requests}");
        }

        return text.ToString();
    }

    private void Section(StringBuilder text, string kind, string title, string what)
    {
        var items = Items.Where(i => i.Kind == kind).ToList();
        int Count(PlanStatus s) => items.Count(i => i.Status == s);
        text.AppendLine($"{title}: {what}, {items.Count} cases: {Count(PlanStatus.Runs)} would run, {Count(PlanStatus.Depends)} depend on what discovery says, {Count(PlanStatus.NotRun)} would not run (each case in plan.txt)");
        // One line per reason, its servers folded into the names ("no 'spa' client: AUTHZ-07 (org, default)").
        foreach (var group in items.Where(i => i.Status == PlanStatus.NotRun).GroupBy(i => ServerFolded.Replace(i.Reason, "")).OrderByDescending(g => g.Count()))
        {
            text.AppendLine($"  would not run, {group.Key} ({group.Count()}): {Names(group)}");
        }

        foreach (var group in items.Where(i => i.Status == PlanStatus.Depends && i.Reason.StartsWith("no ", StringComparison.Ordinal)).GroupBy(i => ServerFolded.Replace(i.Reason.Split(':')[0], "")))
        {
            text.AppendLine($"  may not apply, {group.Key} ({group.Count()}): {Names(group)}");
        }

        foreach (var group in items.Where(i => i.Status == PlanStatus.Depends && i.Reason.StartsWith("not in ", StringComparison.Ordinal)).GroupBy(i => i.Reason))
        {
            text.AppendLine($"  NOT MEASURED, {group.Key} ({group.Count()}): {Names(group)}");
        }
    }

    /// <summary>Ids with their servers folded: "PKCE-05 (org, default)".</summary>
    private static string Names(IEnumerable<PlannedItem> items) =>
        string.Join(", ", items.GroupBy(i => i.Id).Select(g =>
        {
            var where = g.Select(i => string.Join("/", new[] { i.Server, i.Driver }.OfType<string>())).Where(w => w.Length > 0).Distinct().ToList();
            return where.Count == 0 ? g.Key : $"{g.Key} ({string.Join(", ", where)})";
        }));

    private void Invasive(StringBuilder text)
    {
        var invasive = input.Checks.Where(c => c.Invasive).Select(c => c.Id).ToHashSet();
        var running = Items.Where(i => i.Kind == "check" && invasive.Contains(i.Id) && i.Status != PlanStatus.NotRun).ToList();
        text.AppendLine(running.Count == 0
            ? $"Invasive: nothing invasive would run (options.invasive is {(input.Profile.Options.Invasive ? "true, but no invasive check applies" : "false")}; {invasive.Count} invasive checks: {string.Join(", ", invasive.Order(StringComparer.Ordinal))})"
            : $"INVASIVE: {running.Count} cases that could lock or throttle a real account would run (options.invasive is true): {Names(running)}");
    }

    private void RequestCounts(StringBuilder text)
    {
        var sent = Requests;
        text.AppendLine($"Requests (estimated): {sent.Sum(r => r.Count)} in all: discovery and preflight {Setup.Sum(r => r.Count)}, checks {Sum("check")}, flows {Sum("flow")}");
        text.AppendLine("  by endpoint: " + ByEndpoint(sent));
        foreach (var server in input.Profile.Servers)
        {
            var on = sent.Where(r => r.Server == server.Name).ToList();
            text.AppendLine($"  server {server.Name}: {on.Sum(r => r.Count)} ({ByEndpoint(on)})");
        }

        var laneUsers = Planner.LaneUsers(input.Profile);
        foreach (var user in input.Profile.Users)
        {
            var of = sent.Where(r => r.User == user.Username).ToList();
            var role = !laneUsers.Contains(user.Username) ? ", preflight only"
                : laneUsers.Count == 1 ? ", the user the checks and flows log in as" : $", one of the {laneUsers.Count} users the checks and flows log in as";
            text.AppendLine($"  user {user.Username}: {of.Sum(r => r.Count)} ({(of.Count == 0 ? "none" : ByEndpoint(of))})" + role);
        }

        foreach (var group in sent.Where(r => r.Role != "-").GroupBy(r => (r.Role, r.ClientId)).OrderBy(g => g.Key.Role, StringComparer.Ordinal).ThenBy(g => g.Key.ClientId, StringComparer.Ordinal))
        {
            var of = group.ToList();
            var name = group.Key.Role == "?" ? "an unnamed confidential client (HTTP Basic hides which)" : $"client {group.Key.Role} ({group.Key.ClientId ?? input.Profile.Client(group.Key.Role)?.ClientId})";
            text.AppendLine($"  {name}: {of.Sum(r => r.Count)} ({ByEndpoint(of)})");
        }

        var none = sent.Where(r => r.Role == "-" && r.User is null).ToList();
        text.AppendLine($"  neither client nor user (metadata, keys, probes): {none.Sum(r => r.Count)} ({(none.Count == 0 ? "none" : ByEndpoint(none))})");
    }

    private int Sum(string kind) => Items.Where(i => i.Kind == kind && i.Status != PlanStatus.NotRun).Sum(i => i.Requests.Sum(r => r.Count));

    private static string ByEndpoint(IEnumerable<PlannedRequest> requests) =>
        string.Join(", ", requests.GroupBy(r => r.Endpoint).OrderBy(g => Endpoints.Kinds.ToList().IndexOf(g.Key)).Select(g => $"{g.Key} {g.Sum(r => r.Count)}"));

    private void Time(StringBuilder text)
    {
        var e = Estimate;
        var streams = Math.Min(4, input.Profile.Options.MaxConcurrency);
        text.AppendLine($"Time (estimated): about {TimeEstimate.Text(e.Total)}: discovery and preflight {TimeEstimate.Text(e.Preflight)} (one request at a time), then the larger of the work "
            + $"({TimeEstimate.Text(e.Work)}: each request {TimeEstimate.RoundTrip.TotalMilliseconds:0} ms, an assumed round trip to a hosted tenant, {streams} at once) "
            + $"and the pacing floor ({(e.Slowest is null ? "no pacing rule applies" : e.Slowest.ToString())})");
        foreach (var bucket in e.Buckets.Skip(1).Take(5))
        {
            text.AppendLine($"  also paced: {bucket}");
        }
    }
}
