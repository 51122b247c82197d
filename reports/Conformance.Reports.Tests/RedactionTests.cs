using System.IO.Compression;
using System.Text;
using Conformance.Harness.Http;

namespace Conformance.Reports.Tests;

/// <summary>
/// Every artifact of a run, generated end to end (results.json, evidence files, HTML, PDF, Allure results and the
/// rendered Allure report), holds none of the reference issuer's secrets and no whole token.
/// </summary>
public sealed class RedactionTests
{
    private static string root = "";
    private static GateVerdict verdict = null!;
    private static string log = "";
    private static string scannedLog = "";

    [OneTimeSetUp]
    public void GenerateEveryArtifact()
    {
        root = Directory.CreateTempSubdirectory("redaction-").FullName;
        var artifacts = Path.Combine(root, "conformance-artifacts");
        var png = Samples.WritePng(Path.Combine(artifacts, "screenshots"));
        var run = Samples.Run(attachments: [png]);
        run.Write(Path.Combine(artifacts, "results.json"));
        Directory.CreateDirectory(Path.Combine(artifacts, "evidence"));
        foreach (var check in run.Checks.Where(c => c.Exchanges.Count > 0))
        {
            File.WriteAllText(Path.Combine(artifacts, "evidence", $"{check.Id}_{check.Server}.http.txt"), string.Join("\n----\n", check.Exchanges.Select(e => e.ToString())));
        }

        // No secrets handed to the writers: their masking must not hide what the redactor or the writers let through.
        using var writer = new StringWriter();
        RunReports.Write([run], Path.Combine(root, "reports"), new ReportOptions { AttachmentDirectories = [artifacts], Log = writer });
        log = writer.ToString();
        TestContext.Progress.WriteLine(log);

        // The same run with the secrets: the report run scans its own output and the run's artifacts.
        using var scanned = new StringWriter();
        verdict = RunReports.Write([run], Path.Combine(root, "reports-scanned"), new ReportOptions
        {
            Pdf = false,
            RenderAllure = false,
            AttachmentDirectories = [artifacts],
            Secrets = Samples.AllSecrets,
            ScanAlso = [artifacts],
            Log = scanned,
        });
        scannedLog = scanned.ToString();
    }

    [Test]
    public void The_secrets_really_went_through_the_exchanges_before_redaction()
    {
        // Guard against a vacuous scan: the sample run must have carried every secret the scan looks for.
        Samples.SeedSecrets.Keys.Should().Contain(["clients[web-app].clientSecret", "users[alice@example.test].password", "users[bob@example.test].totpSecret"]);
        var results = File.ReadAllText(Path.Combine(root, "conformance-artifacts", "results.json"));
        results.Should().Contain("Basic ***").And.Contain("client_secret=***").And.Contain("[sha256:").And.Contain("\\u0022password\\u0022:\\u0022***\\u0022");
    }

    [Test]
    public void No_artifact_holds_a_secret_or_a_whole_token()
    {
        var scan = SecretScan.Scan([root], Samples.AllSecrets);

        scan.FilesScanned.Should().BeGreaterThan(20);
        scan.Findings.Should().BeEmpty(string.Join("\n", scan.Findings));
        foreach (var note in scan.Notes)
        {
            TestContext.Out.WriteLine(note);
        }
    }

    [Test]
    public void The_report_run_scanned_its_own_output_and_the_gate_has_no_leak()
    {
        verdict.Problems.Should().NotContain(p => p.Kind == GateProblemKind.SecretLeak);
        scannedLog.Should().MatchRegex(@"secret scan: \d+ files, \d+ secrets, 0 findings");
    }

    [Test]
    public void Every_artifact_kind_was_generated_or_its_absence_explained()
    {
        var reports = Path.Combine(root, "reports");
        File.Exists(Path.Combine(reports, RunReports.HtmlFile)).Should().BeTrue();
        Directory.GetFiles(Path.Combine(reports, RunReports.AllureResultsDirectory), "*-attachment.txt").Should().NotBeEmpty();
        (File.Exists(Path.Combine(reports, RunReports.PdfFile)) || log.Contains("PDF: skipped", StringComparison.Ordinal)).Should().BeTrue(log);
        (File.Exists(Path.Combine(reports, RunReports.AllureReportDirectory, "index.html")) || log.Contains("Allure report: skipped", StringComparison.Ordinal)).Should().BeTrue(log);
    }

