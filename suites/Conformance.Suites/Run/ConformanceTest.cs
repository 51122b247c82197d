using Conformance.Harness.Http;
using Conformance.Harness.Jose;
using Conformance.Harness.Login;
using Conformance.Harness.Protocol;
using Conformance.Harness.Target;

namespace Conformance.Suites.Run;

/// <summary>
/// What every conformance fixture shares: the connected target, and a way to run a check so that its HTTP
/// exchanges become evidence and a broken precondition becomes inconclusive rather than failed.
/// </summary>
public abstract class ConformanceTest
{
    protected static ConnectedTarget Target => TargetRun.Target;

    /// <summary>The named login driver, or not applicable (with the reason) when it cannot work on this machine.</summary>
    protected static ILoginDriver LoginDriver(string name)
    {
        if (!TargetRun.LoginDrivers.TryGetValue(name, out var entry))
        {
            Assert.Ignore($"not applicable: the target profile does not list the '{name}' login driver");
        }

        if (entry.Driver is null)
        {
            Assert.Ignore($"not applicable: {entry.Unavailable}");
        }

        return entry.Driver!;
    }


    /// <summary>The server by name, or inconclusive when its discovery failed.</summary>
    protected static AuthorizationServer Server(string name)
    {
        var server = Target.Server(name);
        if (server.Unavailable is not null)
        {
            Assert.Inconclusive($"server '{name}' is unavailable: {server.Unavailable}");
        }

        return server;
    }

    /// <summary>The client of that role, or not applicable when the target configures none for this server.</summary>
    protected static ClientProfile Client(string role, AuthorizationServer server)
    {
        var client = Target.Profile.Client(role);
        if (client is null || !client.ServesServer(server.Name))
        {
            Assert.Ignore($"not applicable: the target profile has no '{role}' client for server '{server.Name}'");
        }

        return client!;
    }

    protected static void RequireMetadata(AuthorizationServer server, string field, string value)
    {
        if (!server.Metadata.Lists(field, value))
        {
            Assert.Ignore($"not applicable: server '{server.Name}' does not list '{value}' in {field}");
        }
    }

    /// <summary>Not applicable unless the server may offer the grant: listed in its metadata, or declared by a client role of the profile.</summary>
    protected static void RequireGrant(AuthorizationServer server, string grant)
    {
        if (Offering.NotOffered(server, Target.Profile, grant) is { } reason)
        {
            Assert.Ignore("not applicable: " + reason);
        }
    }

    /// <summary>A refusal (unsupported_grant_type, unauthorized_client) of a grant the server does not list is not applicable; anything else is judged by the flow.</summary>
    protected static void NotApplicableIfRefused(AuthorizationServer server, string grant, TokenResponse tokens)
    {
        if (Offering.RefusedAsNotOffered(server, grant, tokens) is { } reason)
        {
            Assert.Ignore("not applicable: " + reason);
        }
    }

    /// <summary>The first login driver of the profile that can run here, for back-channel flows that need a user's code flow.</summary>
    protected static ILoginDriver AnyLoginDriver()
    {
        var driver = TargetRun.LoginDrivers.Values.Select(d => d.Driver).FirstOrDefault(d => d is not null);
        if (driver is null)
        {
            Assert.Ignore("not applicable: no login driver of the profile can run here");
        }

        return driver!;
    }

    /// <summary>
    /// Runs the body of a check inside its own evidence scope. The exchanges are written to the test output
    /// and to an evidence file whatever the outcome, already redacted.
    /// </summary>
    protected static async Task CheckAsync(Func<Task> body)
    {
        var test = TestContext.CurrentContext.Test;
        using var scope = Target.Http.Recorder.BeginScope(test.FullName);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            await body().ConfigureAwait(false);
        }
        catch (IssuerUnreachableException e)
        {
            // Also a body over the cap (ResponseTooLargeException): "inconclusive: body over N MB at URL".
            Assert.Inconclusive($"inconclusive: {e.Message}");
        }
        catch (ScriptLoginPageException e)
        {
            Assert.Ignore($"not applicable: {e.Message}");
        }
        catch (LoginFailedException e)
        {
            Assert.Inconclusive($"inconclusive, the login did not complete: {e.Message}");
        }
        finally
        {
            var file = Evidence.Write(test.FullName, scope.Exchanges);
            Flows[test.ID] = (scope.Exchanges, file, clock.Elapsed);
        }
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, (IReadOnlyList<HttpExchange> Exchanges, string? File, TimeSpan Duration)> Flows = new();

    /// <summary>Hands the flow's verdict to the run's results, once NUnit has decided it.</summary>
    [TearDown]
    public void RecordFlow()
    {
        var context = TestContext.CurrentContext;
        if (TargetRun.Results is null || !Flows.TryRemove(context.Test.ID, out var flow))
        {
            return;
        }

        var outcome = context.Result.Outcome.Status switch
        {
            NUnit.Framework.Interfaces.TestStatus.Passed => Harness.Checks.Outcome.Pass,
            NUnit.Framework.Interfaces.TestStatus.Failed => Harness.Checks.Outcome.Fail,
            NUnit.Framework.Interfaces.TestStatus.Warning => Harness.Checks.Outcome.Warning,
            NUnit.Framework.Interfaces.TestStatus.Skipped => Harness.Checks.Outcome.NotApplicable,
            _ => Harness.Checks.Outcome.Inconclusive,
        };
        // The fixture's categories (flow:...) live on the class, the case's (server:..., driver:...) on the test.
        var categories = GetType().GetCustomAttributes(typeof(CategoryAttribute), true).Cast<CategoryAttribute>().Select(c => c.Name)
            .Concat(context.Test.Properties["Category"].Cast<string>()).Distinct().ToList();
        TargetRun.Results.Add(new Harness.Results.RunFlow(
            context.Test.Name, categories, outcome, Target.Http.Redactor.Text(context.Result.Message), flow.Duration.TotalMilliseconds,
            flow.Exchanges, flow.File is null ? [] : [flow.File]));
    }
}
