using System.Globalization;
using System.Text;
using System.Web;
using Conformance.Harness.Http;
using Conformance.Harness.Results;

namespace Conformance.Suites.Plan;

/// <summary>One kind of request a check or flow sent: the endpoint kind, the client role (<c>-</c> for none, <c>?</c> when the harness cannot tell), whether it acted for the user, and how many.</summary>
internal sealed record MeasuredRequest(string Endpoint, string Role, bool User, int Count)
{
    public override string ToString() => $"{Endpoint}/{Role}/{(User ? "user" : "app")}={Count.ToString(CultureInfo.InvariantCulture)}";
}

/// <summary>A check (by id) or a flow (by method name, and driver for the flows run per login driver) with what it sent.</summary>
internal sealed record MeasuredItem(string Kind, string Id, IReadOnlyList<MeasuredRequest> Requests)
{
    public int Total => Requests.Sum(r => r.Count);

    /// <summary>The client roles it used: a target without them would not run it, or run less of it.</summary>
    public IEnumerable<string> Roles => Requests.Select(r => r.Role).Where(r => r is not "-" and not "?").Distinct();

    /// <summary>It put a user through a login (a login page, the Authentication API or an authorization request).</summary>
    public bool LogsIn => Requests.Any(r => r.Endpoint is "login" or "authn" or "authorize");
}

/// <summary>
/// The committed per-check and per-flow request profile (Plan/request-profile.txt): what each sent to the embedded
/// reference issuer, so a plan can say what a run would send to a real tenant without sending anything. Generated
/// from a suites run (its results.json: every exchange of every check and flow), never written by hand.
/// </summary>
internal sealed class RequestProfile(IReadOnlyList<MeasuredItem> items)
{
    public const string FileName = "request-profile.txt";

    public const string Regenerate = "CONFORMANCE_WRITE_REQUEST_PROFILE=1 CONFORMANCE_REPORTS=none dotnet test suites/Conformance.Suites --settings runsettings/local.runsettings";

    public IReadOnlyList<MeasuredItem> Items => items;

    public MeasuredItem? Check(string id) => items.FirstOrDefault(i => i.Kind == "check" && i.Id == id);

    /// <summary>The flow as measured with this driver, else with any driver (the protocol requests are the same; the login requests differ).</summary>
    public MeasuredItem? Flow(string method, string? driver) =>
        items.FirstOrDefault(i => i.Kind == "flow" && i.Id == (driver is null ? method : $"{method}@{driver}"))
        ?? items.FirstOrDefault(i => i.Kind == "flow" && (i.Id == method || i.Id.StartsWith(method + "@", StringComparison.Ordinal)));

    /// <summary>The committed file, compiled into the assembly so that the plan cannot read a stale copy from elsewhere.</summary>
    public static RequestProfile Committed()
    {
        using var stream = typeof(RequestProfile).Assembly.GetManifestResourceStream(FileName)
            ?? throw new InvalidOperationException($"{FileName} is not embedded in {typeof(RequestProfile).Assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    }

    /// <summary>Where the committed file lives in the repository, found above the test assembly; null outside a clone.</summary>
    public static string? RepositoryPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Conformance.sln")))
            {
                return Path.Combine(dir.FullName, "suites", "Conformance.Suites", "Plan", FileName);
            }
        }

        return null;
    }

    public static RequestProfile Parse(string text)
    {
        var items = new List<MeasuredItem>();
        foreach (var line in text.ReplaceLineEndings("\n").Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var requests = parts.Skip(2).Select(token =>
            {
                var fields = token.Split('/', '=');
                return new MeasuredRequest(fields[0], fields[1], fields[2] == "user", int.Parse(fields[3], CultureInfo.InvariantCulture));
            }).ToList();
            items.Add(new MeasuredItem(parts[0], parts[1], requests));
        }

        return new RequestProfile(items);
    }

    public string Text()
    {
        var text = new StringBuilder();
        text.AppendLine("# Requests each check and flow sent to the embedded reference issuer; plan mode scales them to a target profile.");
        text.AppendLine("# Generated from a suites run; do not edit by hand. Regenerate (a test fails when a check or flow is missing):");
        text.AppendLine("#   " + Regenerate);
        text.AppendLine("# Per item, the server case that sent the most (a conservative estimate). Each request: endpoint/client role/user|app=count,");
        text.AppendLine("# role '-' for none and '?' where the harness could not tell (HTTP Basic hides the client id). Flows per login driver are id@driver.");
        foreach (var item in items.OrderBy(i => i.Kind, StringComparer.Ordinal).ThenBy(i => i.Id, StringComparer.Ordinal))
        {
            text.Append(item.Kind).Append(' ').Append(item.Id);
            foreach (var request in item.Requests)
            {
                text.Append(' ').Append(request);
            }

            text.AppendLine();
        }

        return text.ToString();
    }

