using Conformance.ReferenceIssuer;
using Conformance.Harness.Browser;
using Conformance.Harness.Checks;
using Conformance.Harness.Http;
using Conformance.Harness.Login;
using Conformance.Harness.Protocol;
using Conformance.Harness.Results;
using Conformance.Reports;
using Conformance.Harness.Target;
using Conformance.Suites.Plan;
using Conformance.Suites.Run;

namespace Conformance.Suites;

/// <summary>
/// Once per run: load and validate the target profile (a bad one stops the run here, with one message naming
/// every wrong field), start the embedded issuer when no target is configured, and discover every server.
/// </summary>
[SetUpFixture]
public sealed class TargetRun
{
    private static ConnectedTarget? target;
    private static EmbeddedIssuer? embedded;
    private static BrowserSession? browser;
    private static string? browserUnavailable;
    private static BrowserLocation? located;
    private static Dictionary<string, Lazy<Task<PreflightReport>>> deferredPreflights = [];

    public static CheckRunner Checks { get; private set; } = null!;

    /// <summary>Known deviations; a waived MUST failure is reported as a warning, and the gate judges the rest.</summary>
    public static IReadOnlyList<Waiver> Waivers { get; private set; } = [];

    /// <summary>The earlier run this one is compared with at the end (CONFORMANCE_BASELINE); empty for none.</summary>
    public static IReadOnlyList<BaselineFile> BaselineRuns { get; private set; } = [];

    /// <summary>Every verdict of the run, for the reports; written to results.json at the end.</summary>
    public static RunRecorder Results { get; private set; } = null!;

    /// <summary>The run's redactor, once the profile is read: every message and output line passes through it.</summary>
    public static Redactor? Redactor { get; private set; }

    public static ConnectedTarget Target => target ?? throw new InvalidOperationException("The target was not set up; see the OneTimeSetUp failure above.");

    /// <summary>The login drivers the profile asked for; a driver that cannot run here maps to the reason.</summary>
    public static IReadOnlyDictionary<string, (ILoginDriver? Driver, string? Unavailable)> LoginDrivers { get; private set; } =
        new Dictionary<string, (ILoginDriver?, string?)>();

