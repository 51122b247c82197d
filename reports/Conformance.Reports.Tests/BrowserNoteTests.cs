using Conformance.Harness.Browser;

namespace Conformance.Reports.Tests;

/// <summary>
/// A run without a browser: the HTML review stands in for the PDF, the console (which the run's start already told)
/// gets one short line, and gate.txt keeps the whole message with the install command, once.
/// </summary>
public sealed class BrowserNoteTests
{
    private static readonly BrowserLocation None = new(null, BrowserSource.None, "no Chrome or Chromium found",
        "no Chrome or Chromium found (...). Browser flows are not applicable and the HTML review replaces the PDF. To install one, run: sudo apt-get install -y chromium",
        "sudo apt-get install -y chromium");

    [Test]
    public void No_browser_the_HTML_stands_in_and_the_message_is_noted_once_in_the_gate_file_not_repeated_on_the_console()
    {
        var directory = Directory.CreateTempSubdirectory("browser-note-").FullName;
        using var writer = new StringWriter();

        var verdict = RunReports.Write([Samples.Run()], directory, new ReportOptions { Browser = None, AllureResults = false, Log = writer });

        File.Exists(Path.Combine(directory, RunReports.HtmlFile)).Should().BeTrue();
        File.Exists(Path.Combine(directory, RunReports.PdfFile)).Should().BeFalse();
        var console = writer.ToString();
        console.Should().Contain("PDF: skipped, no browser (said at the start of the run); the HTML review stands in: ")
            .And.NotContain("sudo apt-get install -y chromium");
        var gate = File.ReadAllText(Path.Combine(directory, RunReports.GateTextFile));
        gate.Split("To install one, run: sudo apt-get install -y chromium").Should().HaveCount(2, "the message is noted exactly once");
        verdict.Messages.Should().NotContain(m => m.StartsWith("browser:", StringComparison.Ordinal));
    }

    [Test]
    public void The_CLI_without_a_browser_names_the_missing_path_and_the_command_in_the_PDF_line()
    {
        var directory = Directory.CreateTempSubdirectory("browser-note-").FullName;
        using var writer = new StringWriter();

        RunReports.Write([Samples.Run()], directory, new ReportOptions { Chromium = "/nonexistent/chrome", AllureResults = false, Log = writer });

        writer.ToString().Should().Contain("PDF: skipped, no browser to print with, the HTML review stands in: --chromium names /nonexistent/chrome, which does not exist")
            .And.Contain("to install one, run:");
    }
}
