using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Conformance.Harness.Browser;
using Conformance.Harness.Results;
using Conformance.Reports.Allure;
using Conformance.Reports.Html;

namespace Conformance.Reports;

/// <summary>What to write and how to judge it. Every renderer that needs an outside tool is optional and says why it skipped.</summary>
public sealed record ReportOptions
{
    /// <summary>A waivers file (JSON array of {check, server?, target?, reason, expires}); null = no waivers.</summary>
    public string? WaiversFile { get; init; }

    /// <summary>Waivers given in code; used with those of <see cref="WaiversFile"/>.</summary>
    public IReadOnlyList<Waiver> Waivers { get; init; } = [];

    public GateOptions Gate { get; init; } = new();

    /// <summary>An earlier run of the same target(s) (<see cref="Reports.Baseline.Load"/>); new failures and lost coverage against it fail the gate. Empty = no comparison.</summary>
    public IReadOnlyList<BaselineFile> Baseline { get; init; } = [];

    /// <summary>A previous report's output, allure-results or allure-report folder whose history/ carries Allure's trend into this report; null = none.</summary>
    public string? AllureHistory { get; init; }

    public bool Html { get; init; } = true;

    /// <summary>Print the HTML to PDF with Playwright in the system Chromium (skipped with a message when it is missing).</summary>
    public bool Pdf { get; init; } = true;

    public bool AllureResults { get; init; } = true;

    /// <summary>Render the Allure results with Allure Report 3 through node (skipped with a message when node is missing).</summary>
    public bool RenderAllure { get; init; } = true;

    /// <summary>Chromium to print with (--chromium); default the one <see cref="BrowserLocator"/> finds.</summary>
    public string? Chromium { get; init; }

    /// <summary>
    /// A running Playwright browser (headless Chromium) to print the PDF in, such as the one the suites drove the
    /// flows with: no second browser is started. Null = launch the one <see cref="Browser"/> or <see cref="Chromium"/> names, and close it after.
    /// </summary>
    public Microsoft.Playwright.IBrowser? PdfBrowser { get; init; }

    /// <summary>The PDF's paper: "A4" (default) or "Letter".</summary>
    public string PdfPaper { get; init; } = "A4";

    /// <summary>
    /// The browser the run located, and reported, at its start; when none was found its message (with the install
    /// command) goes to gate.txt as a note and the console gets one short line, so a run says it once.
    /// </summary>
    public BrowserLocation? Browser { get; init; }

    /// <summary>The folder with package.json and package-lock.json for Allure; default reports/ found upward from the working directory.</summary>
    public string? NodeProject { get; init; }

    /// <summary>Where to look for attachment files (screenshots) that are not at their recorded path.</summary>
    public IReadOnlyList<string> AttachmentDirectories { get; init; } = [];

    /// <summary>
    /// Secret values (name → value) that must appear in no artifact. The reports never repeat one (it is masked as
    /// *** in the HTML, the Allure results and the gate summary, should a check have recorded it unredacted); and
    /// after writing, every output file and the files in <see cref="ScanAlso"/> (the run's results.json and evidence)
    /// are scanned: a hit fails the gate, naming the file and the secret's name, never its value.
    /// </summary>
    public IReadOnlyDictionary<string, string> Secrets { get; init; } = new Dictionary<string, string>();

    /// <summary>Confidential clients whose HTTP Basic credential (base64 of id:secret, RFC 6749 §2.3.1) must appear nowhere either.</summary>
    public IReadOnlyList<BasicCredential> Clients { get; init; } = [];

    /// <summary>More files or directories to scan for secrets (the run's results.json and evidence folder).</summary>
    public IReadOnlyList<string> ScanAlso { get; init; } = [];

    public TimeSpan ToolTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Progress and the gate summary; Console.Out by default.</summary>
    public TextWriter? Log { get; init; }

    public string Title { get; init; } = "OAuth 2.0 / OpenID Connect conformance: security review";

