namespace Conformance.Harness.Checks;

/// <summary>The server broke the rule: what the requirement expects versus what was observed.</summary>
public sealed class RequirementViolatedException(string message, string expected, string observed) : Exception(message)
{
    public string Expected { get; } = expected;

    public string Observed { get; } = observed;
}

/// <summary>The target does not offer the feature the check is about.</summary>
public sealed class NotApplicableException(string reason) : Exception(reason);

/// <summary>A step before the rule could be tested failed, so the check says nothing about the rule.</summary>
public sealed class PreconditionFailedException(string reason) : Exception(reason);
