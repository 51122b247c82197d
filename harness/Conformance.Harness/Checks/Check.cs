namespace Conformance.Harness.Checks;

/// <summary>
/// One rule. A check builds the honest flow, changes one thing, and asserts what the server must do, through
/// <see cref="CheckContext"/>; the runner turns what it throws into an outcome.
/// </summary>
public abstract class Check
{
    public abstract CheckDefinition Definition { get; }

    public abstract Task RunAsync(CheckContext context);

    public override string ToString() => Definition.Id;
}

/// <summary>A check written as a definition plus a body, for the many rules that need no state of their own.</summary>
public sealed class RuleCheck(CheckDefinition definition, Func<CheckContext, Task> body) : Check
{
    public override CheckDefinition Definition { get; } = definition;

    public override Task RunAsync(CheckContext context) => body(context);
}
