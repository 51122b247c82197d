using Conformance.Harness.Http;
using NUnit.Framework.Interfaces;
using NUnit.Framework.Internal;

namespace Conformance.Suites.Run;

/// <summary>
/// The last gate before NUnit's result reaches a logger (console, TRX, JUnit): every test's message, stack trace
/// and assertion results pass through the run's redactor once the test, its set-up and tear-down are over. Flow
/// failures are FluentAssertions messages that may quote what the server said (an error_description echoing the
/// request, a page's text); catalogue messages are redacted where they are built, and again here.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly)]
public sealed class RedactResultsAttribute : Attribute, ITestAction
{
    public ActionTargets Targets => ActionTargets.Test;

    public void BeforeTest(ITest test)
    {
    }

    public void AfterTest(ITest test)
    {
        if (TargetRun.Redactor is not { } redactor)
        {
            return;
        }

        var result = TestExecutionContext.CurrentContext.CurrentResult;
        var message = redactor.Text(result.Message);
        var stackTrace = result.StackTrace is null ? null : redactor.Text(result.StackTrace);
        if (message != result.Message || stackTrace != result.StackTrace)
        {
            result.SetResult(result.ResultState, message, stackTrace);
        }

        var assertions = result.AssertionResults;
        for (var i = 0; i < assertions.Count; i++)
        {
            var assertion = assertions[i];
            var text = redactor.Text(assertion.Message);
            if (text != assertion.Message)
            {
                assertions[i] = new AssertionResult(assertion.Status, text, assertion.StackTrace is null ? null : redactor.Text(assertion.StackTrace));
            }
        }
    }
}

/// <summary>Test output and progress lines: redacted before they are written, since NUnit keeps output as written.</summary>
internal static class Say
{
    public static void Line(string text) => TestContext.Out.WriteLine(Redact(text));

    public static void Progress(string text) => TestContext.Progress.WriteLine(Redact(text));

    /// <summary>
    /// A measured phase of the run ("setup", "reports"), on the progress stream and appended to timing.txt in the
    /// artifacts, where scripts/bench reads it (dotnet test's console does not always show progress lines).
    /// </summary>
    public static void Timing(string phase, TimeSpan elapsed, string about)
    {
        var line = $"[timing] {phase} {elapsed.TotalSeconds.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)} s ({about})";
        Progress(line);
        Directory.CreateDirectory(RunParameters.ArtifactsDirectory);
        File.AppendAllText(Path.Combine(RunParameters.ArtifactsDirectory, "timing.txt"), line + Environment.NewLine);
    }

    private static string Redact(string text) => TargetRun.Redactor is { } redactor ? redactor.Text(text) : text;
}