    /// <summary>The profile's confidential clients for <see cref="Clients"/>, named by their secret's reference.</summary>
    public static IReadOnlyList<BasicCredential> ClientsOf(Harness.Target.TargetProfile profile) =>
        profile.AllClients.Where(c => c.Secret is { } s && s.Reveal().Length > 0)
            .Select(c => new BasicCredential($"HTTP Basic credential of {c.ClientId} ({c.Secret!.Reference})", c.ClientId, c.Secret.Reveal()))
            .ToList();

    /// <summary>The profile's secrets for <see cref="Secrets"/>, named by their reference (env:NAME), never by value.</summary>
    public static IReadOnlyDictionary<string, string> SecretsOf(IEnumerable<Harness.Target.Secret> secrets) =>
        secrets.Where(s => !string.IsNullOrEmpty(s.Reveal()))
            .GroupBy(s => s.Reveal(), StringComparer.Ordinal)
            .ToDictionary(g => string.Join(" / ", g.Select(s => s.Reference).Distinct(StringComparer.Ordinal)), g => g.Key, StringComparer.Ordinal);
}

/// <summary>
/// The entry point: merge the runs, judge them, and write the security review (HTML, PDF), the Allure results
/// (and the rendered Allure report), and the gate summary into one directory.
/// <code>
/// var verdict = RunReports.Write([RunFile.Read(path)], outDirectory, new ReportOptions { WaiversFile = "waivers.json" });
/// Environment.ExitCode = verdict.ExitCode;
/// </code>
/// Files written: security-review.html, security-review.pdf, allure-results/, allure-report/index.html,
/// allurerc.mjs, gate.txt, gate.json. With a baseline, the gate also compares the run with it (<see cref="Reports.Baseline"/>).
/// </summary>
public static class RunReports
{
    public const string HtmlFile = "security-review.html";
    public const string PdfFile = "security-review.pdf";
    public const string AllureResultsDirectory = "allure-results";
    public const string AllureReportDirectory = "allure-report";
    public const string GateTextFile = "gate.txt";
    public const string GateJsonFile = "gate.json";