    [Test]
    public void The_rendered_allure_report_calls_nowhere()
    {
        var index = Path.Combine(root, "reports", RunReports.AllureReportDirectory, "index.html");
        if (!File.Exists(index))
        {
            Assert.Ignore("the Allure report was not rendered here: " + log);
        }

        File.ReadAllText(index).Should().NotContain("googletagmanager").And.NotContain("gtag(");
        var summary = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(Path.GetDirectoryName(index)!, "summary.json"))).RootElement;
        summary.GetProperty("stats").GetProperty("total").GetInt32().Should().Be(Samples.Run().Checks.Count + Samples.Run().Flows.Count, "Allure read every result");
    }

    [Test]
    public void The_scan_finds_a_secret_in_every_form_it_can_take()
    {
        // The scan must be able to fail: plant one secret per form and expect each to be found.
        var dir = Directory.CreateTempSubdirectory("planted-").FullName;
        var secret = Samples.SeedSecrets["users[alice@example.test].password"];
        File.WriteAllText(Path.Combine(dir, "plain.txt"), "password=" + secret);
        File.WriteAllText(Path.Combine(dir, "url.txt"), "password=" + Uri.EscapeDataString(secret));
        File.WriteAllText(Path.Combine(dir, "page.html"), "<td>" + System.Net.WebUtility.HtmlEncode("x" + secret) + "</td>");
        File.WriteAllText(Path.Combine(dir, "basic.txt"), "Authorization: Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(secret + "-and-some-more")));
        using (var gz = new GZipStream(File.Create(Path.Combine(dir, "data.gz")), CompressionLevel.Optimal))
        {
            gz.Write(Encoding.UTF8.GetBytes("{\"note\":\"" + secret + "\"}"));
        }

        var blob = Convert.ToBase64String(Encoding.UTF8.GetBytes(new string('x', 80) + "\"password\":\"" + secret + "\"" + new string('y', 80)));
        File.WriteAllText(Path.Combine(dir, "embedded.js"), "window.data=\"" + blob + "\";");
        File.WriteAllText(Path.Combine(dir, "token.txt"), "Bearer " + Samples.AccessToken);
        File.WriteAllText(Path.Combine(dir, "clean.txt"), "password=*** token=" + Redactor.Fingerprint(Samples.AccessToken));

        var scan = SecretScan.Scan([dir], new Dictionary<string, string> { ["alice's password"] = secret });

        scan.Findings.Select(f => Path.GetFileName(f.File)).Distinct().Should().BeEquivalentTo(["plain.txt", "url.txt", "page.html", "basic.txt", "data.gz", "embedded.js", "token.txt"]);
        scan.Findings.Should().Contain(f => f.File.EndsWith("token.txt", StringComparison.Ordinal) && f.Secret == "a whole JWT");
        scan.Findings.Select(f => f.ToString()).Should().NotContain(s => s.Contains(secret, StringComparison.Ordinal), "a finding never repeats the secret");
    }

    [Test]
    public void The_scan_sees_into_the_rendered_allure_report_where_data_is_embedded_as_base64()
    {
        var dir = Directory.CreateTempSubdirectory("planted-allure-").FullName;
        const string planted = "Planted-Secret-4711-xyz";
        var run = Samples.Run() with
        {
            Checks = [Samples.Check("X-01", "demo", "r", Harness.Checks.RequirementLevel.Must, Harness.Checks.Severity.Low, "default", Harness.Checks.Outcome.Fail,
                expected: "nothing echoed", observed: "the page echoed " + planted)],
        };

        using var writer = new StringWriter();
        RunReports.Write([run], dir, new ReportOptions { Pdf = false, Log = writer });
        var index = Path.Combine(dir, RunReports.AllureReportDirectory, "index.html");
        if (!File.Exists(index))
        {
            Assert.Ignore("the Allure report was not rendered here: " + writer);
        }

        File.ReadAllText(index).Should().NotContain(planted, "the single-file report embeds its data encoded, which is why the scan decodes it");
        SecretScan.Scan([index], new Dictionary<string, string> { ["planted"] = planted }).Findings.Should().NotBeEmpty();
    }

    [Test]
    public void A_leak_in_the_results_fails_the_gate_naming_the_file_and_the_secret_and_the_reports_do_not_repeat_it()
    {
        var dir = Directory.CreateTempSubdirectory("leak-").FullName;
        var secret = Samples.SeedSecrets["users[bob@example.test].password"];
        var leaky = Samples.Run() with
        {
            // A check that wrote a secret where no redactor looked: the observed value of its failure.
            Checks = [Samples.Check("X-01", "demo", "r", Harness.Checks.RequirementLevel.Must, Harness.Checks.Severity.Low, "default", Harness.Checks.Outcome.Fail,
                expected: "no password echoed", observed: "the page echoed " + Samples.SeedSecrets["users[bob@example.test].password"])],
        };

        var results = Path.Combine(dir, "artifacts", "results.json");
        leaky.Write(results);

        using var writer = new StringWriter();
        var reports = Path.Combine(dir, "reports");
        var leak = RunReports.Write([leaky], reports, new ReportOptions { Pdf = false, RenderAllure = false, Secrets = Samples.SeedSecrets, ScanAlso = [results], Log = writer });

        leak.Passed.Should().BeFalse();
        leak.Problems.Should().ContainSingle(p => p.Kind == GateProblemKind.SecretLeak).Which.ToString().Should()
            .Be($"secret leak: users[bob@example.test].password: found (as written) in {results}");
        writer.ToString().Should().Contain("observed the page echoed ***").And.NotContain(secret);
        SecretScan.Scan([reports], Samples.SeedSecrets).Findings.Should().BeEmpty("the reports mask what they know to be secret");
    }
}
