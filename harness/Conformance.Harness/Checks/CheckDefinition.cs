namespace Conformance.Harness.Checks;

/// <summary>RFC 2119 strength of the requirement a check rests on; it decides fail versus warning.</summary>
public enum RequirementLevel
{
    Must,
    Should,
    May,
}

/// <summary>How much a violation matters to a reviewer, independent of the RFC 2119 level.</summary>
public enum Severity
{
    Critical,
    High,
    Medium,
    Low,
    Info,
}

/// <summary>
/// What a check is, as data: a stable id, the requirement in RFC 2119 words, where it is written, which
/// threats it mitigates and what the target must offer for it to apply. Reports and the detection matrix read
/// this; they never run NUnit to learn it.
/// </summary>
public sealed record CheckDefinition
{
    public required string Id { get; init; }

    /// <summary>The area it belongs to (discovery, pkce, refresh...), used for grouping and filtering.</summary>
    public required string Area { get; init; }

    /// <summary>One sentence in RFC 2119 words, e.g. "The token endpoint MUST refuse a wrong code_verifier."</summary>
    public required string Requirement { get; init; }

    public required RequirementLevel Level { get; init; }

    public required Severity Severity { get; init; }

    /// <summary>Where the requirement is written ("RFC7636 §4.6").</summary>
    public required IReadOnlyList<SpecRef> Specs { get; init; }

    /// <summary>RFC 6819 and RFC 9700 sections this check mitigates.</summary>
    public IReadOnlyList<SpecRef> Threats { get; init; } = [];

    /// <summary>What the target must offer for the check to apply, in words ("a public native client with PKCE").</summary>
    public required string Applicability { get; init; }

    /// <summary>What to change when it fails.</summary>
    public required string Remediation { get; init; }

    /// <summary>Could lock or throttle a real account: runs only when the profile sets options.invasive.</summary>
    public bool Invasive { get; init; }

    /// <summary>
    /// Waits minutes on the target's clock (e.g. for a code to expire): runs only when the profile sets options.slow,
    /// after every other check and one at a time.
    /// </summary>
    public bool Slow { get; init; }

    /// <summary>Checks about the org as a whole (several servers at once) run once, not per server.</summary>
    public bool PerTarget { get; init; }

    /// <summary>
    /// The equivalent tests of the two anchor suites, so a reviewer can compare coverage side by side:
    /// "OAuch: Folder/TestClass" and "OIDF: oidcc-module" entries; empty when neither has one.
    /// </summary>
    public IReadOnlyList<string> Anchors { get; init; } = [];
}
