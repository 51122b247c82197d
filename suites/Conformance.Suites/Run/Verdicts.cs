using System.Text;
using Conformance.Harness.Checks;
using Conformance.Reports;

namespace Conformance.Suites.Run;

/// <summary>
/// NUnit as a projection of a <see cref="CheckResult"/>, the one for catalogue checks and flows alike: pass; fail as a
/// <see cref="PlainFailure"/>; a warning or a waived failure as NUnit's Warning; not applicable as Ignore; inconclusive
/// as Inconclusive. The messages' leading words ("not applicable", "inconclusive", "waived", "ID SHOULD:") are what
/// .ci/run counts verdicts by.
/// </summary>
internal static class Verdicts
{
    /// <summary>The text NUnit will show for the result ("" for a pass), also kept as a flow's message in results.json.</summary>
    public static string Message(CheckResult result, string? evidence, Waiver? waiver = null) => result.Outcome switch
    {
        Outcome.Pass => "",
        Outcome.Fail when waiver is not null => $"waived until {waiver.Expires:yyyy-MM-dd}: {waiver.Reason}{Environment.NewLine}{Describe(result, evidence)}",
        Outcome.Fail or Outcome.Warning => Describe(result, evidence),
        Outcome.NotApplicable => "not applicable: " + result.Message,
        _ => "inconclusive: " + result.Message,
    };

    /// <summary>Ends the NUnit test the way the result says, with the message from <see cref="Message"/>.</summary>
    public static void Apply(CheckResult result, string message, bool waived = false)
    {
        foreach (var note in result.Notes)
        {
            Say.Line("note: " + note);
        }

        switch (result.Outcome)
        {
            case Outcome.Pass:
                Say.Line($"pass: {result.Definition.Requirement}");
                break;
            case Outcome.Fail when waived:
                Assert.Warn(message);
                break;
            case Outcome.Fail:
                throw new PlainFailure(message);
            case Outcome.Warning:
                Assert.Warn(message);
                break;
            case Outcome.NotApplicable:
                Assert.Ignore(message);
                break;
            default:
                Assert.Inconclusive(message);
                break;
        }
    }

    private static string Describe(CheckResult result, string? evidence)
    {
        var text = new StringBuilder();
        // A warning of a MUST check is a SHOULD step inside it (a flow's RFC 7009 §2 revocation): named as what warned.
        var level = result.Outcome == Outcome.Warning && result.Definition.Level == RequirementLevel.Must ? RequirementLevel.Should : result.Definition.Level;
        text.Append(result.Definition.Id).Append(' ').Append(level.ToString().ToUpperInvariant()).Append(": ").AppendLine(result.Message);
        if (result.Expected is not null)
        {
            text.Append("  expected: ").AppendLine(result.Expected);
            if (result.Observed != result.Message)
            {
                // An assertion of a flow is its own observation; said once, in the first line.
                text.Append("  observed: ").AppendLine(result.Observed);
            }
        }

        text.Append("  see: ").AppendLine(string.Join(", ", result.Definition.Specs.Select(s => $"{s} <{s.Link}>")));
        text.Append("  remediation: ").Append(result.Definition.Remediation);
        if (result.Outcome is Outcome.Fail or Outcome.Warning && result.Exchanges.Count > 0)
        {
            // In the message itself, so every logger (console, TRX, JUnit) shows what the server answered.
            text.AppendLine().Append("  HTTP exchanges (redacted, in full in ").Append(evidence).Append("):");
            foreach (var exchange in result.Exchanges)
            {
                text.AppendLine().Append("    ").Append(exchange.Summary);
            }
        }

        return text.ToString();
    }
}
