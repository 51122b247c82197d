using Conformance.Reports.Allure;

namespace Conformance.Reports.Tests;

/// <summary>A previous report's history/ is carried into the new allure-results, and the renderer is told where it is.</summary>
public sealed class AllureHistoryTests
{
    private const string TwoReports = "{\"uuid\":\"r1\",\"timestamp\":1}\n{\"uuid\":\"r2\",\"timestamp\":2}\n";

    private static string Write(string directory, string? history, out string log)
    {
        using var writer = new StringWriter();
        RunReports.Write([Samples.Run()], directory, new ReportOptions { Pdf = false, Html = false, RenderAllure = false, AllureHistory = history, Log = writer });
        log = writer.ToString();
        return Path.Combine(directory, RunReports.AllureResultsDirectory, AllureHistory.Folder);
    }

    [Test]
    public void The_history_folder_of_a_previous_report_is_copied_into_the_new_results()
    {
        var root = Directory.CreateTempSubdirectory("allure-history-").FullName;
        var previous = Path.Combine(root, "previous", RunReports.AllureReportDirectory, AllureHistory.Folder);
        Directory.CreateDirectory(previous);
        File.WriteAllText(Path.Combine(previous, AllureHistory.FileName), TwoReports);
        File.WriteAllText(Path.Combine(previous, "history-trend.json"), "[]");

        var history = Write(Path.Combine(root, "now"), Path.Combine(root, "previous"), out var log);

        File.ReadAllText(Path.Combine(history, AllureHistory.FileName)).Should().Be(TwoReports);
        File.ReadAllText(Path.Combine(history, "history-trend.json")).Should().Be("[]");
        log.Should().Contain($"Allure history: 2 files from {previous} (2 earlier reports)");
        Directory.GetFiles(Path.Combine(root, "now", RunReports.AllureResultsDirectory), "*-result.json").Should().HaveCount(12, "the results are written as before");
    }

    [Test]
    public void The_history_survives_a_report_written_over_the_folder_it_came_from()
    {
        var root = Directory.CreateTempSubdirectory("allure-history-same-").FullName;
        var history = Write(root, null, out _);
        Directory.CreateDirectory(history);
        File.WriteAllText(Path.Combine(history, AllureHistory.FileName), TwoReports);

        Write(root, root, out var log);

        File.ReadAllText(Path.Combine(history, AllureHistory.FileName)).Should().Be(TwoReports, log);
    }

    [Test]
    public void A_report_rendered_again_into_the_same_folder_is_this_run_and_not_the_last()
    {
        // The mirrored history/ of the first render made allure 3.18 write the second to awesome/, and the first
        // run's index.html and summary.json at the top passed for the second's.
        var root = Directory.CreateTempSubdirectory("allure-rerender-").FullName;
        using (var first = new StringWriter())
        {
            RunReports.Write([Samples.Run()], root, new ReportOptions { Pdf = false, Html = false, RenderAllure = true, Log = first });
            if (!first.ToString().Contains("Allure report: /", StringComparison.Ordinal))
            {
                Assert.Ignore("the Allure report was not rendered here: " + first);
            }
        }

        var index = Path.Combine(root, RunReports.AllureReportDirectory, "index.html");
        File.SetLastWriteTimeUtc(index, DateTime.UtcNow.AddDays(-1));
        using var second = new StringWriter();
        RunReports.Write([Samples.Run()], root, new ReportOptions { Pdf = false, Html = false, RenderAllure = true, Log = second });

        second.ToString().Should().Contain($"Allure report: {index}");
        File.GetLastWriteTimeUtc(index).Should().BeAfter(DateTime.UtcNow.AddHours(-1), "the second render wrote the top-level report itself");
        Directory.Exists(Path.Combine(root, RunReports.AllureReportDirectory, "awesome")).Should().BeFalse();
    }

    [Test]
    public void A_folder_without_history_is_said_and_does_not_stop_the_reports()
    {
        var root = Directory.CreateTempSubdirectory("allure-history-none-").FullName;

        var history = Write(Path.Combine(root, "now"), Path.Combine(root, "first-night"), out var log);

        Directory.Exists(history).Should().BeFalse();
        log.Should().Contain($"Allure history: {Path.Combine(root, "first-night")} holds no history/ folder").And.Contain("the trend starts with this run");
    }

    [Test]
    public void The_report_command_takes_allure_history_and_the_gate_command_refuses_it()
    {
        var root = Directory.CreateTempSubdirectory("allure-history-cli-").FullName;
        Samples.Run().Write(Path.Combine(root, "results.json"));
        var previous = Path.Combine(root, "previous", AllureHistory.Folder);
        Directory.CreateDirectory(previous);
        File.WriteAllText(Path.Combine(previous, AllureHistory.FileName), TwoReports);
        using var output = new StringWriter();
        using var error = new StringWriter();

        Program.Run(["report", "--results", Path.Combine(root, "results.json"), "--out", Path.Combine(root, "out"), "--no-pdf", "--no-allure-render",
            "--allure-history", Path.Combine(root, "previous")], output, error).Should().Be(1, "the sample run has MUST failures");

        File.ReadAllText(Path.Combine(root, "out", RunReports.AllureResultsDirectory, AllureHistory.Folder, AllureHistory.FileName)).Should().Be(TwoReports, output.ToString());
        var gate = () => Program.Run(["gate", "--results", root, "--allure-history", previous], output, error);
        gate.Should().Throw<Exception>().Which.Message.Should().Contain("--allure-history is for report");
    }

    [Test]
    public void The_renderer_points_allure_at_the_history_file_with_a_limit()
    {
        var config = AllureRenderer.Config("Conformance: acme", "/tmp/out/allure-report", null, AllureHistory.FileIn("/tmp/out/allure-results"));

        config.Should().Contain("historyPath: \"/tmp/out/allure-results/history/history.jsonl\",").And.Contain($"historyLimit: {AllureRenderer.HistoryLimit},");
        AllureRenderer.Config("Conformance: acme", "/tmp/out/allure-report", null).Should().NotContain("historyPath");
    }
}
