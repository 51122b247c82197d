using System.Diagnostics;
using Conformance.Harness.Http;
using Conformance.Harness.Login;
using Conformance.Harness.Protocol;

namespace Conformance.Harness.Checks;

/// <summary>
/// Runs checks against a connected target and turns what they throw into outcomes. NUnit is one caller of it,
/// the detection matrix another; neither knows how a check decides.
/// </summary>
public sealed class CheckRunner(ConnectedTarget target, ILoginDriver? loginDriver, TimeSpan? perCheckTimeout = null)
{
    private readonly TimeSpan timeout = perCheckTimeout ?? TimeSpan.FromMinutes(2);

    /// <summary>The users and clients checks are spread over, each check in one lane for its whole run.</summary>
    public Lanes Lanes { get; } = new(target.Profile);

    /// <summary>Every available server's authorization endpoint, without query: the requests a lane's balance counts.</summary>
    private readonly HashSet<string> authorizationEndpoints = target.Servers.Where(s => s.Unavailable is null)
        .Select(s => s.Metadata.AuthorizationEndpoint?.GetLeftPart(UriPartial.Path)).OfType<string>().ToHashSet(StringComparer.Ordinal);

    /// <summary>Every (check, server) pair the catalogue implies: per-server checks once per server, per-target checks once.</summary>
    public IEnumerable<(Check Check, AuthorizationServer? Server)> Plan(IEnumerable<Check> checks) =>
        checks.SelectMany(c => c.Definition.PerTarget
            ? [(c, (AuthorizationServer?)null)]
            : target.Servers.Select(s => (c, (AuthorizationServer?)s)));

    /// <summary>
    /// Runs the checks, at most <paramref name="maxConcurrency"/> at once; slow checks come last, one at a time, so
    /// the time they let pass on the target (possibly its clock moved on) meets no other check mid-flow.
    /// </summary>
    public async Task<IReadOnlyList<CheckResult>> RunAllAsync(IEnumerable<Check> checks, int maxConcurrency, CancellationToken ct = default)
    {
        var all = checks.ToList();
        var results = (await RunConcurrentlyAsync(all.Where(c => !c.Definition.Slow), maxConcurrency, ct).ConfigureAwait(false)).ToList();
        results.AddRange(await RunConcurrentlyAsync(all.Where(c => c.Definition.Slow), 1, ct).ConfigureAwait(false));
        return results;
    }

    private async Task<IReadOnlyList<CheckResult>> RunConcurrentlyAsync(IEnumerable<Check> checks, int maxConcurrency, CancellationToken ct)
    {
        return await Concurrently.SelectAsync(Plan(checks), maxConcurrency, pair => RunAsync(pair.Check, pair.Server, ct), ct).ConfigureAwait(false);
    }

    public Task<CheckResult> RunAsync(Check check, AuthorizationServer? server, CancellationToken ct = default) =>
        RunAsync(check, server, loginDriver, null, ct);