    /// <exception cref="WaiversFileException">The waivers file is missing or invalid (the message names each wrong field).</exception>
    /// <exception cref="BaselineException">The baseline is a run of another target; nothing is written.</exception>
    public static GateVerdict Write(IReadOnlyList<RunFile> runs, string outDirectory, ReportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var log = options.Log ?? Console.Out;
        var clock = Stopwatch.StartNew();
        var waivers = LoadWaivers(options);
        var data = ReportData.Merge(runs);
        var (verdict, baseline) = Evaluate(data, waivers, options);
        var attachments = new Attachments(options.AttachmentDirectories);
        var messages = new List<string>(baseline?.Lines() ?? []);
        var mask = SecretScan.Masker(options.Secrets, options.Clients);
        Directory.CreateDirectory(outDirectory);

        string? html = null;
        if (options.Html)
        {
            html = Path.Combine(outDirectory, HtmlFile);
            File.WriteAllText(html, mask(new SecurityReview(data, verdict, waivers, attachments) { Title = options.Title, Baseline = baseline }.Render()), new UTF8Encoding(false));
            messages.Add($"security review: {html} ({Size(html)}, {clock.Elapsed.TotalSeconds:0.0} s)");
        }

        var htmlLines = messages.Count;

        var notes = new List<string>();
        // The PDF (a browser printing) and the Allure report (a Node process) wait on different programs: printed
        // beside the Allure work, and its line put back in order after it.
        var (pdfMessages, pdfNotes) = (new List<string>(), new List<string>());
        var printing = Task.Run(() => PrintPdf(html, outDirectory, options, pdfMessages, pdfNotes));
        var scanClock = Stopwatch.StartNew();
        Task<SecretScan.Report>? scanningWritten = null;
        var scannedEarly = new List<string>();
        // The run's own files (results.json, evidence), the finished HTML and the Allure results are scanned for
        // secrets beside the PDF and the Allure rendering, on all cores but one: the critical path is the Allure
        // results, then Node rendering them, then the scan of what the PDF and Allure wrote. Started before the Allure
        // results were written, a scan on every core took their CPU: 2.0 s to write them instead of 0.4 s.
        void ScanWritten()
        {
            if (options.Secrets.Count > 0)
            {
                var files = FilesOutside(options.ScanAlso, outDirectory).Concat(html is null ? [] : [html]).Concat(SecretScan.FilesUnder(scannedEarly)).ToList();
                scanningWritten = Task.Run(() => SecretScan.Scan(files, options.Secrets, clients: options.Clients, parallelism: Math.Max(1, Environment.ProcessorCount - 1)));
            }
        }

        if (!options.AllureResults)
        {
            ScanWritten();
        }

        if (options.AllureResults)
        {
            var results = Path.Combine(outDirectory, AllureResultsDirectory);
            // Read before the results are written: the history may sit in the very folder that writing empties.
            var history = options.AllureHistory is null ? null : Allure.AllureHistory.Read(options.AllureHistory);
            var count = new AllureResults(data, verdict, attachments).Write(results);
            Parallel.ForEach(Directory.EnumerateFiles(results).Where(f => !f.EndsWith(".png", StringComparison.OrdinalIgnoreCase)), file =>
            {
                var text = File.ReadAllText(file);
                var masked = mask(text);
                if (!ReferenceEquals(text, masked) && text != masked)
                {
                    File.WriteAllText(file, masked, new UTF8Encoding(false));
                }
            });

            messages.Add($"Allure results: {results} ({count} results, {clock.Elapsed.TotalSeconds:0.0} s)");
            if (history is not null)
            {
                messages.Add(history.CopyInto(results));
            }

            // Complete now (Mirror later copies the history into the report folder, not here).
            scannedEarly.Add(results);
            ScanWritten();

            if (options.RenderAllure)
            {
                var name = "Conformance: " + string.Join(", ", data.Targets.Select(t => t.Name));
                var report = Path.Combine(outDirectory, AllureReportDirectory);
                var rendered = AllureRenderer.Render(results, report, name, options.NodeProject, options.ToolTimeout, count, Allure.AllureHistory.FileIn(results));
                messages.Add(rendered.Written ? $"Allure report: {rendered.File} ({Size(rendered.File!)}, {rendered.Took.TotalSeconds:0.0} s)" : rendered.ToString());
                if (rendered.Written)
                {
                    // The report folder carries the history too, for a CI that keeps only allure-report/.
                    Allure.AllureHistory.Mirror(results, report);
                }
            }
        }

        printing.GetAwaiter().GetResult();
        messages.InsertRange(htmlLines, pdfMessages);
        notes.AddRange(pdfNotes);
        if (scanningWritten is not null)
        {
            var written = scanningWritten.GetAwaiter().GetResult();
            var outputs = SecretScan.Scan(Directory.EnumerateFileSystemEntries(outDirectory).Where(e => e != html && !scannedEarly.Contains(e)), options.Secrets, clients: options.Clients);
            var findings = written.Findings.Concat(outputs.Findings).ToList();
            verdict = verdict.With(findings.Select(f => new GateProblem(GateProblemKind.SecretLeak, f.Secret, "", $"found ({f.Form}) in {f.File}")));
            messages.Add($"secret scan: {written.FilesScanned + outputs.FilesScanned} files, {options.Secrets.Count} secrets, {findings.Count} findings ({scanClock.Elapsed.TotalSeconds:0.0} s, beside the PDF and Allure)");
            messages.AddRange(written.Notes.Concat(outputs.Notes).Select(n => "secret scan: " + n));
        }

        messages.Add($"reports written in {clock.Elapsed.TotalSeconds:0.0} s");
        verdict = verdict with { Messages = messages };
        File.WriteAllText(Path.Combine(outDirectory, GateTextFile), mask((verdict with { Messages = [.. messages, .. notes] }).Summary()));
        File.WriteAllText(Path.Combine(outDirectory, GateJsonFile), mask(GateJson(verdict, baseline)));
        log.Write(mask(verdict.Summary()));
        return verdict;
    }

