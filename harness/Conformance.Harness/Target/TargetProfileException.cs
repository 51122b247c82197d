namespace Conformance.Harness.Target;

/// <summary>
/// A profile that cannot be used. The message names every field that is wrong, by its JSON path,
/// so the run stops before any check starts.
/// </summary>
public sealed class TargetProfileException : Exception
{
    public TargetProfileException(string source, IReadOnlyList<string> problems)
        : base(Format(source, problems))
    {
        Source = source;
        Problems = problems;
    }

    public new string Source { get; }

    public IReadOnlyList<string> Problems { get; }

    private static string Format(string source, IReadOnlyList<string> problems) =>
        problems.Count == 1
            ? $"Target profile {source} is invalid: {problems[0]}"
            : $"Target profile {source} is invalid ({problems.Count} problems):" + string.Concat(problems.Select(p => $"{Environment.NewLine}  - {p}"));
}
