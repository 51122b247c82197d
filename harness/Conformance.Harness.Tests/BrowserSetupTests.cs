using Conformance.Harness.Browser;
using static Conformance.Harness.Tests.BrowserLocatorTests;

namespace Conformance.Harness.Tests;

/// <summary>
/// The first-run set-up on fake machines: what it installs, when it does not, and that a run without a browser is
/// told once, whatever happens.
/// </summary>
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public class BrowserSetupTests
{
    private static readonly InstallStep Playwright = new("dotnet", ["Conformance.Reports.dll", "browser", "install"], TimeSpan.FromMinutes(6));

    private readonly List<string> log = [];
    private readonly List<InstallStep> ran = [];

    private BrowserSetup Setup(FakeMachine machine, InstallPlan? plan, Func<InstallStep, StepResult> step) =>
        new(machine.Locator, () => plan, s =>
        {
            ran.Add(s);
            return Task.FromResult(step(s));
        }, log.Add);

    private static InstallPlan AptPlan(FakeMachine machine) =>
        BrowserSetup.PlanFor(machine.Environment, Playwright, () => [], _ => true)!;

    [Test]
    public async Task A_browser_already_there_is_used_silently_and_nothing_runs()
    {
        var machine = new FakeMachine(BrowserOs.Linux, "/home/dev");
        machine.Files.Add("/usr/bin/chromium");

        var found = await Setup(machine, AptPlan(machine), _ => throw new AssertionException("nothing may run")).EnsureAsync();

        found.Path.Should().Be("/usr/bin/chromium");
        log.Should().BeEmpty();
    }

    [Test]
    public async Task None_found_with_CONFORMANCE_INSTALL_never_says_it_once_with_the_command_and_installs_nothing()
    {
        var machine = new FakeMachine(BrowserOs.Linux, "/home/dev");
        machine.Variables[BrowserSetup.InstallVariable] = "never";

        var none = await Setup(machine, AptPlan(machine), _ => throw new AssertionException("nothing may run")).EnsureAsync();

        none.Found.Should().BeFalse();
        none.Reason.Should().Be("no Chrome or Chromium found");
        log.Should().ContainSingle().Which.Should().Contain("To install one, run: sudo apt-get install -y chromium").And.Contain("CONFORMANCE_INSTALL=never");
        ran.Should().BeEmpty();
    }

    [Test]
    public async Task A_wrong_CONFORMANCE_CHROMIUM_is_said_once_and_never_papered_over_by_an_install()
    {
        var machine = new FakeMachine(BrowserOs.Linux, "/home/dev");
        machine.Variables[BrowserLocator.ChromiumVariable] = "/nonexistent";

        var none = await Setup(machine, AptPlan(machine), _ => throw new AssertionException("nothing may run")).EnsureAsync();

        none.ExplicitMissing.Should().BeTrue();
        log.Should().ContainSingle().Which.Should().StartWith("CONFORMANCE_CHROMIUM names /nonexistent, which does not exist");
    }

    [Test]
    public async Task On_Debian_as_root_apt_get_installs_chromium_once_with_a_progress_line_then_it_is_found()
    {
        var machine = new FakeMachine(BrowserOs.Linux, "/home/dev");

        var found = await Setup(machine, AptPlan(machine), step =>
        {
            if (step.Arguments.Contains("install"))
            {
                machine.Files.Add("/usr/bin/chromium");
            }

            return new StepResult(0, "", false);
        }).EnsureAsync();

        found.Should().Match<BrowserLocation>(l => l.Path == "/usr/bin/chromium" && l.Source == BrowserSource.System);
        ran.Select(s => s.ToString()).Should().Equal("apt-get update -q", "apt-get install -y -q chromium");
        ran.Should().OnlyContain(s => s.Environment["DEBIAN_FRONTEND"] == "noninteractive");
        log.Should().HaveCount(2);
        log[0].Should().Be("no Chrome or Chromium found; installing Debian's chromium with apt-get (as root), once (set CONFORMANCE_INSTALL=never to opt out)...");
        log[1].Should().MatchRegex(@"^installed in \d+ s: /usr/bin/chromium \(system\)$");
    }

    [Test]
    public async Task A_failed_install_ends_in_one_message_with_the_failing_step_and_the_command()
    {
        var machine = new FakeMachine(BrowserOs.MacOS, "/Users/dev");
        var plan = BrowserSetup.PlanFor(machine.Environment, Playwright, () => null, _ => false)!;

        var none = await Setup(machine, plan, _ => new StepResult(1, "Downloading Chrome for Testing...\nError: Failed to download Chrome for Testing\n    at download (cli.js:1:1)", false)).EnsureAsync();

        none.Found.Should().BeFalse();
        none.Reason.Should().Be("no Chrome or Chromium found; the automatic install failed");
        log.Should().HaveCount(2);
        log[0].Should().Contain("installing Playwright's Chromium with its installer");
        log[1].Should().Contain("'dotnet Conformance.Reports.dll browser install' failed (exit 1): Error: Failed to download Chrome for Testing")
            .And.Contain("To install one, run: pwsh scripts/install-chromium.ps1");
    }

    [Test]
    public void The_failure_line_of_Playwrights_installer_is_its_summary_not_its_retries_or_stack()
    {
        const string output = """
            Downloading Chrome for Testing 151.0.7922.34 (playwright chromium v1234) from somewhere
            Error: getaddrinfo ENOTFOUND somewhere
                at GetAddrInfoReqWrap.onlookupall (node:internal/dns/promises:102:17) {
            Failed to install browsers
            Error: Failed to download Chrome for Testing 151.0.7922.34 (playwright chromium v1234), caused by
            Error: Download failure, code=1
                at ChildProcess.<anonymous> (coreBundle.js:32015:32)
            browser install: Playwright's installer failed (exit 1)
            """;

        BrowserSetup.LastLine(output).Should().Be("Error: Failed to download Chrome for Testing 151.0.7922.34 (playwright chromium v1234)");
        BrowserSetup.LastLine("E: Unable to locate package chromium\n").Should().Be("E: Unable to locate package chromium");
        new InstallStep("/usr/share/dotnet/dotnet", ["/repo/bin/Conformance.Reports.dll", "browser", "install"], TimeSpan.FromMinutes(1)).ToString()
            .Should().Be("dotnet Conformance.Reports.dll browser install");
    }

    [Test]
    public async Task An_installer_that_hangs_is_reported_by_its_timeout()
    {
        var machine = new FakeMachine(BrowserOs.Windows, @"C:\Users\dev");
        var plan = BrowserSetup.PlanFor(machine.Environment, Playwright, () => null, _ => false)!;

        await Setup(machine, plan, _ => new StepResult(-1, "", TimedOut: true)).EnsureAsync();

        log[^1].Should().Contain("did not finish within 360 s");
    }

    [Test]
    public async Task A_machine_that_permits_no_install_says_so_in_the_one_message()
    {
        var machine = new FakeMachine(BrowserOs.Linux, "/home/dev");

        await Setup(machine, null, _ => throw new AssertionException("nothing may run")).EnsureAsync();

        log.Should().ContainSingle().Which.Should().Contain("allows no automatic install").And.Contain("sudo apt-get install -y chromium");
    }

    [Test]
    public async Task The_real_runner_kills_a_step_at_its_timeout()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Ignore("not applicable: uses sleep");
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = await BrowserSetup.RunAsync(new InstallStep("sleep", ["30"], TimeSpan.FromMilliseconds(300)));

        result.TimedOut.Should().BeTrue();
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10));
    }

    [Test]
    public void Plans_per_machine()
    {
        var debian = new FakeMachine(BrowserOs.Linux, "/home/dev").Environment;
        var ubuntu = new FakeMachine(BrowserOs.Linux, "/home/dev", "ubuntu debian").Environment;
        var mac = new FakeMachine(BrowserOs.MacOS, "/Users/dev").Environment;

        BrowserSetup.PlanFor(debian, Playwright, () => ["sudo", "-n"], p => p == "apt-get")!.Steps.Select(s => s.ToString())
            .Should().Equal("sudo -n apt-get update -q", "sudo -n apt-get install -y -q chromium poppler-utils");
        BrowserSetup.PlanFor(debian, Playwright, () => null, _ => true)!.Description.Should().Be("Playwright's Chromium with its installer");
        BrowserSetup.PlanFor(debian, null, () => null, _ => true).Should().BeNull();
        BrowserSetup.PlanFor(ubuntu, Playwright, () => [], _ => true)!.Steps.Single().Arguments.Should().EndWith("--with-deps");
        BrowserSetup.PlanFor(mac, Playwright, () => [], _ => true)!.Steps.Single().Should().Be(Playwright);
    }
}
