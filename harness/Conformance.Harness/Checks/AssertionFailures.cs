namespace Conformance.Harness.Checks;

/// <summary>
/// Recognises a failed assertion of a check body without the harness depending on a test framework. FluentAssertions
/// throws the exception of the test framework it finds loaded (NUnit's AssertionException in the suites), and its own
/// AssertionFailedException when there is none, so they are known by name: referencing NUnit here would make every
/// caller of the runner (the detection matrix, the reports) carry it.
/// </summary>
internal static class AssertionFailures
{
    private static readonly HashSet<string> Names = new(StringComparer.Ordinal)
    {
        "NUnit.Framework.AssertionException",
        "FluentAssertions.Execution.AssertionFailedException",
        "Xunit.Sdk.XunitException",
        "Microsoft.VisualStudio.TestTools.UnitTesting.AssertFailedException",
    };

    /// <summary>True for an assertion failure of any framework FluentAssertions may throw for, or a subclass of one.</summary>
    public static bool Recognise(Exception exception)
    {
        for (var type = exception.GetType(); type is not null; type = type.BaseType)
        {
            if (type.FullName is { } name && Names.Contains(name))
            {
                return true;
            }
        }

        return false;
    }
}