    /// <summary>The PDF of the security review, when asked for: the run's browser, else one found or named.</summary>
    private static void PrintPdf(string? html, string outDirectory, ReportOptions options, List<string> messages, List<string> notes)
    {
        if (options.Pdf && html is not null && options.PdfBrowser is { } running)
        {
            var pdf = PdfPrinter.Print(html, Path.Combine(outDirectory, PdfFile), running, options.ToolTimeout, options.PdfPaper);
            messages.Add(pdf.Written ? $"PDF: {pdf.File} ({Size(pdf.File!)}, {pdf.Took.TotalSeconds:0.0} s)" : pdf.ToString());
        }
        else if (options.Pdf && html is not null)
        {
            var browser = options.Browser ?? PdfPrinter.Browser(options.Chromium);
            if (!browser.Found && options.Browser is not null)
            {
                messages.Add($"PDF: skipped, no browser (said at the start of the run); the HTML review stands in: {html}");
                notes.Add("browser: " + browser.Message);
            }
            else
            {
                var pdf = PdfPrinter.Print(html, Path.Combine(outDirectory, PdfFile), browser, options.ToolTimeout, options.PdfPaper);
                messages.Add(pdf.Written ? $"PDF: {pdf.File} ({Size(pdf.File!)}, {pdf.Took.TotalSeconds:0.0} s)" : pdf.ToString());
            }
        }
    }

    /// <summary>Every file under <paramref name="paths"/> (files or folders) that is not in the reports' folder, whose files are scanned once written.</summary>
    private static IEnumerable<string> FilesOutside(IEnumerable<string> paths, string outDirectory)
    {
        var reports = Path.GetFullPath(outDirectory).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        return SecretScan.FilesUnder(paths).Where(f => !Path.GetFullPath(f).StartsWith(reports, StringComparison.Ordinal));
    }

    /// <summary>The gate alone: no file written, the summary to the log.</summary>
    /// <exception cref="BaselineException">The baseline is a run of another target.</exception>
    public static GateVerdict Judge(IReadOnlyList<RunFile> runs, ReportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var (verdict, baseline) = Evaluate(ReportData.Merge(runs), LoadWaivers(options), options);
        verdict = verdict with { Messages = baseline?.Lines() ?? [] };
        (options.Log ?? Console.Out).Write(SecretScan.Masker(options.Secrets, options.Clients)(verdict.Summary()));
        return verdict;
    }

    /// <summary>The gate over the run, and over its changes against the baseline when there is one.</summary>
    private static (GateVerdict Verdict, BaselineComparison? Baseline) Evaluate(ReportData data, IReadOnlyList<Waiver> waivers, ReportOptions options)
    {
        var baseline = Reports.Baseline.Compare(data, options.Baseline, waivers, options.Gate.Today);
        var verdict = Gate.Evaluate(data, waivers, options.Gate);
        return (baseline is null ? verdict : verdict.With(baseline.Problems), baseline);
    }

    private static List<Waiver> LoadWaivers(ReportOptions options)
    {
        var waivers = new List<Waiver>(options.Waivers);
        if (options.WaiversFile is not null)
        {
            waivers.AddRange(WaiversFile.Load(options.WaiversFile));
        }

        return waivers;
    }

    private static string GateJson(GateVerdict verdict, BaselineComparison? baseline) => JsonSerializer.Serialize(new
    {
        passed = verdict.Passed,
        exitCode = verdict.ExitCode,
        counts = verdict.Counts,
        problems = verdict.Problems.Select(p => new { kind = p.Label, subject = p.Subject, where = p.Where, detail = p.Detail }),
        waived = verdict.Waived.Select(w => new { check = w.Check, where = w.Where, outcome = Words.Outcome(w.Outcome), reason = w.Waiver.Reason, expires = w.Waiver.Expires.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) }),
        unusedWaivers = verdict.Unused.Select(u => new { waiver = u.Waiver.ToString(), why = u.Why }),
        notTested = verdict.NotTested.Select(n => new { subject = n.Subject, where = n.Where, must = n.Must, reason = n.Reason }),
        baseline = baseline?.ToJson(),
    }, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true });

    private static string Size(string file)
    {
        var bytes = new FileInfo(file).Length;
        return bytes >= 1024 * 1024 ? $"{bytes / (1024.0 * 1024):0.0} MiB" : $"{bytes / 1024.0:0} KiB";
    }
}
