using System.Text.RegularExpressions;
using Conformance.Harness.Checks;
using Conformance.Harness.Target;

namespace Conformance.Suites.Plan;

internal enum PlanStatus
{
    /// <summary>Nothing the profile says stops it.</summary>
    Runs,

    /// <summary>Whether it applies is known only from the server's metadata (or it may lack a client it could use).</summary>
    Depends,

    /// <summary>The profile or this machine rules it out; it sends nothing.</summary>
    NotRun,
}

/// <param name="Server">Null for a check that runs once for the whole target.</param>
/// <param name="Driver">The login driver of a flow case run per driver.</param>
internal sealed record PlannedItem(string Kind, string Id, string? Server, string? Driver, PlanStatus Status, string Reason, IReadOnlyList<PlannedRequest> Requests)
{
    public string Name => Kind == "check"
        ? (Server is null ? Id : $"{Id}({Server})")
        : $"{Id}({string.Join(",", new[] { Server, Driver }.OfType<string>())})";
}

/// <param name="ClientId">Null when no client takes part, or the harness could not tell which (HTTP Basic hides it).</param>
/// <param name="User">The user it acts for; null for a client's own request.</param>
internal sealed record PlannedRequest(string Server, string Endpoint, string Role, string? ClientId, string? User, int Count);

/// <summary>What the plan reads: the profile, the committed measurements, the suites' flows and checks, and which login drivers can run here.</summary>
/// <param name="Drivers">Each driver of the profile; null when it can run here, else why not.</param>
internal sealed record PlanInput(TargetProfile Profile, RequestProfile Measured, IReadOnlyList<FlowMethod> Flows, IReadOnlyList<CheckDefinition> Checks, IReadOnlyDictionary<string, string?> Drivers);

/// <summary>
/// What a run would do to the target, worked out from the profile alone: no discovery, no login, no connection.
/// Request counts are the reference issuer's, scaled to the profile's servers, clients and users.
/// </summary>
internal static class Planner
{
    /// <summary>Applicability words that only the server's metadata can settle (an endpoint, a listed grant, a published field).</summary>
    private static readonly Regex DiscoveryWords = new(@"_endpoint|endpoint|supported|publish|supports|lists|may use|accepts|JWTs|rotated|gets a|reachable|metadata", RegexOptions.IgnoreCase);

    /// <summary>
    /// The requests one preflight login sends, by driver, as the harness drives the reference issuer: the form and
    /// browser drivers load the authorization request, then the login page and post it; okta-authn posts to the
    /// Authentication API and then sends the authorization request with the session token. A user with one-time codes adds one.
    /// </summary>
    private static readonly IReadOnlyDictionary<string, (string Endpoint, int Count)[]> LoginRequests = new Dictionary<string, (string, int)[]>
    {
        ["form"] = [("authorize", 1), ("login", 1)],
        ["browser"] = [("authorize", 1), ("login", 1)],
        ["okta-authn"] = [("authn", 1), ("authorize", 1)],
    };

    /// <summary>
    /// Every check and flow case, each case's requests in a lane as the run assigns them (see <see cref="Lanes"/>):
    /// round-robin over the cases that send anything, so a profile with two users and two web clients counts half the
    /// cases against each user's /token and each client's /authorize budget.
    /// </summary>
    public static IReadOnlyList<PlannedItem> Items(PlanInput input)
    {
        var lanes = new Lanes(input.Profile).All;
        var next = 0;
        return CheckItems(input).Concat(FlowItems(input))
            .Select(item => item.Status == PlanStatus.NotRun || item.Requests.Count == 0 ? item : item with { Requests = InLane(item.Requests, lanes[next++ % lanes.Count]) })
            .ToList();
    }

    /// <summary>The requests as the lane sends them: its client of each role, its user where a user takes part.</summary>
    private static List<PlannedRequest> InLane(IEnumerable<PlannedRequest> requests, Lane lane) =>
        requests.Select(r => r with
        {
            ClientId = lane.Clients.TryGetValue(r.Role, out var client) && r.ClientId is not null ? client.ClientId : r.ClientId,
            User = r.User is null ? null : lane.User?.Username ?? r.User,
        }).ToList();

