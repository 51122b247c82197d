using System.Text.Json;
using System.Text.Json.Serialization;
using Conformance.Harness.Checks;
using Conformance.Harness.Http;
using Conformance.Harness.Jose;

namespace Conformance.Harness.Results;

/// <summary>
/// Everything one run leaves for the reports, as JSON (schema "conformance-results/1"). Several files, from
/// several targets or shards, merge into one report. Nothing in it is secret: exchanges are redacted and tokens
/// are decoded and fingerprinted when they are recorded.
/// </summary>
public sealed record RunFile
{
    public const string SchemaName = "conformance-results/1";

    public string Schema { get; init; } = SchemaName;

    public required string RunId { get; init; }

    public required string HarnessVersion { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset FinishedAt { get; init; }

    public required RunTarget Target { get; init; }

    public IReadOnlyList<RunCheck> Checks { get; init; } = [];

    public IReadOnlyList<RunFlow> Flows { get; init; } = [];

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static RunFile Read(string path)
    {
        try
        {
            var run = JsonSerializer.Deserialize<RunFile>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path} is empty");
            return run.Schema == SchemaName ? run : throw new InvalidDataException($"{path} has schema '{run.Schema}', expected '{SchemaName}'");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not a results file: {e.Message}", e);
        }
    }

    public void Write(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, JsonSerializer.Serialize(this, Json));
    }
}

public sealed record RunTarget(
    string Name,
    IReadOnlyList<RunServer> Servers,
    IReadOnlyList<RunClient> Clients,
    IReadOnlyList<string> LoginDrivers,
    IReadOnlyList<string> Faults)
{
    /// <summary>
    /// The profile's <c>options.maxInconclusive</c>: how many MUST checks and offered flows may end inconclusive
    /// before the gate fails (0 by default: a rule not tested is not a rule passed).
    /// </summary>
    public int MaxInconclusive { get; init; }
}

public sealed record RunServer(string Name, string Issuer, string? Audience, string? Unavailable);

public sealed record RunClient(string Role, string ClientId, bool Confidential);

public sealed record RunSpec(string Reference, string Url);

/// <summary>One check against one server (or the whole target) with its definition, verdict and evidence.</summary>
public sealed record RunCheck(
    string Id,
    string Area,
    string Requirement,
    RequirementLevel Level,
    Severity Severity,
    IReadOnlyList<RunSpec> Specs,
    IReadOnlyList<RunSpec> Threats,
    string Applicability,
    string Remediation,
    string? Server,
    Outcome Outcome,
    string Message,
    string? Expected,
    string? Observed,
    IReadOnlyList<string> Notes,
    double DurationMs,
    IReadOnlyList<HttpExchange> Exchanges,
    IReadOnlyList<DecodedToken> Tokens,
    IReadOnlyList<string> Attachments)
{
    public static RunCheck From(CheckResult r, IReadOnlyList<string>? attachments = null) => new(
        r.Definition.Id, r.Definition.Area, r.Definition.Requirement, r.Definition.Level, r.Definition.Severity,
        r.Definition.Specs.Select(s => new RunSpec(s.ToString(), s.Link.ToString())).ToList(),
        r.Definition.Threats.Select(s => new RunSpec(s.ToString(), s.Link.ToString())).ToList(),
        r.Definition.Applicability, r.Definition.Remediation, r.Server, r.Outcome, r.Message, r.Expected, r.Observed, r.Notes,
        r.Duration.TotalMilliseconds, r.Exchanges, r.Tokens, attachments ?? []);
}

/// <summary>
/// An end-to-end flow: its NUnit name and categories (the keys expected-verdict files and baselines match on), its
/// outcome, and, like a catalogue check, the flow's own id, the clauses it rests on and what it expected and saw.
/// </summary>
public sealed record RunFlow(
    string Name,
    IReadOnlyList<string> Categories,
    Outcome Outcome,
    string? Message,
    double DurationMs,
    IReadOnlyList<HttpExchange> Exchanges,
    IReadOnlyList<string> Attachments)
{
    /// <summary>The flow's id in the catalogue of flows ("FLOW-CODE-PKCE"); null in results files written before flows had ids.</summary>
    public string? Id { get; init; }

    /// <summary>What the flow shows the server does, in RFC 2119 words.</summary>
    public string? Requirement { get; init; }

    /// <summary>The clauses every step of the flow rests on, each with its link.</summary>
    public IReadOnlyList<RunSpec> Specs { get; init; } = [];

    public string? Expected { get; init; }

    public string? Observed { get; init; }

    /// <summary>Tokens the flow looked at, decoded and fingerprinted, never whole.</summary>
    public IReadOnlyList<DecodedToken> Tokens { get; init; } = [];
}
