using Conformance.Harness.Results;

namespace Conformance.Reports;

/// <summary>
/// How one verdict is named across runs, so two runs of a target can be compared verdict by verdict: the expected
/// verdicts of an independent provider and the baseline comparison of the CI gate name a verdict the same way.
/// The key holds no target: a comparison is always within one target.
/// </summary>
public static class VerdictKeys
{
    /// <summary>"CHECK-ID(server)", or "CHECK-ID(target)" for a target-wide check.</summary>
    public static string Of(RunCheck check)
    {
        ArgumentNullException.ThrowIfNull(check);
        return $"{check.Id}({check.Server ?? "target"})";
    }

    /// <summary>"flow:area/Test_name(server,driver)": the NUnit name alone may repeat across fixtures of different areas.</summary>
    public static string Of(RunFlow flow)
    {
        ArgumentNullException.ThrowIfNull(flow);
        var area = flow.Categories.FirstOrDefault(c => c.StartsWith("flow:", StringComparison.Ordinal)) ?? "flow:?";
        return $"{area}/{flow.Name}";
    }

    /// <summary>A message on one line, cut at 300 characters: it is quoted inside a line of a file or a summary.</summary>
    public static string OneLine(string? text)
    {
        var line = string.Join(' ', (text ?? "").Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()));
        return line.Length > 300 ? line[..300] + "…" : line;
    }
}
