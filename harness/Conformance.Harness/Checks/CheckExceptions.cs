namespace Conformance.Harness.Checks;

/// <summary>The server broke the rule: what the requirement expects versus what was observed.</summary>
public sealed class RequirementViolatedException(string message, string expected, string observed) : Exception(message)
{
    public string Expected { get; } = expected;

    public string Observed { get; } = observed;

    /// <summary>
    /// The strength of the clause that was broken when it is weaker than the check's own: a flow rests on MUSTs but
    /// may take a SHOULD step on the way (RFC 7009 §2: access token revocation), which warns; null for the check's level.
    /// </summary>
    public RequirementLevel? Level { get; init; }
}

/// <summary>The target does not offer the feature the check is about.</summary>
public sealed class NotApplicableException(string reason) : Exception(reason);

/// <summary>A step before the rule could be tested failed, so the check says nothing about the rule.</summary>
public sealed class PreconditionFailedException(string reason) : Exception(reason);
