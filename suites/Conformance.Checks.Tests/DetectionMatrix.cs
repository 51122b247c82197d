using System.Collections.Concurrent;
using Conformance.Harness.Checks;
using Conformance.ReferenceIssuer;

namespace Conformance.Checks.Tests;

/// <summary>
/// Runs the whole catalogue against the conformant reference issuer and against each fault profile, once per
/// test run, and keeps every result. "" is the conformant profile.
/// </summary>
internal static class DetectionMatrix
{
    public const string Conformant = "";

    private static readonly Lazy<Task<IReadOnlyDictionary<string, IReadOnlyList<CheckResult>>>> Runs = new(RunAllAsync);

    public static Task<IReadOnlyDictionary<string, IReadOnlyList<CheckResult>>> ResultsAsync() => Runs.Value;

    /// <summary>Checks that broke (fail or warning) on at least one server under this profile.</summary>
    public static IReadOnlySet<string> Tripped(IReadOnlyList<CheckResult> results) =>
        results.Where(r => r.Outcome is Outcome.Fail or Outcome.Warning).Select(r => r.Definition.Id).ToHashSet();

    private static async Task<IReadOnlyDictionary<string, IReadOnlyList<CheckResult>>> RunAllAsync()
    {
        // CONFORMANCE_MATRIX_FAULTS=a,b runs only those fault profiles (and the conformant one): for working on a
        // few rules; the tests of the other faults then find no results and fail, so a full run never sets it.
        var only = Environment.GetEnvironmentVariable("CONFORMANCE_MATRIX_FAULTS")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var profiles = new[] { Conformant }.Concat(Faults.Registry.Keys.Where(f => only is null || only.Contains(f)).Order(StringComparer.Ordinal)).ToList();
        var results = new ConcurrentDictionary<string, IReadOnlyList<CheckResult>>();
        // Two issuers at a time keep both cores busy without starving the issuer under test of CPU.
        await Parallel.ForEachAsync(profiles, new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (fault, ct) =>
            results[fault] = await RunProfileAsync(fault, ct).ConfigureAwait(false)).ConfigureAwait(false);
        Write(results);
        return results;
    }

    private static Task<IReadOnlyList<CheckResult>> RunProfileAsync(string fault, CancellationToken ct) =>
        CatalogueRun.RunAsync(fault.Length == 0 ? new HashSet<string>() : new HashSet<string> { fault }, new HashSet<string>(), ct);

    /// <summary>The matrix as a table a person can read, next to the test results.</summary>
    private static void Write(IReadOnlyDictionary<string, IReadOnlyList<CheckResult>> results)
    {
        var directory = Path.Combine(Directory.GetCurrentDirectory(), "conformance-artifacts");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "detection-matrix.md");
        File.WriteAllText(path, DetectionMatrixReport.Markdown(results));
        TestContext.Progress.WriteLine($"[matrix] {results.Count - 1} fault profiles × {Catalogue.All.Count} checks, written to {path}");
    }
}
