using Conformance.Harness.Checks;

namespace Conformance.Checks;

/// <summary>Terse construction of checks, so an area file reads as a list of rules.</summary>
internal static class Define
{
    public static Check Rule(
        string id,
        string area,
        RequirementLevel level,
        Severity severity,
        string requirement,
        string specs,
        string applicability,
        string remediation,
        Func<CheckContext, Task> body,
        string threats = "",
        bool invasive = false,
        bool perTarget = false) =>
        new RuleCheck(
            new CheckDefinition
            {
                Id = id,
                Area = area,
                Level = level,
                Severity = severity,
                Requirement = requirement,
                Specs = Refs(specs),
                Threats = Refs(threats),
                Applicability = applicability,
                Remediation = remediation,
                Invasive = invasive,
                PerTarget = perTarget,
            },
            body);

    /// <summary>"RFC7636 §4.6; RFC9700 §2.1.1" → references.</summary>
    private static List<SpecRef> Refs(string list) =>
        list.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(SpecRef.Parse).ToList();
}