    private static IEnumerable<PlannedItem> CheckItems(PlanInput input)
    {
        var profile = input.Profile;
        foreach (var check in input.Checks)
        {
            var servers = check.PerTarget ? [null] : profile.Servers.Select(s => (string?)s.Name);
            foreach (var server in servers)
            {
                var measured = input.Measured.Check(check.Id);
                if (check.Invasive && !profile.Options.Invasive)
                {
                    yield return new PlannedItem("check", check.Id, server, null, PlanStatus.NotRun, "invasive (it could lock or throttle a real account) and options.invasive is false", []);
                    continue;
                }

                if (check.Slow && !profile.Options.Slow)
                {
                    yield return new PlannedItem("check", check.Id, server, null, PlanStatus.NotRun, "slow (it waits minutes on the target) and options.slow is false", []);
                    continue;
                }

                if (check.Applicability.Contains("TOTP", StringComparison.Ordinal) && !HasTotpUser(profile))
                {
                    yield return new PlannedItem("check", check.Id, server, null, PlanStatus.NotRun, NoTotpUser, []);
                    continue;
                }

                var discovery = DiscoveryWords.IsMatch(check.Applicability) ? PlanStatus.Depends : PlanStatus.Runs;
                yield return Judge(input, "check", check.Id, server, null, measured, discovery, (discovery == PlanStatus.Depends ? "if discovery shows " : "needs ") + check.Applicability);
            }
        }
    }

    private static IEnumerable<PlannedItem> FlowItems(PlanInput input)
    {
        var servers = input.Profile.Servers.Select(s => s.Name).ToList();
        var drivers = input.Profile.Login.Drivers;
        foreach (var flow in input.Flows)
        {
            var cases = flow.Scale switch
            {
                FlowScale.PerServerAndDriver => from s in servers from d in drivers select (Server: s, Driver: (string?)d),
                FlowScale.PerDriverOnFirstServer => drivers.Select(d => (Server: servers[0], Driver: (string?)d)),
                _ => servers.Select(s => (Server: s, Driver: (string?)null)),
            };
            foreach (var (server, driver) in cases)
            {
                for (var variant = 0; variant < flow.Variants; variant++)
                {
                    if (flow.Method.Contains("totp", StringComparison.OrdinalIgnoreCase) && !HasTotpUser(input.Profile))
                    {
                        yield return new PlannedItem("flow", flow.Method, server, driver, PlanStatus.NotRun, NoTotpUser, []);
                        continue;
                    }

                    if (driver is not null && input.Drivers.GetValueOrDefault(driver) is { } unavailable)
                    {
                        yield return new PlannedItem("flow", flow.Method, server, driver, PlanStatus.NotRun, "login driver unavailable: " + unavailable, []);
                        continue;
                    }

                    // Every flow first asks the server's metadata whether it offers the grant, response type or endpoint.
                    yield return Judge(input, "flow", flow.Method, server, driver, input.Measured.Flow(flow.Method, driver), PlanStatus.Depends,
                        $"if discovery lists what the {flow.Flow} flow needs");
                }
            }
        }
    }