    [OneTimeSetUp]
    public async Task ConnectAsync()
    {
        if (RunParameters.Plan)
        {
            // First, before anything that could connect (the browser install, the embedded issuer, discovery, the
            // preflight): a plan sends nothing. Ignored, not failed: nothing went wrong, and nothing was tested.
            // TestContext.Error, not Progress: dotnet test's console shows the first and drops the second.
            string file;
            try
            {
                (Redactor, file) = PlanMode.Write(TestContext.Error, RunParameters.ArtifactsDirectory);
            }
            catch (TargetProfileException e)
            {
                throw new PlainFailure(e.Message);
            }

            Assert.Ignore($"plan mode: nothing sent; the plan is in {file}");
        }

        var setupClock = System.Diagnostics.Stopwatch.StartNew();
        if (File.Exists(Path.Combine(RunParameters.ArtifactsDirectory, "timing.txt")))
        {
            File.Delete(Path.Combine(RunParameters.ArtifactsDirectory, "timing.txt")); // this run's phases only
        }
        TargetProfile profile;
        try
        {
            profile = await LoadProfileAsync().ConfigureAwait(false);
            Say.Timing("profile", setupClock.Elapsed, embedded is null ? "profile read" : "embedded issuer started, profile read");
        }
        catch (TargetProfileException e)
        {
            throw new PlainFailure(e.Message);
        }

        try
        {
            Waivers = RunParameters.WaiversFile is { } waiversFile ? WaiversFile.Load(waiversFile) : [];
        }
        catch (WaiversFileException e)
        {
            throw new PlainFailure(e.Message);
        }

        try
        {
            // Read now, not at the end: a wrong path or target should not cost a whole run.
            BaselineRuns = RunParameters.Baseline is { } baseline ? Baseline.Load([baseline]) : [];
            Baseline.RequireTarget(BaselineRuns, profile.Name);
        }
        catch (BaselineException e)
        {
            throw new PlainFailure(e.Message);
        }

        if (profile.Login.Drivers.Contains("browser") || RunParameters.Reports is "all" or "standard")
        {
            // Before anything connects: a first run may install the browser here, with a progress line.
            located = await BrowserStartup.LocateOrInstallAsync(line => TestContext.Error.WriteLine("[browser] " + line)).ConfigureAwait(false);
        }

        // Chromium starts while discovery runs: the two wait on different things (a process, the target), and
        // neither needs the other until the preflight.
        var phase = System.Diagnostics.Stopwatch.StartNew();
        var launching = profile.Login.Drivers.Contains("browser") && located is { Path: { } chromium }
            ? TimedAsync(() => BrowserSession.TryStartAsync(chromium))
            : null;
        var redactor = Redactor = Harness.Http.Redactor.ForProfile(profile);
        var http = new HarnessHttp(redactor, new EvidenceRecorder(), profile.Options.Timeout, profile.Options.MaxConcurrency, profile.Options.Pacing, profile.Options.MaxBodyMegabytes);
        var launch = TimeSpan.Zero;
        try
        {
            target = await ConnectedTarget.ConnectAsync(profile, http).ConfigureAwait(false);
            if (embedded is { } issuer)
            {
                // Seconds a check lets pass on the target (auth_time moving on for max_age and prompt=login) pass
                // on the embedded issuer's clock instead: a worker asleep for them is a quarter of the run idle.
                // Forward only, and slow checks (minutes) stay off here, so no other check's flow can tell.
                target.Wait = (span, _) =>
                {
                    issuer.Advance(span);
                    return Task.CompletedTask;
                };
            }

            Say.Timing("discovery", phase.Elapsed, $"{target.Servers.Count} servers, metadata and keys");
        }
        finally
        {
            // Awaited even when discovery threw, so a started Chromium is the teardown's to close, never left running.
            if (launching is not null)
            {
                // One Chromium for the whole run; each flow gets its own context.
                ((browser, browserUnavailable), launch) = await launching.ConfigureAwait(false);
            }
        }

        if (launching is not null && located is not null)
        {
            Say.Timing("browser", launch, "Chromium launch, beside discovery");
            // A browser that is there but does not start is said once too, where the console shows it.
            (browser is null ? TestContext.Error : TestContext.Progress).WriteLine(browser is null ? $"[browser] not available: {browserUnavailable}" : $"[browser] {browser.Version} at {browser.ExecutablePath} ({located.SourceName})");
        }
        else if (located is not null && !located.Found)
        {
            // Said once above with the command to run; each browser flow repeats only the short reason.
            browserUnavailable = located.Reason + " (see [browser] at the start of the run)";
        }

        LoginDrivers = profile.Login.Drivers.ToDictionary(name => name, name => CreateDriver(name, http, profile.Login));
        // The catalogue needs one user agent; the first driver of the profile that can run here.
        Checks = new CheckRunner(target, profile.Login.Drivers.Select(d => LoginDrivers[d].Driver).FirstOrDefault(d => d is not null));
        Results = new RunRecorder(target, profile.Login.Drivers, embedded is null ? [] : RunParameters.Faults);

        phase.Restart();
        if (RunParameters.Preflight && target.Servers.Any(s => s.Unavailable is null))
        {
            // A login that cannot succeed (an expired password, a changed login page) stops the run here, in
            // seconds, with one message naming user, server, driver and the server's answer.
            // Here, the catalogue's driver (the first that can run); every other driver on its first use by a
            // flow, so a run of the catalogue alone does not wait for browser logins it never makes, and a driver
            // that cannot log in still fails every flow of it with the same one line (DriverReadyAsync).
            var usable = LoginDrivers.Where(d => d.Value.Driver is not null).ToDictionary(d => d.Key, d => d.Value.Driver!);
            var preflight = await Preflight.RunAsync(target, usable.Take(1).ToDictionary()).ConfigureAwait(false);
            deferredPreflights = usable.Skip(1).ToDictionary(d => d.Key, d => new Lazy<Task<PreflightReport>>(async () =>
            {
                var report = await Preflight.RunAsync(target, new Dictionary<string, ILoginDriver> { [d.Key] = d.Value }, oneTimeCodeUsers: false).ConfigureAwait(false);
                // Said once, by the run that made it, however many flows of the driver wait on it.
                Say.Progress($"[preflight] {d.Key} driver: " + redactor.Text(report.Summary()));
                if (!report.Passed)
                {
                    Directory.CreateDirectory(RunParameters.ArtifactsDirectory);
                    await File.WriteAllTextAsync(PreflightFile(d.Key), redactor.Text(report.Summary()) + Environment.NewLine).ConfigureAwait(false);
                }

                return report;
            }));
            Say.Progress("[preflight] " + redactor.Text(preflight.Summary())
                + (deferredPreflights.Count == 0 ? "" : $"; the {string.Join(", ", deferredPreflights.Keys)} driver(s) on first use"));
            if (!preflight.Passed)
            {
                // Every test fails with this, so no CI tool can read the run as green; the message is one line
                // (NUnit repeats it for each test) and the whole account goes to preflight.txt.
                var file = Path.Combine(RunParameters.ArtifactsDirectory, "preflight.txt");
                Directory.CreateDirectory(RunParameters.ArtifactsDirectory);
                await File.WriteAllTextAsync(file, redactor.Text(preflight.Summary()) + Environment.NewLine).ConfigureAwait(false);
                var more = preflight.Failures.Count - 1;
                throw new PlainFailure(redactor.Text($"Preflight failed, no check ran: {preflight.Failures[0]}")
                    + (more > 0 ? $" (and {more} more failed logins)" : "") + $"; every login in {file}");
            }
        }

        if (RunParameters.Preflight)
        {
            Say.Timing("preflight", phase.Elapsed, "one login per user and server with the catalogue's driver");
        }

        if (profile.Options.Pacing.Count > 0)
        {
            Say.Progress("[pacing] " + string.Join("; ", profile.Options.Pacing));
        }

        // Read by scripts/bench: what the run spends before its first test.
        Say.Timing("setup", setupClock.Elapsed, "issuer start, discovery, browser launch, preflight");

        foreach (var server in target.Servers)
        {
            Say.Progress(server.Unavailable is null
                ? $"[target] {server.Name}: {server.Issuer}"
                : $"[target] {server.Name}: UNAVAILABLE, {server.Unavailable}");
        }

        if (target.Servers.All(s => s.Unavailable is not null))
        {
            // Nothing can be tested; say so once instead of one inconclusive per check.
            throw new PlainFailure(redactor.Text($"Target '{profile.Name}' is unreachable: " + string.Join("; ", target.Servers.Select(s => $"server '{s.Name}': {s.Unavailable}"))));
        }
    }

