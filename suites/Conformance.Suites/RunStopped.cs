using NUnit.Framework.Interfaces;

namespace Conformance.Suites;

/// <summary>
/// Stops the run before or after any check with one plain message: a wrong target profile, an unreachable
/// target, a failed gate. The cause is the user's input or the target, not our code, so no stack trace is
/// printed with it (NUnit prints an exception's stack trace; this one has none).
/// </summary>
internal sealed class RunStopped(string message) : ResultStateException(message)
{
    public override ResultState ResultState => ResultState.Failure;

    public override string? StackTrace => null;
}