    private static PlannedItem Judge(PlanInput input, string kind, string id, string? server, string? driver, MeasuredItem? measured, PlanStatus status, string reason)
    {
        if (measured is null)
        {
            return new PlannedItem(kind, id, server, driver, PlanStatus.Depends, $"not in {RequestProfile.FileName} (regenerate it: {RequestProfile.Regenerate}); its requests are not counted", []);
        }

        var profile = input.Profile;
        bool Has(string role) => profile.Client(role) is { } c && (server is null || c.ServesServer(server));
        var missing = measured.Roles.Where(r => !Has(r)).ToList();
        var on = server is null ? "" : $" for server '{server}'";
        if (missing.Count > 0 && missing.Count == measured.Roles.Count())
        {
            return new PlannedItem(kind, id, server, driver, PlanStatus.NotRun, $"no {Roles(missing)} client{on}", []);
        }

        if (measured.LogsIn && kind == "check" && input.Drivers.Values.All(d => d is not null))
        {
            return new PlannedItem(kind, id, server, driver, PlanStatus.NotRun, "login driver unavailable: no driver of the profile can run here", []);
        }

        if (missing.Count > 0)
        {
            // Against the reference issuer it used that client too; here it may fall back to another, or not apply.
            status = PlanStatus.Depends;
            reason = $"no {Roles(missing)} client{on} (the reference run used one): it may not apply, or send less; " + reason;
        }

        var user = CheckUser(profile);
        var requests = measured.Requests.Where(r => !missing.Contains(r.Role)).Select(r => new PlannedRequest(
            server ?? profile.Servers[0].Name, r.Endpoint, r.Role, profile.Client(r.Role)?.ClientId, r.User ? user : null, r.Count)).ToList();
        return new PlannedItem(kind, id, server, driver, status, reason, requests);
    }

    private const string NoTotpUser = "no user with one-time codes (totpSecret) in the profile";

    /// <summary>The second-factor checks and flows need a user enrolled in TOTP; the profile alone says whether there is one.</summary>
    private static bool HasTotpUser(TargetProfile profile) => profile.Users.Any(u => u.TotpSecret is not null);

    private static string Roles(IEnumerable<string> roles) => string.Join(" or ", roles.Select(r => $"'{r}'"));

    /// <summary>The user of the first lane: the first without one-time codes (as <see cref="CheckContext.User"/> picks in a one-lane run).</summary>
    public static string CheckUser(TargetProfile profile) =>
        (profile.Users.FirstOrDefault(u => u.TotpSecret is null) ?? profile.Users[0]).Username;

    /// <summary>The users the checks and flows log in as, one per lane (see <see cref="Lanes.Users"/>).</summary>
    public static IReadOnlySet<string> LaneUsers(TargetProfile profile) => new Lanes(profile).Users.Select(u => u.Username).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Before any check: discovery and keys of every server, then the preflight's logins: every user with every driver that can run here on every server; a user with one-time
    /// codes once, with the first driver on the first server (a code is good once). Its client is the first
    /// redirecting one of the server (web, native, spa, web2), as the preflight picks.
    /// </summary>
    public static IReadOnlyList<PlannedRequest> Setup(PlanInput input)
    {
        var profile = input.Profile;
        var usable = profile.Login.Drivers.Where(d => input.Drivers.GetValueOrDefault(d) is null && LoginRequests.ContainsKey(d)).ToList();
        // Discovery of every server before anything else, and its keys once (cached for the run): the reference
        // run fetched them outside any check, so the request profile does not count them.
        var requests = profile.Servers.SelectMany(s => new[] { new PlannedRequest(s.Name, "discovery", "-", null, null, 1), new PlannedRequest(s.Name, "keys", "-", null, null, 1) }).ToList();
        foreach (var user in profile.Users)
        {
            var drivers = user.TotpSecret is null ? usable : usable.Take(1);
            var servers = user.TotpSecret is null ? profile.Servers : profile.Servers.Take(1);
            foreach (var driver in drivers)
            {
                foreach (var server in servers)
                {
                    var client = new[] { "web", "native", "spa", "web2" }.Select(profile.Client).FirstOrDefault(c => c is { RedirectUri: not null } && c.ServesServer(server.Name));
                    if (client is null)
                    {
                        continue;
                    }

                    requests.AddRange(LoginRequests[driver].Select(r => new PlannedRequest(server.Name, r.Endpoint, r.Endpoint == "authorize" ? client.Role : "-", r.Endpoint == "authorize" ? client.ClientId : null, user.Username, r.Count)));
                    if (user.TotpSecret is not null)
                    {
                        requests.Add(new PlannedRequest(server.Name, driver == "okta-authn" ? "authn" : "login", "-", null, user.Username, 1));
                    }
                }
            }
        }

        return requests;
    }
}
