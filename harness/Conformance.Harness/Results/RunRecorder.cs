using System.Collections.Concurrent;
using Conformance.Harness.Checks;
using Conformance.Harness.Protocol;

namespace Conformance.Harness.Results;

/// <summary>Collects the results of one run as they come in, from parallel tests, and writes the run file once.</summary>
public sealed class RunRecorder(ConnectedTarget target, IReadOnlyList<string> loginDrivers, IReadOnlyCollection<string> faults)
{
    private readonly ConcurrentQueue<RunCheck> checks = new();
    private readonly ConcurrentQueue<RunFlow> flows = new();
    private readonly DateTimeOffset started = DateTimeOffset.UtcNow;

    public string RunId { get; } = $"{DateTimeOffset.UtcNow:yyyyMMdd'T'HHmmss'Z'}-{Guid.NewGuid():N}"[..25];

    public void Add(CheckResult result, IReadOnlyList<string>? attachments = null) => checks.Enqueue(RunCheck.From(result, attachments));

    public void Add(RunFlow flow) => flows.Enqueue(flow);

    /// <summary>
    /// An end-to-end flow run as a check: keyed by its NUnit name and categories (what expected-verdict files and
    /// baselines match on), described by its definition (id, requirement, linked clauses), judged by the result.
    /// </summary>
    public void AddFlow(CheckResult result, string name, IReadOnlyList<string> categories, string? message, IReadOnlyList<string>? attachments = null) =>
        flows.Enqueue(Flow(result, name, categories, message, attachments));

    public static RunFlow Flow(CheckResult result, string name, IReadOnlyList<string> categories, string? message, IReadOnlyList<string>? attachments = null) =>
        new(name, categories, result.Outcome, message, result.Duration.TotalMilliseconds, result.Exchanges, attachments ?? [])
        {
            Id = result.Definition.Id,
            Requirement = result.Definition.Requirement,
            Specs = result.Definition.Specs.Select(s => new RunSpec(s.ToString(), s.Link.ToString())).ToList(),
            Expected = result.Expected,
            Observed = result.Observed,
            Tokens = result.Tokens,
        };

    public RunFile ToFile() => new()
    {
        RunId = RunId,
        HarnessVersion = typeof(RunRecorder).Assembly.GetName().Version?.ToString(3) ?? "0.0.0",
        StartedAt = started,
        FinishedAt = DateTimeOffset.UtcNow,
        Target = new RunTarget(
            target.Profile.Name,
            target.Servers.Select(s => new RunServer(s.Name, s.Issuer.OriginalString, s.Profile.Audience, s.Unavailable is null ? null : target.Http.Redactor.Text(s.Unavailable))).ToList(),
            target.Profile.AllClients.Select(c => new RunClient(c.Role, c.ClientId, c.IsConfidential)).ToList(),
            loginDrivers,
            faults.ToList()) { MaxInconclusive = target.Profile.Options.MaxInconclusive },
        Checks = checks.OrderBy(c => c.Id, StringComparer.Ordinal).ThenBy(c => c.Server, StringComparer.Ordinal).ToList(),
        Flows = flows.OrderBy(f => f.Name, StringComparer.Ordinal).ToList(),
    };
}