    /// <summary>From a run against the embedded issuer: each check and flow case's exchanges, counted; per item the case that sent the most.</summary>
    public static RequestProfile FromRun(RunFile run)
    {
        var roles = run.Target.Clients.ToDictionary(c => c.ClientId, c => c.Role, StringComparer.Ordinal);
        var checks = run.Checks.Select(c => (Kind: "check", c.Id, c.Exchanges));
        var flows = run.Flows.Select(f => (Kind: "flow", Id: FlowId(f), f.Exchanges));
        var items = checks.Concat(flows)
            .GroupBy(c => (c.Kind, c.Id))
            .Select(g => g.Select(c => new MeasuredItem(c.Kind, c.Id, Count(c.Exchanges, roles))).MaxBy(i => i.Total)!)
            .ToList();
        return new RequestProfile(items);
    }

    /// <summary>
    /// Rewrites the committed file from this run, when it was against the conformant embedded issuer (a fault or
    /// another target would measure something else); returns what it did, for the console.
    /// </summary>
    public static string WriteCommitted(RunFile run, bool conformantEmbedded)
    {
        if (!conformantEmbedded)
        {
            return $"{FileName} not written: it is measured against the embedded issuer without faults or variants only";
        }

        if (RepositoryPath() is not { } path)
        {
            return $"{FileName} not written: no Conformance.sln above {AppContext.BaseDirectory}";
        }

        var profile = FromRun(run);
        File.WriteAllText(path, profile.Text());
        return $"{FileName} written from {profile.Items.Count} checks and flows: {path} (rebuild to embed it)";
    }

    private static string FlowId(RunFlow flow)
    {
        var method = flow.Name.Split('(')[0];
        var driver = flow.Categories.FirstOrDefault(c => c.StartsWith("driver:", StringComparison.Ordinal));
        return driver is null ? method : $"{method}@{driver["driver:".Length..]}";
    }

    private static List<MeasuredRequest> Count(IReadOnlyList<HttpExchange> exchanges, Dictionary<string, string> roles)
    {
        var seen = exchanges.Select(e => (Exchange: e, Kind: Endpoints.Classify(new Uri(e.Url)), Role: RoleOf(e, roles))).ToList();
        // A token, introspection or revocation request with HTTP Basic names its client only in the (masked) header:
        // it is the confidential client the item used elsewhere, when there was exactly one.
        var confidential = seen.Select(s => s.Role).Where(r => r is not "-" and not "?" and not "native" and not "spa").Distinct().ToList();
        return seen
            .Select(s => (s.Kind, Role: s.Role == "?" && confidential.Count == 1 ? confidential[0] : s.Role, User: Endpoints.ForUser(s.Kind, s.Exchange.RequestBody)))
            .GroupBy(s => s)
            .Select(g => new MeasuredRequest(g.Key.Kind, g.Key.Role, g.Key.User, g.Count()))
            .OrderBy(r => Endpoints.Kinds.ToList().IndexOf(r.Endpoint)).ThenBy(r => r.Role, StringComparer.Ordinal).ThenBy(r => r.User)
            .ToList();
    }

    private static string RoleOf(HttpExchange exchange, Dictionary<string, string> roles)
    {
        var url = new Uri(exchange.Url);
        var clientId = HttpUtility.ParseQueryString(url.Query)["client_id"];
        if (clientId is null && exchange.RequestBody is { } body && !body.TrimStart().StartsWith('{'))
        {
            clientId = HttpUtility.ParseQueryString(body)["client_id"];
        }

        if (clientId is not null)
        {
            return roles.TryGetValue(clientId, out var role) ? role : "?";
        }

        var basic = exchange.RequestHeaders.Any(h => h.Key.Equals("Authorization", StringComparison.OrdinalIgnoreCase) && h.Value.StartsWith("Basic", StringComparison.OrdinalIgnoreCase));
        if (!basic)
        {
            return "-";
        }

        // The masked Basic credential hides the client; the two grants only one role uses name it anyway.
        var grant = exchange.RequestBody is { } form ? HttpUtility.ParseQueryString(form)["grant_type"] : null;
        return grant switch
        {
            "client_credentials" => "service",
            "password" => "password",
            _ => "?",
        };
    }
}
