using System.Diagnostics;
using Conformance.Harness.Http;
using Conformance.Harness.Protocol;
using Conformance.Harness.Target;

namespace Conformance.Harness.Login;

/// <summary>One login of the preflight that did not succeed: who, where, with which driver, and what the server said.</summary>
public sealed record PreflightFailure(string User, string Server, string Driver, string What)
{
    public override string ToString() => $"user {User} could not log in on '{Server}' with the {Driver} driver: {What}";
}

/// <summary>What the preflight found: the failed logins (the run must stop), and notes (a driver that does not apply here).</summary>
public sealed record PreflightReport(IReadOnlyList<PreflightFailure> Failures, IReadOnlyList<string> Notes, int Logins, TimeSpan Took)
{
    public bool Passed => Failures.Count == 0;

    public string Summary() => Passed
        ? $"preflight: {Logins} logins succeeded in {Took.TotalSeconds:0.0} s" + (Notes.Count == 0 ? "" : "; " + string.Join("; ", Notes))
        : $"Preflight failed in {Took.TotalSeconds:0.0} s: {Failures.Count} of {Logins} logins did not succeed, so the run stopped before any check (every verdict would have been inconclusive):"
          + string.Concat(Failures.Select(f => Environment.NewLine + "  " + f))
          + (Notes.Count == 0 ? "" : string.Concat(Notes.Select(n => Environment.NewLine + "  (" + n + ")")));
}

/// <summary>
/// Before any check runs, every configured user logs in once with every configured login driver on every
/// reachable server (an authorization code request with PKCE, answered with a code). A broken login (an expired
/// password, a changed login page, a lost TOTP seed) then stops the run in seconds with one plain message, where
/// otherwise every check would end inconclusive and a nightly job could read green. A user's logins on the
/// different servers share one user agent, as a person's browser would: where the servers share a session
/// (Okta's org session) only the first one asks for the password and the one-time code.
/// </summary>
public static class Preflight
{
    /// <summary>Client roles that redirect, in the order tried for a server.</summary>
    private static readonly string[] RedirectingRoles = ["web", "native", "spa", "web2"];

    /// <param name="oneTimeCodeUsers">
    /// False for a driver checked later in the run, on its first use: the users with one-time codes logged in with
    /// the first driver already, and a code spent mid-run is one an MFA flow of the same step then waits 30 s for.
    /// </param>
    public static async Task<PreflightReport> RunAsync(ConnectedTarget target, IReadOnlyDictionary<string, ILoginDriver> drivers, CancellationToken ct = default, bool oneTimeCodeUsers = true)
    {
        var clock = Stopwatch.StartNew();
        var servers = target.Servers.Where(s => s.Unavailable is null).ToList();
        // A user with one-time codes logs in once, with the first driver on the first server: each code is good
        // once and the harness has at most three per 30-second step, which the run's own MFA flows need.
        var pairs = target.Profile.Users.Where(user => oneTimeCodeUsers || user.TotpSecret is null)
            .SelectMany(user => drivers.Take(user.TotpSecret is null ? int.MaxValue : 1).Select(d => (User: user, Driver: d.Value, Name: d.Key))).ToList();
        var spared = target.Profile.Users.Where(u => u.TotpSecret is not null && (drivers.Count > 1 || !oneTimeCodeUsers))
            .Select(u => oneTimeCodeUsers
                ? $"{u.Username} (one-time codes) logs in with the {drivers.Keys.First()} driver only"
                : $"{u.Username} (one-time codes) logged in with the run's first driver, not again here").ToList();
        // Each user and driver side by side, at most the profile's maxConcurrency at once: a dozen logins one after
        // the other were most of the run's set-up, and a provider whose store fails concurrent writes (Glewlwyd on
        // SQLite) asks for 1 there, which makes this one login at a time again. Results keep the pairs' order.
        var outcomes = await Concurrently.SelectAsync(pairs, target.Profile.Options.MaxConcurrency,
            p => LogInEverywhereAsync(target, servers, p.User, p.Driver, p.Name, ct), ct).ConfigureAwait(false);

        var failures = outcomes.SelectMany(o => o.Failures).ToList();
        var notes = spared.Concat(outcomes.SelectMany(o => o.Notes)).Distinct(StringComparer.Ordinal).ToList();
        return new PreflightReport(failures, notes, outcomes.Sum(o => o.Logins), clock.Elapsed);
    }

    private static async Task<(List<PreflightFailure> Failures, List<string> Notes, int Logins)> LogInEverywhereAsync(
        ConnectedTarget target, IReadOnlyList<AuthorizationServer> servers, UserProfile user, ILoginDriver driver, string name, CancellationToken ct)
    {
        var failures = new List<PreflightFailure>();
        var notes = new List<string>();
        var logins = 0;
        await using var agent = driver.NewUserAgent();
        // A one-time code is good once (RFC 6238 §5.2): the other servers are covered by the users without one.
        if (user.TotpSecret is not null && servers.Count > 1)
        {
            notes.Add($"{user.Username} (one-time codes) logs in on '{servers[0].Name}' only with the {name} driver");
            servers = servers.Take(1).ToList();
        }

        foreach (var server in servers)
        {
            var client = RedirectingRoles.Select(target.Profile.Client).FirstOrDefault(c => c is { RedirectUri: not null } && c.ServesServer(server.Name));
            if (client is null || server.Metadata.AuthorizationEndpoint is null)
            {
                notes.Add($"no login on '{server.Name}': " + (client is null ? "the profile has no redirecting client for it" : "it publishes no authorization_endpoint"));
                continue;
            }

            logins++;
            var request = new OAuthClient(target.Http, server, client).AuthorizationRequest("openid").WithPkce(CodeVerifier.New());
            try
            {
                var response = await agent.AuthorizeAsync(request, user, ct).ConfigureAwait(false);
                if (response.Code is null)
                {
                    failures.Add(new(user.Username, server.Name, name, response.Error is null
                        ? "the login ended without a code"
                        : $"the server answered error={response.Error}" + (response.ErrorDescription is null ? "" : $" ({response.ErrorDescription})")));
                }
            }
            catch (ScriptLoginPageException e)
            {
                // The flows report this driver as not applicable; nothing is broken.
                notes.Add($"the {name} driver does not apply: {e.Message}");
                return (failures, notes, logins - 1);
            }
            catch (LoginFailedException e)
            {
                failures.Add(new(user.Username, server.Name, name, e.Message));
            }
            catch (IssuerUnreachableException e)
            {
                failures.Add(new(user.Username, server.Name, name, e.Message));
            }

            if (failures.Count > 0)
            {
                // One refused login is enough to stop the run; trying the same user and driver on the other servers
                // would only repeat it (and count against a real account's lockout) and cost seconds each.
                var rest = servers.SkipWhile(s => s != server).Skip(1).Select(s => $"'{s.Name}'").ToList();
                if (rest.Count > 0)
                {
                    notes.Add($"{user.Username} with the {name} driver was not tried on {string.Join(", ", rest)} after that");
                }

                break;
            }
        }

        return (failures, notes, logins);
    }
}
