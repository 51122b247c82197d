using Conformance.Harness.Checks;

namespace Conformance.Checks;

/// <summary>
/// What a rule says, member by member: each text is named where it is written, so the requirement, the applicability
/// and the remediation cannot be swapped unseen, and a missing one does not compile.
/// </summary>
internal sealed record RuleText
{
    public required string Id { get; init; }

    public required string Area { get; init; }

    public required RequirementLevel Level { get; init; }

    public required Severity Severity { get; init; }

    /// <summary>The clause as the server must obey it, in the protocol's words.</summary>
    public required string Requirement { get; init; }

    /// <summary>"RFC7636 §4.6; RFC9700 §2.1.1": the clauses, each linked from the spec-link table.</summary>
    public required string Specs { get; init; }

    /// <summary>What the target must offer for the rule to apply.</summary>
    public required string Applicability { get; init; }

    /// <summary>What the server's owner should change when the rule fails.</summary>
    public required string Remediation { get; init; }

    /// <summary>The check itself: Require (not applicable), Precondition (inconclusive), Expect (the rule).</summary>
    public required Func<CheckContext, Task> Run { get; init; }

    /// <summary>"RFC6819 §4.4.1.1; RFC9700 §4.5": the threats the rule mitigates.</summary>
    public string Threats { get; init; } = "";

    /// <summary>It could lock or throttle a real account: run only when the profile says options.invasive.</summary>
    public bool Invasive { get; init; }

    /// <summary>It waits minutes (c.WaitAsync): run only when the profile says options.slow.</summary>
    public bool Slow { get; init; }

    /// <summary>Once per target rather than once per authorization server.</summary>
    public bool PerTarget { get; init; }

    /// <summary>
    /// "OAuch: AuthEndpoint/InvalidRedirectTest; OIDF: oidcc-ensure-registered-redirect-uri": the anchor suites'
    /// equivalents (OAuch folder/class, OpenID Foundation module), "(partial)" after one that covers less.
    /// </summary>
    public string Anchors { get; init; } = "";
}

/// <summary>Builds a check from its named parts, so an area file reads as a list of rules.</summary>
internal static class Define
{
    public static Check Rule(RuleText rule) =>
        new RuleCheck(
            new CheckDefinition
            {
                Id = rule.Id,
                Area = rule.Area,
                Level = rule.Level,
                Severity = rule.Severity,
                Requirement = rule.Requirement,
                Specs = Refs(rule.Specs),
                Threats = Refs(rule.Threats),
                Applicability = rule.Applicability,
                Remediation = rule.Remediation,
                Invasive = rule.Invasive,
                Slow = rule.Slow,
                PerTarget = rule.PerTarget,
                Anchors = rule.Anchors.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            },
            rule.Run);

    /// <summary>"RFC7636 §4.6; RFC9700 §2.1.1" → references.</summary>
    private static List<SpecRef> Refs(string list) =>
        list.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(SpecRef.Parse).ToList();
}
