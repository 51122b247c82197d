using Conformance.Harness.Http;
using Conformance.Harness.Jose;

namespace Conformance.Harness.Checks;

public enum Outcome
{
    /// <summary>The server did what the requirement says.</summary>
    Pass,

    /// <summary>A MUST was broken.</summary>
    Fail,

    /// <summary>A SHOULD (or MAY) was broken; does not fail a run by default.</summary>
    Warning,

    /// <summary>The target does not offer what the check is about.</summary>
    NotApplicable,

    /// <summary>A precondition failed, or the target was unreachable, rate-limited or answered with a body over the cap: nothing was learned.</summary>
    Inconclusive,
}

/// <summary>One check against one server (or the whole target), with what it saw.</summary>
public sealed record CheckResult(
    CheckDefinition Definition,
    string? Server,
    Outcome Outcome,
    string Message,
    string? Expected,
    string? Observed,
    IReadOnlyList<HttpExchange> Exchanges,
    IReadOnlyList<string> Notes,
    TimeSpan Duration)
{
    /// <summary>Tokens the check looked at, decoded (header and claims) and fingerprinted, never whole.</summary>
    public IReadOnlyList<DecodedToken> Tokens { get; init; } = [];

    public override string ToString() =>
        $"{Definition.Id}{(Server is null ? "" : $" [{Server}]")}: {Outcome}" + (Outcome == Outcome.Pass ? "" : $", {Message}");
}