    [OneTimeTearDown]
    public async Task DisconnectAsync()
    {
        GateVerdict? verdict = null;
        string? unusable = null;
        if (Results is not null && target is not null)
        {
            var path = Path.Combine(RunParameters.ArtifactsDirectory, "results.json");
            var writing = System.Diagnostics.Stopwatch.StartNew();
            var run = Results.ToFile();
            run.Write(path);
            Say.Progress($"[results] {path}");
            Say.Timing("results", writing.Elapsed, "results.json written");
            if (RunParameters.WriteRequestProfile)
            {
                Say.Progress("[plan] " + RequestProfile.WriteCommitted(run, embedded is not null && RunParameters.Faults.Count == 0 && RunParameters.Variants.Count == 0));
            }
            if (RunParameters.Reports != "none")
            {
                var full = RunParameters.Reports is "all" or "standard";
                var reportsClock = System.Diagnostics.Stopwatch.StartNew();
                try
                {
                    verdict = RunReports.Write([run], Path.Combine(RunParameters.ArtifactsDirectory, "reports"), new ReportOptions
                    {
                        Waivers = Waivers,
                        Baseline = BaselineRuns,
                        AllureHistory = RunParameters.AllureHistory,
                        Pdf = full,
                        AllureResults = full,
                        RenderAllure = RunParameters.Reports == "all",
                        Browser = located,
                        // The run's own Chromium prints the PDF, when the browser driver started one.
                        PdfBrowser = browser?.Browser,
                        AttachmentDirectories = [RunParameters.ArtifactsDirectory],
                        Secrets = ReportOptions.SecretsOf(target.Profile.Secrets),
                        Clients = ReportOptions.ClientsOf(target.Profile),
                        ScanAlso = [path, Path.Combine(RunParameters.ArtifactsDirectory, "evidence")],
                        Log = TestContext.Progress,
                    });
                }
                catch (BaselineException e)
                {
                    // RequireTarget passed at setup, but a baseline of two tenants under this profile name is named "name @ host" and matches no target. Said after the browser and issuer close below.
                    unusable = e.Message;
                }
                finally
                {
                    Say.Timing("reports", reportsClock.Elapsed, RunParameters.Reports);
                }
            }
        }

        if (target is not null && target.Http.Pacer.Waited > TimeSpan.Zero)
        {
            Say.Progress($"[pacing] requests waited {target.Http.Pacer.Waited.TotalSeconds:0.0} s in all to stay inside the target's rate limits");
        }

        var closing = System.Diagnostics.Stopwatch.StartNew();
        if (browser is not null)
        {
            var (opened, reused) = (browser.TabsOpened, browser.TabsReused);
            await browser.DisposeAsync().ConfigureAwait(false);
            if (opened + reused > 0)
            {
                Say.Progress($"[browser] {opened} fresh contexts opened, {reused} user agents given a reset tab of an earlier one");
            }
        }

        target?.Http.Dispose();
        if (embedded is not null)
        {
            await embedded.DisposeAsync().ConfigureAwait(false);
        }

        Say.Timing("close", closing.Elapsed, "browser and embedded issuer stopped");

        if (unusable is not null)
        {
            throw new PlainFailure(unusable);
        }

        if (verdict is { Passed: false })
        {
            // The gate is the run's last word: an expired or stale waiver, an unwaived MUST failure, a leaked secret, a new failure or lost coverage against the baseline.
            throw new PlainFailure(verdict.Summary());
        }
    }

