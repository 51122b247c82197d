using NUnit.Framework.Interfaces;

namespace Conformance.Suites;

/// <summary>
/// A failure whose message says all there is to say: a check the target broke, a wrong target profile, an
/// unreachable target, a failed gate. The cause is the target or the user's input, not the harness, so no
/// stack trace of ours is printed with it (NUnit prints an exception's stack trace; this one has none).
/// </summary>
internal sealed class PlainFailure(string message) : ResultStateException(message)
{
    public override ResultState ResultState => ResultState.Failure;

    public override string? StackTrace => null;
}
