using Conformance.Harness.Browser;

namespace Conformance.Suites.Run;

/// <summary>
/// The run's browser, found (or installed on a first run) once, before any check: the browser login driver and the
/// PDF use the same one, and a machine without one hears it in one message, not once per browser flow.
/// </summary>
internal static class BrowserStartup
{
    /// <summary>Playwright's download gives up on a stalled connection after this, instead of waiting for the step's timeout.</summary>
    private const string ConnectionTimeoutMilliseconds = "30000";

    public static Task<BrowserLocation> LocateOrInstallAsync(Action<string> log)
    {
        var locator = BrowserLocator.Default;
        var setup = new BrowserSetup(
            locator,
            () => BrowserSetup.PlanFor(locator.Environment, PlaywrightInstaller(), BrowserSetup.Administrator, BrowserSetup.OnPath),
            BrowserSetup.RunAsync,
            log);
        return setup.EnsureAsync();
    }

    /// <summary>
    /// Playwright's installer, run through the reports CLI built next to the suites (its <c>browser install</c> calls
    /// <c>Microsoft.Playwright.Program.Main</c>) in a child process: its output is captured, not spilled into the test
    /// log, and a download that hangs is killed at the step's timeout. Null when the CLI is not there.
    /// </summary>
    private static InstallStep? PlaywrightInstaller()
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "Conformance.Reports.dll");
        if (!File.Exists(cli))
        {
            return null;
        }

        // The SDK tells the processes it starts where its dotnet is; the test host itself may be an apphost.
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
        return new InstallStep(dotnet, [cli, "browser", "install"], TimeSpan.FromMinutes(6))
        {
            Environment = new Dictionary<string, string> { ["PLAYWRIGHT_DOWNLOAD_CONNECTION_TIMEOUT"] = ConnectionTimeoutMilliseconds },
        };
    }
}
