using System.Text.Json;
using System.Text.RegularExpressions;

namespace Conformance.Reports;

/// <summary>What an optional renderer did: the file it wrote, or why it wrote nothing.</summary>
public sealed record RenderOutcome(string What, string? File, string? Skipped, TimeSpan Took)
{
    public bool Written => File is not null;

    public override string ToString() => Written ? $"{What}: {File} ({Took.TotalSeconds:0.0} s)" : $"{What}: skipped, {Skipped}";
}

/// <summary>
/// Renders allure-results with Allure Report 3 (the npm package "allure", pinned by reports/package-lock.json and
/// installed with npm ci) into one self-contained index.html.
/// </summary>
public static partial class AllureRenderer
{
    /// <summary>The folder holding package.json and package-lock.json: CONFORMANCE_REPORTS_NODE, else reports/ found upward from here.</summary>
    public static string? NodeProject(string? configured)
    {
        if (!string.IsNullOrEmpty(configured))
        {
            return configured;
        }

        if (Environment.GetEnvironmentVariable("CONFORMANCE_REPORTS_NODE") is { Length: > 0 } fromEnv)
        {
            return fromEnv;
        }

        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "reports");
                if (File.Exists(Path.Combine(candidate, "package-lock.json")))
                {
                    return candidate;
                }

            }
        }

        return null;
    }

    /// <param name="expectedResults">How many results were written; a report that read fewer failed silently and is reported as failed.</param>
    /// <param name="historyPath">Allure 3's history file, read for the trend and appended with this report; null = no history.</param>
    public static RenderOutcome Render(string resultsDirectory, string outputDirectory, string reportName, string? nodeProject, TimeSpan timeout, int expectedResults, string? historyPath = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        RenderOutcome Skip(string why) => new("Allure report", null, why, clock.Elapsed);

        var node = Tools.Which("node");
        var npm = Tools.Which("npm");
        if (node is null || npm is null)
        {
            return Skip("node and npm are not on PATH; install Node.js 20 or later to render the Allure report (the allure-results are written all the same)");
        }

        var project = NodeProject(nodeProject);
        if (project is null || !File.Exists(Path.Combine(project, "package-lock.json")))
        {
            return Skip("reports/package.json and package-lock.json not found; set CONFORMANCE_REPORTS_NODE to the folder that holds them");
        }

        // npm ci replaces node_modules: two report runs at once (a suite's teardown and a CI step) must take turns.
        using var turn = Lock(Path.Combine(project, ".allure-render.lock"), timeout);
        if (turn is null)
        {
            return Skip($"another report run held {Path.Combine(project, ".allure-render.lock")} for {timeout.TotalSeconds:0} s");
        }

        var cli = Path.Combine(project, "node_modules", "allure", "cli.js");
        if (!InstalledMatchesLock(project))
        {
            var install = Tools.Run(npm, ["ci", "--no-audit", "--no-fund", "--loglevel=error"], project, timeout);
            if (install.ExitCode != 0)
            {
                return Skip((install.TimedOut ? "npm ci timed out" : $"npm ci failed (exit {install.ExitCode})") + Environment.NewLine + Tools.Tail(install.Output));
            }
        }

        if (!File.Exists(cli))
        {
            return Skip($"{cli} is missing after npm ci");
        }

        // The report of an earlier run into the same folder must not stand in for this one, and must not steer it:
        // with a history/ folder present (the mirror written after rendering), allure 3.18 writes to awesome/ and
        // leaves the old index.html and summary.json at the top, which then passed the count check below. The
        // folder is the renderer's own (allure-report/); the history is read from the results and mirrored again.
        if (Directory.Exists(outputDirectory))
        {
            Directory.Delete(outputDirectory, recursive: true);
        }

        Directory.CreateDirectory(outputDirectory);
        var config = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(outputDirectory))!, "allurerc.mjs");
        var categories = Path.Combine(resultsDirectory, "categories.json");
        File.WriteAllText(config, Config(reportName, outputDirectory, File.Exists(categories) ? File.ReadAllText(categories) : null, historyPath));
        var generate = Tools.Run(node, [cli, "generate", Path.GetFullPath(resultsDirectory), "--config", config, "--output", Path.GetFullPath(outputDirectory)], project, timeout);
        var index = Path.Combine(outputDirectory, "index.html");
        if (generate.ExitCode != 0 || !File.Exists(index))
        {
            return Skip((generate.TimedOut ? "allure generate timed out" : $"allure generate failed (exit {generate.ExitCode})") + Environment.NewLine + Tools.Tail(generate.Output));
        }

        // Allure logs unreadable result files and carries on; a report of nothing must not pass for a report.
        var read = TotalRead(Path.Combine(outputDirectory, "summary.json"));
        if (read is { } total && total != expectedResults)
        {
            return Skip($"allure generate read {total} of {expectedResults} results" + Environment.NewLine + Tools.Tail(generate.Output));
        }

        StripAnalytics(index);
        return new RenderOutcome("Allure report", index, null, clock.Elapsed);
    }

    /// <summary>The allurerc the run uses: Awesome, one self-contained file, grouped target → server → area.</summary>
    /// <remarks>Allure 3's Awesome plugin takes categories from the config, so those of categories.json are repeated here.</remarks>
    public static string Config(string reportName, string outputDirectory, string? categoriesJson, string? historyPath = null) => $$"""
        // Written by Conformance.Reports (AllureRenderer.Config) for this report; changes here are overwritten.
        export default {
          name: {{JsonSerializer.Serialize(reportName)}},
          output: {{JsonSerializer.Serialize(Path.GetFullPath(outputDirectory))}},{{History(historyPath)}}
          categories: {{(string.IsNullOrWhiteSpace(categoriesJson) ? "[]" : categoriesJson.Trim())}},
          plugins: {
            awesome: {
              options: {
                singleFile: true,
                reportLanguage: "en",
                reportName: {{JsonSerializer.Serialize(reportName)}},
                groupBy: ["parentSuite", "suite", "subSuite"],
              },
            },
          },
        };

        """;

    /// <remarks>Each line holds every result of one report: a limit keeps a nightly job's history file from growing without end.</remarks>
    private static string History(string? historyPath) => historyPath is null ? "" : $$"""

          historyPath: {{JsonSerializer.Serialize(Path.GetFullPath(historyPath))}},
          historyLimit: {{HistoryLimit}},
        """;

    /// <summary>How many earlier reports the history keeps.</summary>
    public const int HistoryLimit = 30;

    private static FileStream? Lock(string path, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(250);
            }
            catch (IOException)
            {
                return null;
            }
        }
    }

    private static int? TotalRead(string summary)
    {
        try
        {
            using var json = JsonDocument.Parse(File.ReadAllText(summary));
            return json.RootElement.GetProperty("stats").GetProperty("total").GetInt32();
        }
        catch (Exception e) when (e is IOException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>npm ci wipes node_modules and takes seconds; skip it when what is installed is what the lock pins.</summary>
    private static bool InstalledMatchesLock(string project)
    {
        try
        {
            var installed = Path.Combine(project, "node_modules", ".package-lock.json");
            var cli = Path.Combine(project, "node_modules", "allure", "cli.js");
            if (!File.Exists(installed) || !File.Exists(cli))
            {
                return false;
            }

            using var lockFile = JsonDocument.Parse(File.ReadAllText(Path.Combine(project, "package-lock.json")));
            using var installedFile = JsonDocument.Parse(File.ReadAllText(installed));
            string? Version(JsonDocument doc) =>
                doc.RootElement.TryGetProperty("packages", out var packages) && packages.TryGetProperty("node_modules/allure", out var allure) && allure.TryGetProperty("version", out var v) ? v.GetString() : null;
            return Version(lockFile) is { } wanted && wanted == Version(installedFile);
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            return false;
        }
    }

    /// <summary>
    /// The Awesome template loads Google Tag Manager; the report is opened by security reviewers, offline, and must
    /// call nowhere. Remove external script tags and preconnects.
    /// </summary>
    private static void StripAnalytics(string index)
    {
        var html = File.ReadAllText(index);
        var stripped = ExternalScript().Replace(html, "");
        stripped = GtagInline().Replace(stripped, "");
        if (!ReferenceEquals(stripped, html) && stripped != html)
        {
            File.WriteAllText(index, stripped);
        }
    }

    [GeneratedRegex("""<script[^>]*\bsrc\s*=\s*["']https?://[^"']*["'][^>]*>\s*</script>""", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalScript();

    [GeneratedRegex("""<script>\s*window\.dataLayer[\s\S]*?</script>""", RegexOptions.IgnoreCase)]
    private static partial Regex GtagInline();
}
