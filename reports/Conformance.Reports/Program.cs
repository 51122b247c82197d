using Conformance.Harness.Browser;
using Conformance.Harness.Results;

namespace Conformance.Reports;

/// <summary>
/// <code>
/// report --results &lt;results.json|dir&gt; [--results …] --out &lt;dir&gt; [--waivers &lt;file&gt;] [--baseline &lt;results.json|dir&gt; …] [options]
/// gate   --results &lt;results.json|dir&gt; [--results …] [--waivers &lt;file&gt;] [--baseline &lt;results.json|dir&gt; …] [options]
/// expect --results &lt;results.json&gt; --expected &lt;file&gt; [--write --provider NAME --version V --profile PATH]
/// </code>
/// Exit code: 0 the gate passed, 1 it failed, 2 invalid input (usage, unreadable results or baseline, invalid waivers file).
/// </summary>
public static class Program
{
    private const string Usage = """
        usage:
          Conformance.Reports report --results <results.json|dir> [--results ...] --out <dir> [--waivers <file>] [--baseline <results.json|dir> ...] [options]
          Conformance.Reports gate   --results <results.json|dir> [--results ...] [--waivers <file>] [--baseline <results.json|dir> ...] [options]
          Conformance.Reports expect --results <results.json|dir> --expected <file> [--write --provider NAME --version V --profile PATH]
          Conformance.Reports differ --results <results.json> --results <results.json> [...]   (verdicts that differ between runs)
          Conformance.Reports browser [install [--with-deps]]   (the browser the run would use; install: Playwright's installer)
        """ + "\n" + ScanCommand.Usage + "\n" + """

        --results PATH          a results.json, or a directory searched for results.json files (repeatable; several merge)
        --out DIR               where report writes security-review.html/.pdf, allure-results/, allure-report/, gate.txt, gate.json
        --waivers FILE          JSON array of {"check", "server"?, "target"?, "reason", "expires": "yyyy-MM-dd"}
        --baseline PATH         an earlier run's results.json, or a directory of them (repeatable): new failures and lost
                                coverage against it fail the gate; fixed failures and new coverage are reported
        --allure-history DIR    report: a previous --out, allure-results or allure-report folder; its history/ is copied
                                into the new allure-results so Allure's trend reaches back across runs
        --fail-on-warnings      SHOULD warnings fail the gate too
        --fail-on-inconclusive  inconclusive checks fail the gate too
        --today yyyy-MM-dd      the date waivers expire against (default: today, UTC)
        --secret-env NAME       the value of environment variable NAME must appear in no artifact (repeatable)
        --no-pdf                do not print the PDF
        --no-allure             write no Allure results
        --no-allure-render      write the Allure results but do not render them
        --chromium PATH         Chromium to print with (default: $CONFORMANCE_CHROMIUM, Playwright's Chromium, else the system's)
        --expected FILE         expect: the provider's expected-verdicts file; the run must match it verdict by verdict
        --write                 expect: rewrite FILE from the run (annotations kept where the outcome is unchanged, TODO elsewhere)
        --gate all|checks|none  expect: which drift fails (default all; checks: the catalogue only; none: report)

        exit code: 0 gate passed, 1 gate failed, 2 invalid input (usage, unreadable results or baseline, a baseline of another target, invalid waivers file)
        """;