    /// <summary>
    /// Waits for the preflight of a driver other than the catalogue's, run once on its first use; when a login
    /// failed, every flow of that driver fails with one line naming user, server and answer (preflight-DRIVER.txt).
    /// </summary>
    internal static async Task DriverReadyAsync(string driver)
    {
        if (!deferredPreflights.TryGetValue(driver, out var pending))
        {
            return;
        }

        var preflight = await pending.Value.ConfigureAwait(false);
        var redactor = Target.Http.Redactor;
        if (!preflight.Passed)
        {
            var file = PreflightFile(driver);
            var more = preflight.Failures.Count - 1;
            throw new PlainFailure(redactor.Text($"Preflight of the {driver} driver failed, none of its flows ran: {preflight.Failures[0]}")
                + (more > 0 ? $" (and {more} more failed logins)" : "") + $"; every login in {file}");
        }
    }

    private static string PreflightFile(string driver) => Path.Combine(RunParameters.ArtifactsDirectory, $"preflight-{driver}.txt");

    private static (ILoginDriver?, string?) CreateDriver(string name, HarnessHttp http, LoginProfile login) => name switch
    {
        "form" => (new FormLoginDriver(http, login), null),
        "okta-authn" => (new OktaAuthnLoginDriver(http, login), null),
        "browser" when browser is not null => (new BrowserLoginDriver(browser, login, http.Redactor, RunParameters.ArtifactsDirectory, http.Recorder), null),
        "browser" => (null, $"the browser driver cannot run here: {browserUnavailable}"),
        _ => (null, $"the '{name}' login driver is not available in this build"),
    };

    private static async Task<TargetProfile> LoadProfileAsync()
    {
        var configured = RunParameters.TargetProfile;
        if (configured is not null)
        {
            var path = RunParameters.ResolvePath(configured);
            Say.Progress($"[target] profile {path}");
            return TargetProfileLoader.LoadFile(path);
        }

        try
        {
            embedded = await EmbeddedIssuer.StartAsync(RunParameters.Faults, RunParameters.Variants, EmbeddedIssuer.SecretsFromEnvironment(), RunParameters.ReferenceRateLimits).ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            // An unknown fault, variant or REFERENCE_* secret name: the message names it and lists what is known.
            throw new PlainFailure(e.Message);
        }

        var faults = RunParameters.Faults.Count == 0 ? "conformant" : "faults: " + string.Join(", ", RunParameters.Faults);
        var variants = RunParameters.Variants.Count == 0 ? "" : "; allowed variants: " + string.Join(", ", RunParameters.Variants);
        var limits = RunParameters.ReferenceRateLimits ? "; Okta's rate limits enforced" : "";
        var profilePath = RunParameters.ReferenceProfile ?? ReferenceProfilePath;
        Say.Progress($"[target] embedded reference issuer at {embedded.BaseUrlText} ({faults}{variants}{limits}), profile {profilePath}");
        return TargetProfileLoader.LoadFile(
            profilePath,
            embedded.Environment,
            new Dictionary<string, string> { ["embedded"] = embedded.BaseUrlText });
    }

    private static async Task<(T Value, TimeSpan Took)> TimedAsync<T>(Func<Task<T>> start)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var value = await start().ConfigureAwait(false);
        return (value, clock.Elapsed);
    }

    internal static string ReferenceProfilePath => Path.Combine(AppContext.BaseDirectory, "profiles", "reference.json");
}