    /// <summary>
    /// Runs with this login driver rather than the runner's: an end-to-end flow is one verdict per server and driver.
    /// A driver that cannot run here is null with the reason, so a check that needs it is not applicable for that reason.
    /// </summary>
    public async Task<CheckResult> RunAsync(Check check, AuthorizationServer? server, ILoginDriver? driver, string? noDriverReason, CancellationToken ct = default)
    {
        var definition = check.Definition;
        var clock = Stopwatch.StartNew();
        using var scope = target.Http.Recorder.BeginScope($"{definition.Id} {server?.Name}");
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        // Time held back by the pacer (the target's rate limits), or let pass by a slow check, is the run's cost, not
        // the check's: extend by it.
        var budget = timeout;
        var budgetGate = new Lock();
        void Extend(TimeSpan wait)
        {
            lock (budgetGate)
            {
                budget += wait;
                var left = budget - clock.Elapsed;
                try
                {
                    deadline.CancelAfter(left > TimeSpan.Zero ? left : TimeSpan.Zero);
                }
                catch (ObjectDisposedException)
                {
                    // The check is over; a request it left behind was held.
                }
            }
        }

        using var pacing = RequestPacer.ObserveWaits(Extend);
        // The lane for the check's whole run: its user and clients, and for the pacer the user its requests are for
        // when they do not say (a code or refresh grant), so Okta's per-user limits are kept per user.
        using var lease = Lanes.Acquire();
        // Okta's scarcest budget is a client's /authorize (60 a minute, against 4 a second per user at /token): lanes
        // are balanced by it. By check counts, a two-lane paced run's web clients ended at 412 and 372 requests, and
        // the busier one set the run's length.
        lease.MeasureBy(() => scope.Exchanges.Count(e => authorizationEndpoints.Contains(e.Url.Split('?', '#')[0])));
        using var inLane = lease.Lane.Enter();
        using var actingFor = PaceIdentity.ActAs(lease.Lane.User?.Username);
        var context = new CheckContext(definition, target, server, driver, deadline.Token, noDriverReason, Extend, lease.Lane, Lanes.Users);
        CheckResult Result(Outcome outcome, string message, string? expected = null, string? observed = null) =>
            new(definition, server?.Name, outcome, target.Http.Redactor.Text(message), Redact(expected), Redact(observed), scope.Exchanges, context.Notes.Select(target.Http.Redactor.Text).ToList(), clock.Elapsed)
            {
                Tokens = context.Tokens,
            };

        if (definition.Invasive && !target.Profile.Options.Invasive)
        {
            return Result(Outcome.NotApplicable, "invasive check (it could lock or throttle a real account); set options.invasive to run it");
        }

        if (definition.Slow && !target.Profile.Options.Slow)
        {
            return Result(Outcome.NotApplicable, "slow check (it waits minutes on the target); set options.slow to run it");
        }

        if (server?.Unavailable is { } unavailable)
        {
            return Result(Outcome.Inconclusive, $"server '{server.Name}' is unavailable: {unavailable}");
        }

        try
        {
            await check.RunAsync(context).ConfigureAwait(false);
            return Result(Outcome.Pass, definition.Requirement);
        }
        catch (RequirementViolatedException e)
        {
            return Result((e.Level ?? definition.Level) == RequirementLevel.Must ? Outcome.Fail : Outcome.Warning, e.Message, e.Expected, e.Observed);
        }
        catch (NotApplicableException e)
        {
            return Result(Outcome.NotApplicable, e.Message);
        }
        catch (PreconditionFailedException e)
        {
            return Result(Outcome.Inconclusive, "precondition failed: " + e.Message);
        }
        catch (RateLimitedException e)
        {
            return Result(Outcome.Inconclusive, "rate limited: " + e.Message);
        }
        catch (IssuerUnreachableException e)
        {
            // Also a body over the cap (ResponseTooLargeException): "body over N MB at URL".
            return Result(Outcome.Inconclusive, e.Message);
        }
        catch (ScriptLoginPageException e)
        {
            // The driver cannot run a script application: a gap of this driver, named as such, not of the server.
            return Result(Outcome.NotApplicable, e.Message);
        }
        catch (LoginFailedException e)
        {
            return Result(Outcome.Inconclusive, "the login did not complete: " + e.Message);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            return Result(Outcome.Inconclusive, $"the check did not finish within {timeout.TotalSeconds:0} s");
        }
        catch (Exception e) when (AssertionFailures.Recognise(e))
        {
            // A FluentAssertions expectation inside the body (a flow asserts step by step): the requirement is what
            // was expected, the assertion's own words (with its "because" clause) what was observed.
            return Result(definition.Level == RequirementLevel.Must ? Outcome.Fail : Outcome.Warning, e.Message, definition.Requirement, e.Message);
        }
    }

    private string? Redact(string? text) => text is null ? null : target.Http.Redactor.Text(text);
}
