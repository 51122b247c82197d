using Conformance.Harness.Checks;
using Conformance.Harness.Protocol;

namespace Conformance.Suites.Run;

/// <summary>
/// What every flow fixture shares: a flow is a check (its definition beside its test), run by the harness's
/// <see cref="CheckRunner"/> with the test's login driver, recorded in results.json with its NUnit name and
/// categories, and projected onto NUnit by <see cref="Verdicts"/> like a catalogue check.
/// </summary>
public abstract class ConformanceTest
{
    protected static ConnectedTarget Target => TargetRun.Target;

    /// <summary>
    /// Runs the flow against one server, with the named login driver or, for a back-channel flow, the run's first
    /// driver that can run here (a user's code flow may still be needed to get a token).
    /// </summary>
    protected async Task FlowAsync(CheckDefinition definition, Func<CheckContext, Task> body, string serverName, string? driver = null)
    {
        var test = TestContext.CurrentContext.Test;
        var check = new RuleCheck(definition, body);
        var server = Target.Server(serverName);
        // The fixture's categories (flow:...) live on the class, the case's (server:..., driver:...) on the test.
        var categories = GetType().GetCustomAttributes(typeof(CategoryAttribute), true).Cast<CategoryAttribute>().Select(c => c.Name)
            .Concat(test.Properties["Category"].Cast<string>()).Distinct().ToList();
        CheckResult result;
        try
        {
            result = driver is null
                ? await TargetRun.Checks.RunAsync(check, server).ConfigureAwait(false)
                : await RunWithDriverAsync(check, server, driver).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Not a verdict the runner knows (a harness bug, an answer no step foresaw): NUnit reports the error,
            // and the run's results still hold the flow as failed, as they did when NUnit decided.
            TargetRun.Results.Add(new Harness.Results.RunFlow(test.Name, categories, Outcome.Fail, Target.Http.Redactor.Text(e.Message), 0, [], []) { Id = definition.Id, Requirement = definition.Requirement });
            throw;
        }

        var evidence = Evidence.Write(test.FullName, result.Exchanges);
        var message = Verdicts.Message(result, evidence);
        TargetRun.Results.AddFlow(result, test.Name, categories, Target.Http.Redactor.Text(message), evidence is null ? [] : [evidence]);
        Verdicts.Apply(result, message);
    }

    /// <summary>The named driver; one the profile does not list, or that cannot run here, makes the flow not applicable with the reason.</summary>
    private static async Task<CheckResult> RunWithDriverAsync(Check check, AuthorizationServer server, string driver)
    {
        if (!TargetRun.LoginDrivers.TryGetValue(driver, out var entry))
        {
            return await TargetRun.Checks.RunAsync(check, server, null, $"the target profile does not list the '{driver}' login driver").ConfigureAwait(false);
        }

        if (entry.Driver is not null)
        {
            await TargetRun.DriverReadyAsync(driver).ConfigureAwait(false);
        }

        return await TargetRun.Checks.RunAsync(check, server, entry.Driver, entry.Unavailable).ConfigureAwait(false);
    }

    /// <summary>Not applicable unless the server may offer the grant: listed in its metadata, or declared by a client role of the profile.</summary>
    protected static void RequireGrant(CheckContext context, string grant)
    {
        if (Offering.NotOffered(context.Server, context.Profile, grant) is { } reason)
        {
            context.Require(false, reason);
        }
    }

    /// <summary>A refusal (unsupported_grant_type, unauthorized_client) of a grant the server does not list is not applicable; anything else is judged by the flow.</summary>
    protected static void NotApplicableIfRefused(CheckContext context, string grant, TokenResponse tokens)
    {
        if (Offering.RefusedAsNotOffered(context.Server, grant, tokens) is { } reason)
        {
            context.Require(false, reason);
        }
    }

    /// <summary>"RFC6749 §4.1; OIDC-Core §3.1.3.7": the clauses a flow rests on, each resolved to its link now, so a document SpecLinks does not know fails when the suite loads.</summary>
    protected static IReadOnlyList<SpecRef> Specs(string list)
    {
        var specs = list.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(SpecRef.Parse).ToList();
        foreach (var spec in specs)
        {
            _ = spec.Link;
        }

        return specs;
    }
}
