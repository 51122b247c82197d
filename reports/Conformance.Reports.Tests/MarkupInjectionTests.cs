using AngleSharp.Html.Parser;
using Conformance.Harness.Browser;
using Conformance.Harness.Checks;
using Conformance.Harness.Http;
using Conformance.Harness.Results;

namespace Conformance.Reports.Tests;

/// <summary>
/// A server under test answers with an error_description made of markup. The review must show it as the text the
/// server sent, in the message, the observed value and the recorded response body, and run none of it: checked by
/// parsing the HTML as a browser would (AngleSharp), and by reading the text back out of the printed PDF.
/// </summary>
[NonParallelizable]
public sealed class MarkupInjectionTests
{
    private const string Payload = "<script>alert(1)</script><img src=x onerror=alert(1)>";

    private string directory = "";
    private GateVerdict verdict = null!;

    private static RunFile HostileRun()
    {
        var run = Samples.Run();
        var body = $$"""{"error":"invalid_request","error_description":"{{Payload}}"}""";
        var exchange = new HttpExchange(1, Samples.Started, TimeSpan.FromMilliseconds(7), "POST", "https://id.acme.test/oauth2/default/v1/token",
            [], "grant_type=authorization_code", 400, [new("Content-Type", "application/json")], body, null);
        var check = Samples.Check("TOK-07", "token-endpoint", "The token endpoint MUST issue tokens for a valid code.", RequirementLevel.Must, Severity.High, "default", Outcome.Fail,
            message: "the token endpoint refused the code: " + Payload, expected: "HTTP 200 with tokens", observed: "HTTP 400, error_description " + Payload, exchanges: [exchange]);
        return run with { Checks = [.. run.Checks, check] };
    }

    [OneTimeSetUp]
    public void WriteReports()
    {
        directory = Directory.CreateTempSubdirectory("markup-injection-").FullName;
        verdict = RunReports.Write([HostileRun()], directory, new ReportOptions { Pdf = true, AllureResults = false, RenderAllure = false, Log = TextWriter.Null });
    }

    [OneTimeTearDown]
    public void Clean() => Directory.Delete(directory, recursive: true);

    [Test]
    public void The_html_review_holds_the_payload_as_text_and_no_script_or_handler_from_it()
    {
        using var document = new HtmlParser().ParseDocument(File.ReadAllText(Path.Combine(directory, RunReports.HtmlFile)));

        document.QuerySelectorAll("script").Where(s => s.TextContent.Contains("alert", StringComparison.Ordinal)).Should().BeEmpty();
        document.All.Where(e => e.HasAttribute("onerror")).Select(e => e.OuterHtml).Should().BeEmpty();
        var text = document.Body!.TextContent;
        text.Should().Contain(Payload, "the server's text is shown as it was sent");
        text.Split(Payload).Length.Should().BeGreaterThanOrEqualTo(4, "the payload is in the finding's message or observed value, and in the recorded response body");
    }

    [Test]
    public void The_pdf_review_holds_the_payload_as_text()
    {
        var pdftotext = Tools.Which("pdftotext");
        var browser = PdfPrinter.Browser(null);
        if (pdftotext is null || !browser.Found)
        {
            Missing(pdftotext is null ? "pdftotext (poppler-utils) is not installed" : "no browser to print with: " + browser.Message);
        }

        var pdf = Path.Combine(directory, RunReports.PdfFile);
        File.Exists(pdf).Should().BeTrue("a browser was found, so the PDF must be printed: " + string.Join("; ", verdict.Messages.Where(m => m.StartsWith("PDF", StringComparison.Ordinal))));
        var text = SecretScan.PdfText(pdf, out var note);
        text.Should().NotBeNull(note);
        // pdftotext breaks long lines; the payload is whole once line breaks are taken out.
        text!.Replace("\n", "", StringComparison.Ordinal).Should().Contain("<script>alert(1)</script>");
    }

    /// <summary>A missing tool fails the test, so a machine without one cannot pass unseen; CONFORMANCE_INSTALL=never (nothing may be installed) skips it with the reason.</summary>
    private static void Missing(string why)
    {
        if (string.Equals(Environment.GetEnvironmentVariable(BrowserSetup.InstallVariable), "never", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Ignore($"{why}; skipped because {BrowserSetup.InstallVariable}=never");
        }

        Assert.Fail($"{why}: the PDF half of this test cannot run. Install it (scripts/install-chromium.sh installs Chromium and poppler-utils), or set {BrowserSetup.InstallVariable}=never to skip.");
    }
}