    public static int Main(string[] args)
    {
        try
        {
            return Run(args, Console.Out, Console.Error);
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine("error: " + e.Message);
            Console.Error.WriteLine(Usage);
            return GateVerdict.InvalidInputExitCode;
        }
    }

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            output.WriteLine(Usage);
            return args.Length == 0 ? GateVerdict.InvalidInputExitCode : 0;
        }

        var command = args[0];
        if (command == "browser")
        {
            return BrowserCommand(args[1..], output, error);
        }

        if (command is not ("report" or "gate" or "expect" or "differ" or "scan"))
        {
            throw new UsageException($"unknown command '{command}'");
        }

        if (command == "expect")
        {
            return Expect(args[1..], output, error);
        }

        if (command == "scan")
        {
            return ScanCommand.Run(args[1..], output, error);
        }

        if (command == "differ")
        {
            return Repeatability.Run(args[1..], output, error);
        }

        var results = new List<string>();
        var baselines = new List<string>();
        var secrets = new Dictionary<string, string>(StringComparer.Ordinal);
        string? outDirectory = null, waivers = null, chromium = null, allureHistory = null;
        bool failOnWarnings = false, failOnInconclusive = false, pdf = true, allure = true, render = true;
        DateOnly? today = null;
        for (var i = 1; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new UsageException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--results": results.Add(Value()); break;
                case "--out": outDirectory = Value(); break;
                case "--waivers": waivers = Value(); break;
                case "--baseline": baselines.Add(Value()); break;
                case "--allure-history": allureHistory = Value(); break;
                case "--chromium": chromium = Value(); break;
                case "--fail-on-warnings": failOnWarnings = true; break;
                case "--fail-on-inconclusive": failOnInconclusive = true; break;
                case "--no-pdf": pdf = false; break;
                case "--no-allure": allure = false; break;
                case "--no-allure-render": render = false; break;
                case "--today":
                    var day = Value();
                    today = DateOnly.TryParseExact(day, "yyyy-MM-dd", out var parsed) ? parsed : throw new UsageException($"--today '{day}' is not a date in the form yyyy-MM-dd");
                    break;
                case "--secret-env":
                    var name = Value();
                    var value = Environment.GetEnvironmentVariable(name);
                    if (string.IsNullOrEmpty(value))
                    {
                        error.WriteLine($"warning: --secret-env {name}: the variable is not set; nothing to scan for");
                    }
                    else
                    {
                        secrets[name] = value;
                    }

                    break;
                default: throw new UsageException($"unknown option '{args[i]}'");
            }
        }

        if (results.Count == 0)
        {
            throw new UsageException("give at least one --results");
        }

        if (command == "report" && outDirectory is null)
        {
            throw new UsageException("report needs --out <dir>");
        }

        if (command == "gate" && allureHistory is not null)
        {
            throw new UsageException("--allure-history is for report (gate writes no Allure report)");
        }

        List<string> files;
        List<RunFile> runs;
        IReadOnlyList<BaselineFile> baseline;
        try
        {
            files = results.SelectMany(ResultsFiles.Find).Distinct().ToList();
            runs = files.Select(RunFile.Read).ToList();
            baseline = Baseline.Load(baselines);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException or BaselineException)
        {
            error.WriteLine("error: " + e.Message);
            return GateVerdict.InvalidInputExitCode;
        }

        output.WriteLine($"{runs.Count} results file{(runs.Count == 1 ? "" : "s")}: {string.Join(", ", files)}");
        if (baseline.Count > 0)
        {
            output.WriteLine($"baseline: {string.Join(", ", baseline.Select(b => b.Path))}");
        }

        var directories = files.Select(f => Path.GetDirectoryName(Path.GetFullPath(f))!).Distinct().ToList();
        var options = new ReportOptions
        {
            WaiversFile = waivers,
            Baseline = baseline,
            AllureHistory = allureHistory,
            Gate = new GateOptions { FailOnWarnings = failOnWarnings, FailOnInconclusive = failOnInconclusive, Today = today },
            Pdf = pdf,
            AllureResults = allure,
            RenderAllure = render,
            Chromium = chromium,
            AttachmentDirectories = directories,
            Secrets = secrets,
            ScanAlso = directories,
            Log = output,
        };

        try
        {
            var verdict = command == "report" ? RunReports.Write(runs, outDirectory!, options) : RunReports.Judge(runs, options);
            return verdict.ExitCode;
        }
        catch (Exception e) when (e is WaiversFileException or BaselineException)
        {
            error.WriteLine("error: " + e.Message);
            return GateVerdict.InvalidInputExitCode;
        }
    }

    /// <summary>Compares one run with a provider's expected verdicts (exit 1 on any drift), or rewrites the file from it.</summary>
    /// <summary>
    /// <c>browser</c>: which browser the run would use and where it came from (exit 1 when none). <c>browser install</c>:
    /// Playwright's own installer (<c>playwright install chromium</c>), the <c>dotnet run</c> equivalent of
    /// <c>pwsh playwright.ps1 install chromium</c> for machines without PowerShell; the suites run it on a first run.
    /// </summary>
    private static int BrowserCommand(string[] args, TextWriter output, TextWriter error)
    {
        if (args.Length > 0 && args[0] == "install")
        {
            if (args[1..].Any(a => a != "--with-deps"))
            {
                throw new UsageException("browser install takes only --with-deps");
            }

            var exit = Microsoft.Playwright.Program.Main(["install", .. args[1..], "chromium"]);
            if (exit != 0)
            {
                // Playwright has printed why; repeating the search's whole message would only bury it.
                error.WriteLine($"browser install: Playwright's installer failed (exit {exit})");
                return exit;
            }

            var after = BrowserLocator.Default.Locate();
            (after.Found ? output : error).WriteLine(after.Found ? $"browser: {after.Path} ({after.SourceName})" : $"browser: {after.Message}");
            return after.Found ? 0 : 1;
        }

        if (args.Length > 0)
        {
            throw new UsageException($"unknown browser argument '{args[0]}'");
        }

        var location = BrowserLocator.Default.Locate();
        (location.Found ? output : error).WriteLine(location.Found ? $"browser: {location.Path} ({location.SourceName})" : $"browser: {location.Message}");
        return location.Found ? 0 : 1;
    }

    private static int Expect(string[] args, TextWriter output, TextWriter error)
    {
        string? results = null, expected = null, provider = null, version = null, profile = null;
        var write = false;
        var gate = "all";
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new UsageException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--results": results = Value(); break;
                case "--expected": expected = Value(); break;
                case "--write": write = true; break;
                case "--provider": provider = Value(); break;
                case "--version": version = Value(); break;
                case "--profile": profile = Value(); break;
                case "--gate":
                    gate = Value();
                    if (gate is not ("all" or "checks" or "none"))
                    {
                        throw new UsageException($"--gate '{gate}': use all, checks or none");
                    }

                    break;
                default: throw new UsageException($"unknown option '{args[i]}' for expect");
            }
        }

        if (results is null || expected is null)
        {
            throw new UsageException("expect needs --results and --expected");
        }

        try
        {
            var files = ResultsFiles.Find(results);
            if (files.Count != 1)
            {
                throw new InvalidDataException($"{results}: expect compares one run, found {files.Count} results files");
            }

            var run = RunFile.Read(files[0]);
            var previous = File.Exists(expected) ? ExpectedVerdicts.Read(expected) : null;
            if (write)
            {
                var updated = ExpectedVerdicts.FromRun(run, previous, provider ?? run.Target.Name, version ?? "unknown", profile ?? "");
                updated.Write(expected);
                output.WriteLine($"{expected}: written from {files[0]} ({updated.Counts()})");
                foreach (var todo in updated.Verdicts.Where(v => v.Value.Unexplained().Any()))
                {
                    output.WriteLine($"  to annotate: {todo.Key} ({ExpectedVerdicts.Name(todo.Value.Outcome)})");
                }

                return 0;
            }

            var file = previous ?? throw new InvalidDataException($"{expected}: no such file (run with --write to create it from this run)");
            var drift = file.Compare(run);
            output.WriteLine($"{file.Provider} {file.Version}: expected {file.Counts()}; run {run.Target.Name} with {run.Checks.Count} check and {run.Flows.Count} flow verdicts");
            // --gate checks: only the rule catalogue's verdicts decide; flow drift is printed as not gating.
            var gating = drift.Where(d => gate == "all" || (gate == "checks" && !d.StartsWith("flow:", StringComparison.Ordinal))).ToList();
            foreach (var problem in drift)
            {
                output.WriteLine((gating.Contains(problem) ? "  drift: " : "  drift (not gating): ") + problem);
            }

            output.WriteLine(drift.Count == 0 ? "Expected verdicts: MATCHED" : $"Expected verdicts: DRIFTED ({drift.Count}, {gating.Count} gating with --gate {gate})");
            return gating.Count == 0 ? 0 : 1;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine("error: " + e.Message);
            return GateVerdict.InvalidInputExitCode;
        }
    }

    internal sealed class UsageException(string message) : Exception(message);
}
