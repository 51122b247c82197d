namespace Conformance.Reports.Allure;

/// <summary>
/// Allure's history across runs. Allure 2 kept it in a <c>history/</c> folder copied from the last report into the
/// next results; Allure 3 reads and appends a <c>historyPath</c> file (JSON lines, one per report) and reads no
/// subfolder of the results. Both meet here: the history lives in <c>allure-results/history/</c>, the renderer points
/// <c>historyPath</c> at <c>history/history.jsonl</c> in it, and a previous output's <c>history/</c> folder is copied
/// in before rendering, so the trend and each check's history reach back across nights.
/// </summary>
public sealed class AllureHistory
{
    public const string Folder = "history";

    /// <summary>Allure 3's history file: one line per rendered report, appended by <c>allure generate</c>.</summary>
    public const string FileName = "history.jsonl";

    private readonly List<(string Relative, byte[] Content)> files;

    private readonly string? unreadable;

    private AllureHistory(string source, string? folder, List<(string, byte[])> files, string? unreadable = null)
    {
        Source = source;
        Found = folder;
        this.files = files;
        this.unreadable = unreadable;
    }

    /// <summary>The directory the caller gave.</summary>
    public string Source { get; }

    /// <summary>The history folder found in it; null when it has none (the first night of a new CI job).</summary>
    public string? Found { get; }

    /// <summary>The history file of a results folder, for the renderer's historyPath.</summary>
    public static string FileIn(string resultsDirectory) => Path.Combine(resultsDirectory, Folder, FileName);

    /// <summary>
    /// Reads the history of a previous output folder (its allure-results/ or allure-report/), of an allure-results or
    /// allure-report folder, or of a history folder itself. Read into memory at once: the folder may be the one this
    /// run's results are about to replace.
    /// </summary>
    public static AllureHistory Read(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var candidates = new[]
        {
            Path.Combine(directory, Folder),
            Path.Combine(directory, RunReports.AllureResultsDirectory, Folder),
            Path.Combine(directory, RunReports.AllureReportDirectory, Folder),
            directory,
        };
        try
        {
            var folder = candidates.FirstOrDefault(c => Directory.Exists(c) && Directory.EnumerateFiles(c).Any(IsHistoryFile));
            var files = folder is null
                ? []
                : Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
                    .Select(f => (Path.GetRelativePath(folder, f), File.ReadAllBytes(f))).ToList();
            return new AllureHistory(directory, folder, files);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A lost trend is no reason to lose the run's reports: said in the messages, not thrown.
            return new AllureHistory(directory, null, [], e.Message);
        }
    }

    /// <summary>Copies the history into <c>history/</c> of the results; says what it did, for the run's messages.</summary>
    public string CopyInto(string resultsDirectory)
    {
        if (unreadable is not null)
        {
            return $"Allure history: {Source} cannot be read ({unreadable}); the trend starts with this run";
        }

        if (Found is null)
        {
            return $"Allure history: {Source} holds no history/ folder (looked in it, its {RunReports.AllureResultsDirectory}/ and {RunReports.AllureReportDirectory}/); the trend starts with this run";
        }

        var target = Path.Combine(resultsDirectory, Folder);
        foreach (var (relative, content) in files)
        {
            var path = Path.Combine(target, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, content);
        }

        var runs = files.Where(f => f.Relative == FileName).Select(f => System.Text.Encoding.UTF8.GetString(f.Content).Split('\n').Count(l => l.Trim().Length > 0)).FirstOrDefault();
        return $"Allure history: {files.Count} file{(files.Count == 1 ? "" : "s")} from {Found} ({runs} earlier report{(runs == 1 ? "" : "s")})";
    }

    /// <summary>Copies the results' history folder (as Allure left it after rendering) into the report folder.</summary>
    public static void Mirror(string resultsDirectory, string reportDirectory)
    {
        var from = Path.Combine(resultsDirectory, Folder);
        if (!Directory.Exists(from))
        {
            return;
        }

        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var to = Path.Combine(reportDirectory, Folder, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to, overwrite: true);
        }
    }

    /// <summary>Allure 3's history file, or Allure 2's history.json / history-trend.json.</summary>
    private static bool IsHistoryFile(string path) =>
        Path.GetFileName(path) is FileName or "history.json" or "history-trend.json";
}
