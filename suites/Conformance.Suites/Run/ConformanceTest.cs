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

    /// <summary>The named login driver, or not run (with the reason) when it cannot work on this machine.</summary>
    protected static ILoginDriver LoginDriver(string name)
    {
        if (!TargetRun.LoginDrivers.TryGetValue(name, out var entry))
        {
            Assert.Ignore($"not applicable: the target profile does not list the '{name}' login driver");
        }

        if (entry.Driver is null)
        {
            Assert.Ignore($"not run: {entry.Unavailable}");
        }

        return entry.Driver!;
    }

    protected static IdTokenValidator IdTokens { get; } = new();

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
        if (!server.Metadata.Strings(field).Contains(value))
        {
            Assert.Ignore($"not applicable: server '{server.Name}' does not list '{value}' in {field}");
        }
    }

    /// <summary>
    /// Runs the body of a check inside its own evidence scope. The exchanges are written to the test output
    /// and to an evidence file whatever the outcome, already redacted.
    /// </summary>
    protected static async Task CheckAsync(Func<Task> body)
    {
        var test = TestContext.CurrentContext.Test;
        using var scope = Target.Http.Recorder.BeginScope(test.FullName);
        try
        {
            await body().ConfigureAwait(false);
        }
        catch (IssuerUnreachableException e)
        {
            Assert.Inconclusive($"inconclusive: {e.Message}");
        }
        catch (LoginFailedException e)
        {
            Assert.Inconclusive($"inconclusive, the login did not complete: {e.Message}");
        }
        finally
        {
            Evidence.Write(test.FullName, scope.Exchanges);
        }
    }
}
